// API Keys page (admin): keys used by scripts and the `borealis` CLI; create (shown once) and revoke.
import type { ApiKey } from '@borealis/protocol';
import { Badge, Button, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { notifySuccess } from '../../app/query-client';
import { formatTime } from '../../lib/format';
import { ROLE_COLORS } from '../../lib/roles';
import { CreateApiKeyModal } from './CreateApiKeyModal';
import { useApiKeys, useDeleteApiKey } from './useApiKeys';

export function ApiKeysPage() {
  const keys = useApiKeys();
  const remove = useDeleteApiKey();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const confirmRevoke = () => {
    if (!revoking) return;
    remove.mutate(revoking.id, {
      onSuccess: () => {
        notifySuccess(`API key ${revoking.name} revoked.`);
        setRevoking(null);
      },
    });
  };

  const rows = (keys.data ?? []).map((k) => (
    <Table.Tr key={k.id}>
      <Table.Td>
        <Text fw={600} size="sm">
          {k.name}
        </Text>
      </Table.Td>
      <Table.Td>
        <Badge variant="light" color={ROLE_COLORS[k.role]}>
          {k.role}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text className="mono">{k.prefix}…</Text>
      </Table.Td>
      <Table.Td>{k.created_by}</Table.Td>
      <Table.Td>{formatTime(k.created_at)}</Table.Td>
      <Table.Td>{formatTime(k.last_used_at)}</Table.Td>
      <Table.Td ta="right">
        <Button
          size="compact-sm"
          variant="subtle"
          color="red"
          aria-label={`Revoke API key ${k.name}`}
          onClick={() => setRevoking(k)}
        >
          Revoke
        </Button>
      </Table.Td>
    </Table.Tr>
  ));

  return (
    <>
      <PageHeader
        title="API Keys"
        subtitle="Bearer keys for scripts and the borealis CLI. Each key acts with the role it was given."
        actions={
          <Button variant="gradient" onClick={() => setCreating(true)}>
            New API key
          </Button>
        }
      />
      <div className="glass">
        <Table.ScrollContainer minWidth={820}>
          <Table aria-label="API keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Key prefix</Table.Th>
                <Table.Th>Created by</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows}
              <TableState query={keys} columns={7} empty="No API keys yet." />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <CreateApiKeyModal opened={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog
        opened={revoking !== null}
        title="Revoke API key"
        confirmLabel="Revoke key"
        loading={remove.isPending}
        onConfirm={confirmRevoke}
        onClose={() => setRevoking(null)}
      >
        {`Revoke "${revoking?.name ?? ''}"? Scripts using it stop working at once.`}
      </ConfirmDialog>
    </>
  );
}
