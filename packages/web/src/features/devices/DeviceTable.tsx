// The device list table: a selection checkbox per row, click-to-sort headers (server-side), a
// row of per-column "contains" filters under the headers, and one row per device of the page.
import type { Device, DeviceFilterField, DeviceSortField } from '@borealis/protocol';
import { Checkbox, Group, Table, Text, TextInput, UnstyledButton } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { TableState } from '../../components/TableState';
import type { DeviceColumn } from './columns';

interface DeviceTableProps {
  columns: DeviceColumn[];
  devices: Device[] | undefined;
  query: Pick<UseQueryResult<unknown>, 'isPending' | 'isError' | 'error'>;
  sort: DeviceSortField;
  order: 'asc' | 'desc';
  onSort: (field: DeviceSortField) => void;
  filters: Partial<Record<DeviceFilterField, string>>;
  onFilter: (field: DeviceFilterField, value: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (guids: string[], selected: boolean) => void;
  canEdit: boolean;
  empty: string;
}

function SortHeader(props: {
  column: DeviceColumn;
  field: DeviceSortField;
  sort: DeviceSortField;
  order: 'asc' | 'desc';
  onSort: (field: DeviceSortField) => void;
}) {
  const { column, field, sort, order, onSort } = props;
  const active = sort === field;
  return (
    <UnstyledButton
      onClick={() => onSort(field)}
      aria-label={`Sort by ${column.label}`}
      className="sort-header"
    >
      <Group gap={4} wrap="nowrap">
        <Text span fw={700} size="sm">
          {column.label}
        </Text>
        <Text span size="xs" c={active ? 'aurora' : 'dimmed'} aria-hidden>
          {active ? (order === 'asc' ? '▲' : '▼') : '↕'}
        </Text>
      </Group>
    </UnstyledButton>
  );
}

export function DeviceTable(props: DeviceTableProps) {
  const { columns, devices, query, sort, order, onSort, filters, onFilter } = props;
  const { selected, onSelect, canEdit, empty } = props;
  const rows = devices ?? [];
  const pageGuids = rows.map((d) => d.guid);
  const selectedOnPage = pageGuids.filter((g) => selected.has(g)).length;
  const width = 48 + columns.length * 130;

  return (
    <Table.ScrollContainer minWidth={width}>
      <Table aria-label="Devices" fz="sm" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={40}>
              <Checkbox
                size="xs"
                aria-label="Select all devices on this page"
                checked={rows.length > 0 && selectedOnPage === rows.length}
                indeterminate={selectedOnPage > 0 && selectedOnPage < rows.length}
                onChange={(e) => onSelect(pageGuids, e.currentTarget.checked)}
              />
            </Table.Th>
            {columns.map((c) => (
              <Table.Th
                key={c.id}
                aria-sort={
                  c.sortField && c.sortField === sort
                    ? order === 'asc'
                      ? 'ascending'
                      : 'descending'
                    : undefined
                }
              >
                {c.sortField ? (
                  <SortHeader
                    column={c}
                    field={c.sortField}
                    sort={sort}
                    order={order}
                    onSort={onSort}
                  />
                ) : (
                  c.label
                )}
              </Table.Th>
            ))}
          </Table.Tr>
          <Table.Tr className="filter-row">
            <Table.Th />
            {columns.map((c) => (
              <Table.Th key={c.id} py={6}>
                {c.filterField && (
                  <TextInput
                    size="xs"
                    placeholder="Filter…"
                    aria-label={`Filter ${c.label}`}
                    value={filters[c.filterField] ?? ''}
                    maxLength={256}
                    onChange={(e) => onFilter(c.filterField!, e.currentTarget.value)}
                  />
                )}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((d) => (
            <Table.Tr
              key={d.guid}
              data-testid={`device-row-${d.guid}`}
              bg={selected.has(d.guid) ? 'var(--mantine-color-aurora-light)' : undefined}
            >
              <Table.Td>
                <Checkbox
                  size="xs"
                  aria-label={`Select ${d.hostname}`}
                  checked={selected.has(d.guid)}
                  onChange={(e) => onSelect([d.guid], e.currentTarget.checked)}
                />
              </Table.Td>
              {columns.map((c) => (
                <Table.Td key={c.id} style={c.nowrap ? { whiteSpace: 'nowrap' } : undefined}>
                  {c.render(d, { canEdit })}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
          <TableState
            query={{ ...query, data: devices }}
            columns={columns.length + 1}
            empty={empty}
          />
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
