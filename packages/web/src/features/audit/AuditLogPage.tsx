// Audit Log page (admin): every mutating operator request — who, what, target, when, from where,
// and the outcome — paged and filterable by user, action and outcome.
import { AUDIT_OUTCOMES } from '@borealis/protocol';
import { Badge, Group, Pagination, Select, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { formatTime } from '../../lib/format';
import { useAuditPage, type AuditOutcome } from './useAudit';

const PAGE_SIZE = 50;
const OUTCOME_COLORS: Record<AuditOutcome, string> = {
  success: 'green',
  failure: 'red',
  denied: 'orange',
};

export function AuditLogPage() {
  const [page, setPage] = useState(1);
  const [username, setUsername] = useState('');
  const [action, setAction] = useState('');
  const [outcome, setOutcome] = useState<AuditOutcome | null>(null);
  const [filters] = useDebouncedValue({ username, action, outcome }, 300);
  const audit = useAuditPage(page, PAGE_SIZE, filters);
  const entries = audit.data?.entries;
  const pages = Math.max(1, Math.ceil((audit.data?.total ?? 0) / PAGE_SIZE));

  const resetPage =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPage(1);
    };

  return (
    <>
      <PageHeader
        title="Audit Log"
        subtitle="An append-only record of every change made through the API."
      />
      <Group mb="md" gap="sm" align="flex-end">
        <TextInput
          label="User"
          placeholder="Any user"
          value={username}
          onChange={(e) => resetPage(setUsername)(e.currentTarget.value)}
          w={180}
        />
        <TextInput
          label="Action"
          placeholder="e.g. site.create"
          value={action}
          onChange={(e) => resetPage(setAction)(e.currentTarget.value)}
          w={220}
        />
        <Select
          label="Outcome"
          placeholder="Any outcome"
          data={[...AUDIT_OUTCOMES]}
          value={outcome}
          onChange={(v) => resetPage(setOutcome)(v)}
          clearable
          w={160}
        />
        <Text size="sm" c="dimmed" ml="auto">
          {audit.data ? `${audit.data.total} entries` : ''}
        </Text>
      </Group>
      <div className="glass">
        <Table.ScrollContainer minWidth={1000}>
          <Table aria-label="Audit log" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>User</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Request</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th>Source IP</Table.Th>
                <Table.Th>Outcome</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(entries ?? []).map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(e.ts)}</Table.Td>
                  <Table.Td>
                    {e.username ?? (
                      <Text c="dimmed" size="sm">
                        anonymous
                      </Text>
                    )}
                    {e.auth && (
                      <Text size="xs" c="dimmed">
                        {e.auth}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{e.action}</Table.Td>
                  <Table.Td>
                    <Text className="mono" size="xs">
                      {e.method} {e.path}
                    </Text>
                  </Table.Td>
                  <Table.Td>{e.target ?? '—'}</Table.Td>
                  <Table.Td className="mono">{e.source_ip}</Table.Td>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Badge variant="light" color={OUTCOME_COLORS[e.outcome]}>
                        {e.outcome}
                      </Badge>
                      <Text size="xs" c="dimmed">
                        {e.status_code}
                      </Text>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              <TableState
                query={{ ...audit, data: entries }}
                columns={7}
                empty="No audit entries match these filters."
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      <Group justify="center" mt="md">
        <Pagination
          total={pages}
          value={page}
          onChange={setPage}
          getControlProps={(control) => ({ 'aria-label': `${control} page` })}
        />
      </Group>
    </>
  );
}
