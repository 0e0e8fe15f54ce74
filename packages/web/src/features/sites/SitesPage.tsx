// Sites page: every site with its device count, enrollment code (copy for everyone; create,
// edit, rotate code and delete for admins) and the auto-approve switch (admin, confirmed when
// turned on, with a standing warning while any site has it on).
import type { Site } from '@borealis/protocol';
import { Alert, Badge, Button, Group, Switch, Table, Text } from '@mantine/core';
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
import { useDeleteSites, useRotateSiteCode, useSetAutoApprove, useSites } from './useSites';

type Pending = { kind: 'delete' | 'rotate' | 'auto_approve'; site: Site } | null;

const CONFIRM_COPY = {
  delete: { title: 'Delete site', label: 'Delete site' },
  rotate: { title: 'Rotate enrollment code', label: 'Rotate code' },
  auto_approve: { title: 'Turn on auto-approve', label: 'Turn on auto-approve' },
} as const;

function confirmText(pending: NonNullable<Pending>): string {
  const name = pending.site.name;
  switch (pending.kind) {
    case 'delete':
      return `Delete site "${name}"? Its devices lose their site assignment.`;
    case 'rotate':
      return `Issue a new enrollment code for "${name}"? Installers using the old code will be rejected.`;
    case 'auto_approve':
      return `Every agent that presents the enrollment code of "${name}" will be trusted at once, without anyone reviewing it. Anyone who learns the code can enroll a machine. Use this only for a planned roll-out, turn it off afterwards and rotate the code.`;
  }
}

export function SitesPage() {
  const { data: me } = useMe();
  const isAdmin = hasRole(me?.role, 'Admin');
  const sites = useSites();
  const remove = useDeleteSites();
  const rotate = useRotateSiteCode();
  const autoApprove = useSetAutoApprove();
  const [form, setForm] = useState<{ open: boolean; site?: Site }>({ open: false });
  const [pending, setPending] = useState<Pending>(null);

  const confirm = () => {
    if (!pending) return;
    const { kind, site } = pending;
    const done = (message: string) => () => {
      notifySuccess(message);
      setPending(null);
    };
    if (kind === 'delete') {
      remove.mutate([site.id], { onSuccess: done(`Site ${site.name} deleted.`) });
    } else if (kind === 'rotate') {
      rotate.mutate(site.id, { onSuccess: done(`New enrollment code for ${site.name}.`) });
    } else {
      autoApprove.mutate(
        { siteId: site.id, enabled: true },
        { onSuccess: done(`Auto-approve is on for ${site.name}.`) },
      );
    }
  };

  const toggleAutoApprove = (site: Site, enabled: boolean) => {
    if (enabled) {
      setPending({ kind: 'auto_approve', site });
      return;
    }
    autoApprove.mutate(
      { siteId: site.id, enabled: false },
      { onSuccess: () => notifySuccess(`Auto-approve is off for ${site.name}.`) },
    );
  };
  const autoApproved = (sites.data ?? []).filter((s) => s.auto_approve);

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
        {isAdmin ? (
          <Switch
            checked={site.auto_approve}
            color="orange"
            aria-label={`Auto-approve enrollments for ${site.name}`}
            disabled={autoApprove.isPending}
            onChange={(e) => toggleAutoApprove(site, e.currentTarget.checked)}
          />
        ) : (
          <Badge variant="light" color={site.auto_approve ? 'orange' : 'gray'}>
            {site.auto_approve ? 'on' : 'off'}
          </Badge>
        )}
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
      {autoApproved.length > 0 && (
        <Alert color="orange" variant="light" title="Auto-approve is on" mb="md">
          {`Agents enrolling with the code of ${autoApproved.map((s) => s.name).join(', ')} are trusted without review. Anyone holding that code can add a machine: turn auto-approve off when the roll-out is done and rotate the code.`}
        </Alert>
      )}
      <div className="glass">
        <Table.ScrollContainer minWidth={860}>
          <Table aria-label="Sites">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th ta="right">Devices</Table.Th>
                <Table.Th>Enrollment code</Table.Th>
                <Table.Th>Auto-approve</Table.Th>
                <Table.Th>Created</Table.Th>
                {isAdmin && <Table.Th ta="right">Actions</Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows}
              <TableState
                query={sites}
                columns={isAdmin ? 6 : 5}
                empty="No sites yet. Create one to hand out its enrollment code."
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <SiteFormModal opened={form.open} site={form.site} onClose={() => setForm({ open: false })} />
      <ConfirmDialog
        opened={pending !== null}
        title={pending ? CONFIRM_COPY[pending.kind].title : ''}
        confirmLabel={pending ? CONFIRM_COPY[pending.kind].label : ''}
        loading={remove.isPending || rotate.isPending || autoApprove.isPending}
        onConfirm={confirm}
        onClose={() => setPending(null)}
      >
        {pending ? confirmText(pending) : ''}
      </ConfirmDialog>
    </>
  );
}
