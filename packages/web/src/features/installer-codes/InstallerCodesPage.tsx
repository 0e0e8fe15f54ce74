// Installer Codes page (admin): expiring enrollment codes with a status filter, create and delete.
import type { InstallerCode } from '@borealis/protocol';
import { Badge, Button, Group, SegmentedControl, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton } from '../../components/CopyButton';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { notifySuccess } from '../../app/query-client';
import { formatTime } from '../../lib/format';
import { CreateCodeModal } from './CreateCodeModal';
import { useDeleteInstallerCode, useInstallerCodes, type CodeStatus } from './useInstallerCodes';

const STATUS_COLORS: Record<CodeStatus, string> = {
  active: 'green',
  expired: 'orange',
  used: 'gray',
};
const FILTERS = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'expired', label: 'Expired' },
  { value: 'used', label: 'Used' },
];

export function InstallerCodesPage() {
  const [filter, setFilter] = useState('all');
  const status = filter === 'all' ? null : (filter as CodeStatus);
  const codes = useInstallerCodes(status);
  const remove = useDeleteInstallerCode();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<InstallerCode | null>(null);

  const confirmDelete = () => {
    if (!deleting) return;
    remove.mutate(deleting.id, {
      onSuccess: () => {
        notifySuccess('Installer code deleted.');
        setDeleting(null);
      },
    });
  };

  const rows = (codes.data ?? []).map((c) => (
    <Table.Tr key={c.id}>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Text className="mono code-text">{c.code}</Text>
          <CopyButton value={c.code} label={`Copy installer code ${c.code}`} />
        </Group>
      </Table.Td>
      <Table.Td>
        {c.site_name ?? (
          <Text c="dimmed" size="sm">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={STATUS_COLORS[c.status]}>
          {c.status}
        </Badge>
      </Table.Td>
      <Table.Td>
        {c.use_count} / {c.max_uses}
      </Table.Td>
      <Table.Td>{formatTime(c.expires_at)}</Table.Td>
      <Table.Td>{formatTime(c.last_used_at)}</Table.Td>
      <Table.Td>{c.created_by}</Table.Td>
      <Table.Td ta="right">
        <Button
          size="compact-sm"
          variant="subtle"
          color="red"
          aria-label={`Delete installer code ${c.code}`}
          onClick={() => setDeleting(c)}
        >
          Delete
        </Button>
      </Table.Td>
    </Table.Tr>
  ));

  return (
    <>
      <PageHeader
        title="Installer Codes"
        subtitle="Short-lived codes for agent installers: 1–24 hours, 1–10 installs each."
        actions={
          <Button variant="gradient" onClick={() => setCreating(true)}>
            New installer code
          </Button>
        }
      />
      <Group mb="md">
        <SegmentedControl
          aria-label="Filter by status"
          data={FILTERS}
          value={filter}
          onChange={setFilter}
        />
      </Group>
      <div className="glass">
        <Table.ScrollContainer minWidth={900}>
          <Table aria-label="Installer codes">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Code</Table.Th>
                <Table.Th>Site</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Uses</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Created by</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows}
              <TableState query={codes} columns={8} empty="No installer codes match this filter." />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <CreateCodeModal opened={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete installer code"
        confirmLabel="Delete code"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete installer code ${deleting?.code ?? ''}? Installers can no longer use it.`}
      </ConfirmDialog>
    </>
  );
}
