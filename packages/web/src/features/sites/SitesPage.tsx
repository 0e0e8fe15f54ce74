// Sites page: every site with its device count and enrollment code (copy for everyone;
// create, edit, rotate code and delete for admins).
import type { Site } from '@borealis/protocol';
import { Button, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { notifySuccess } from '../../app/query-client';
import { formatTime } from '../../lib/format';
import { hasRole } from '../../lib/roles';
import { useMe } from '../auth/useSession';
import { SiteFormModal } from './SiteFormModal';
import { useDeleteSites, useRotateSiteCode, useSites } from './useSites';

type Pending = { kind: 'delete' | 'rotate'; site: Site } | null;

export function SitesPage() {
  const { data: me } = useMe();
  const isAdmin = hasRole(me?.role, 'Admin');
  const sites = useSites();
  const remove = useDeleteSites();
  const rotate = useRotateSiteCode();
  const [form, setForm] = useState<{ open: boolean; site?: Site }>({ open: false });
  const [pending, setPending] = useState<Pending>(null);

  const confirm = () => {
    if (!pending) return;
    const { kind, site } = pending;
    const onSuccess = () => {
      notifySuccess(
        kind === 'delete' ? `Site ${site.name} deleted.` : `New enrollment code for ${site.name}.`,
      );
      setPending(null);
    };
    if (kind === 'delete') remove.mutate([site.id], { onSuccess });
    else rotate.mutate(site.id, { onSuccess });
  };

  const rows = (sites.data ?? []).map((site) => (
    <Table.Tr key={site.id} data-testid={`site-row-${site.name}`}>
      <Table.Td>
        <Text fw={600} size="sm">
          {site.name}
        </Text>
        {site.description && (
          <Text size="xs" c="dimmed" lineClamp={2}>
            {site.description}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">{site.device_count}</Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Text className="mono code-text" data-testid="enrollment-code">
            {site.enrollment_code}
          </Text>
          <CopyButton
            value={site.enrollment_code}
            label={`Copy enrollment code for ${site.name}`}
          />
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatTime(site.created_at)}</Text>
      </Table.Td>
      {isAdmin && (
        <Table.Td>
          <Group gap={6} justify="flex-end" wrap="nowrap">
            <Button
              size="compact-sm"
              variant="subtle"
              aria-label={`Edit site ${site.name}`}
              onClick={() => setForm({ open: true, site })}
            >
              Edit
            </Button>
            <Button
              size="compact-sm"
              variant="subtle"
              color="orange"
              aria-label={`Rotate enrollment code for ${site.name}`}
              onClick={() => setPending({ kind: 'rotate', site })}
            >
              Rotate code
            </Button>
            <Button
              size="compact-sm"
              variant="subtle"
              color="red"
              aria-label={`Delete site ${site.name}`}
              onClick={() => setPending({ kind: 'delete', site })}
            >
              Delete
            </Button>
          </Group>
        </Table.Td>
      )}
    </Table.Tr>
  ));

  return (
    <>
      <PageHeader
        title="Sites"
        subtitle="Group devices by customer or location. Agents enroll into a site with its code."
        actions={
          isAdmin && (
            <Button variant="gradient" onClick={() => setForm({ open: true })}>
              New site
            </Button>
          )
        }
      />
      <div className="glass">
        <Table.ScrollContainer minWidth={760}>
          <Table aria-label="Sites">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th ta="right">Devices</Table.Th>
                <Table.Th>Enrollment code</Table.Th>
                <Table.Th>Created</Table.Th>
                {isAdmin && <Table.Th ta="right">Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows}
              <TableState
                query={sites}
                columns={isAdmin ? 5 : 4}
                empty="No sites yet. Create one to hand out its enrollment code."
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <SiteFormModal opened={form.open} site={form.site} onClose={() => setForm({ open: false })} />
      <ConfirmDialog
        opened={pending !== null}
        title={pending?.kind === 'delete' ? 'Delete site' : 'Rotate enrollment code'}
        confirmLabel={pending?.kind === 'delete' ? 'Delete site' : 'Rotate code'}
        loading={remove.isPending || rotate.isPending}
        onConfirm={confirm}
        onClose={() => setPending(null)}
      >
        {pending?.kind === 'delete'
          ? `Delete site "${pending.site.name}"? Its devices lose their site assignment.`
          : `Issue a new enrollment code for "${pending?.site.name ?? ''}"? Installers using the old code will be rejected.`}
      </ConfirmDialog>
    </>
  );
}
