// Credentials page (admin): the stored secrets credential variables use — name, type, username,
// site and when created; create, edit (secret replaced only when typed) and delete. The API never
// returns a secret, so none is ever shown.
import type { Credential } from '@borealis/protocol';
import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { notifySuccess } from '../../app/query-client';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { formatTime } from '../../lib/format';
import { useSites } from '../sites/useSites';
import { CREDENTIAL_TYPE_LABELS, CredentialFormModal } from './CredentialFormModal';
import { useCredentials, useDeleteCredential } from './useCredentials';

export function CredentialsPage() {
  const credentials = useCredentials();
  const sites = useSites();
  const remove = useDeleteCredential();
  const [editing, setEditing] = useState<Credential | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Credential | null>(null);
  const siteName = (id: string | null) =>
    id ? (sites.data?.find((s) => s.id === id)?.name ?? 'Deleted site') : 'All sites';
  const rows = [...(credentials.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  const confirmDelete = () => {
    if (!deleting) return;
    remove.mutate(deleting.id, {
      onSuccess: () => {
        notifySuccess(`Credential ${deleting.name} deleted.`);
        setDeleting(null);
      },
      onError: () => setDeleting(null),
    });
  };

  return (
    <>
      <PageHeader
        title="Credentials"
        subtitle="Secrets for credential variables: encrypted at rest, sent only inside a signed job, never shown again."
        actions={
          <Button variant="gradient" onClick={() => setEditing('new')}>
            New credential
          </Button>
        }
      />
      <div className="glass">
        <Table.ScrollContainer minWidth={860}>
          <Table aria-label="Credentials" fz="sm" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Username</Table.Th>
                <Table.Th>Site</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((c) => (
                <Table.Tr key={c.id} data-testid={`credential-row-${c.id}`}>
                  <Table.Td>
                    <Text size="sm" fw={600} className="fact-value">
                      {c.name}
                    </Text>
                    {c.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {c.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="orchid">
                      {CREDENTIAL_TYPE_LABELS[c.credential_type]}
                    </Badge>
                  </Table.Td>
                  <Table.Td className="mono fact-value">{c.username ?? '—'}</Table.Td>
                  <Table.Td>{siteName(c.site_id)}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatTime(c.created_at)}
                    <Text size="xs" c="dimmed">
                      by {c.created_by}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        aria-label={`Edit ${c.name}`}
                        onClick={() => setEditing(c)}
                      >
                        Edit
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Delete ${c.name}`}
                        onClick={() => setDeleting(c)}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              <TableState
                query={{ ...credentials, data: rows }}
                columns={6}
                empty="No credentials stored yet."
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <CredentialFormModal
        opened={editing !== null}
        credential={editing === 'new' || editing === null ? undefined : editing}
        onClose={() => setEditing(null)}
      />
      <ConfirmDialog
        opened={deleting !== null}
        title="Delete credential"
        confirmLabel="Delete credential"
        loading={remove.isPending}
        onConfirm={confirmDelete}
        onClose={() => setDeleting(null)}
      >
        {`Delete ${deleting?.name ?? ''}? Credential variables that point at it stop working: runs that use it are refused until another credential is picked.`}
      </ConfirmDialog>
    </>
  );
}
