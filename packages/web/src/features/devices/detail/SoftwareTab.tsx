// Device detail → Installed Software: the package inventory (dpkg/rpm/registry), searched and
// paged by the engine (GET /api/devices/:guid/software?q&page&page_size).
import { Group, Pagination, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { TableState } from '../../../components/TableState';
import { formatTime } from '../../../lib/format';
import { useDeviceSoftware } from '../useDevices';

const PAGE_SIZE = 50;

export function SoftwareTab({ guid }: { guid: string }) {
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [q] = useDebouncedValue(search, 300);
  const software = useDeviceSoftware(guid, page, PAGE_SIZE, q);
  const items = software.data?.software;
  const total = software.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <>
      <Group mb="md" gap="sm" align="flex-end">
        <TextInput
          label="Search packages"
          placeholder="Package name"
          value={search}
          maxLength={256}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
          w={300}
        />
        <Text size="sm" c="dimmed" ml="auto">
          {software.data ? `${total.toLocaleString()} ${total === 1 ? 'package' : 'packages'}` : ''}
        </Text>
      </Group>
      <div className="glass">
        <Table.ScrollContainer minWidth={720}>
          <Table aria-label="Installed software" fz="sm" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Source</Table.Th>
                <Table.Th>Reported</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(items ?? []).map((s, i) => (
                <Table.Tr key={i}>
                  <Table.Td fw={600}>{s.name}</Table.Td>
                  <Table.Td className="mono">{s.version || '—'}</Table.Td>
                  <Table.Td>{s.source || '—'}</Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(s.captured_at)}</Table.Td>
                </Table.Tr>
              ))}
              <TableState
                query={{ ...software, data: items }}
                columns={4}
                empty={q ? 'No package matches this search.' : 'No software reported yet.'}
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
