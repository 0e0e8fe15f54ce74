// Device Filters page (reference §2.4, §10): saved filters with their scope, conditions and how
// many devices match now (GET /api/device_filters); a row opens the editor, operators create new.
import { Anchor, Badge, Button, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { formatTime } from '../../lib/format';
import { hasRole } from '../../lib/roles';
import { useMe } from '../auth/useSession';
import { summarize } from './filter-fields';
import { useDeviceFilters } from './useDeviceFilters';

export function DeviceFiltersPage() {
  const { data: me } = useMe();
  const filters = useDeviceFilters();
  const rows = [...(filters.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));

  return (
    <>
      <PageHeader
        title="Device Filters"
        subtitle="Saved AND/OR conditions on device fields; quick jobs can target them."
        actions={
          hasRole(me?.role, 'Operator') && (
            <Button component={Link} to="/device-filters/new" variant="gradient">
              New filter
            </Button>
          )
        }
      />
      <div className="glass">
        <Table.ScrollContainer minWidth={880}>
          <Table aria-label="Device filters" fz="sm" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Scope</Table.Th>
                <Table.Th>Conditions</Table.Th>
                <Table.Th>Matching</Table.Th>
                <Table.Th>Last edited</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((f) => (
                <Table.Tr key={f.id} data-testid={`filter-row-${f.id}`}>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/device-filters/${encodeURIComponent(f.id)}`}
                      fw={600}
                      size="sm"
                      className="fact-value"
                    >
                      {f.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={f.site_scope === 'global' ? 'aurora' : 'orchid'}>
                      {f.site_scope === 'global' ? 'All sites' : (f.site_name ?? 'Deleted site')}
                    </Badge>
                  </Table.Td>
                  <Table.Td maw={460}>
                    <Text size="sm" lineClamp={2} className="fact-value">
                      {summarize(f.groups)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="outline" color={f.match_count > 0 ? 'green' : 'gray'}>
                      {f.match_count} {f.match_count === 1 ? 'device' : 'devices'}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {formatTime(f.updated_at)}
                    <Text size="xs" c="dimmed">
                      by {f.last_edited_by}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
              <TableState
                query={{ ...filters, data: rows }}
                columns={5}
                empty="No device filters yet."
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
    </>
  );
}
