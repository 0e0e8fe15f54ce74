// Device detail → Summary: operating system, uptime and last reboot, addresses, last user and
// domain, manufacturer/model/serial, the agent (id, build, hash, service mode) and role health.
import type { DeviceDetail } from '@borealis/protocol';
import { Badge, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { formatBytes, formatDuration, formatTime } from '../../../lib/format';
import { DescriptionCell } from '../DescriptionCell';
import { FactCard } from './FactCard';
import { HEALTH_COLORS, num, roleHealthOf, str } from './inventory';

export function SummaryTab({ device, canEdit }: { device: DeviceDetail; canEdit: boolean }) {
  const s = device.summary;
  const uptime = device.uptime ?? num(s, 'uptime');
  const totalRam = num(s, 'total_ram');
  const health = roleHealthOf(device.agent_role_health);

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <FactCard
          title="Operating system"
          facts={[
            ['OS', device.operating_system ?? str(s, 'operating_system')],
            ['Kernel', str(s, 'kernel')],
            ['Architecture', str(s, 'architecture')],
            ['Device type', device.device_type ?? str(s, 'device_type')],
            ['Uptime', uptime === null ? null : formatDuration(uptime)],
            [
              'Last reboot',
              device.last_reboot !== null ? formatTime(device.last_reboot) : str(s, 'last_reboot'),
            ],
          ]}
        />
        <FactCard
          title="Network and users"
          facts={[
            ['Internal IP', device.internal_ip ?? str(s, 'internal_ip')],
            ['External IP', device.external_ip ?? str(s, 'external_ip')],
            ['Domain', device.domain ?? str(s, 'domain')],
            ['Last user', device.last_user ?? str(s, 'last_user')],
            [
              'Description',
              <DescriptionCell key="description" device={device} canEdit={canEdit} />,
            ],
            ['Site', device.site_name],
          ]}
        />
        <FactCard
          title="Hardware"
          facts={[
            ['Manufacturer', str(s, 'manufacturer')],
            ['Model', str(s, 'system_model') ?? str(s, 'model')],
            ['Serial number', str(s, 'serial_number')],
            ['Processor', str(s, 'processor') ?? str(device.cpu, 'name')],
            ['Memory', totalRam === null ? null : formatBytes(totalRam)],
          ]}
        />
        <FactCard
          title="Agent"
          facts={[
            ['Agent ID', device.agent_id ?? str(s, 'agent_id')],
            [
              'Agent GUID',
              <span key="guid" className="mono">
                {device.guid}
              </span>,
            ],
            ['Agent build', device.agent_build_id],
            ['Agent hash', device.agent_hash ?? str(s, 'agent_hash')],
            ['Service mode', device.service_mode],
            ['Enrolled', formatTime(device.created_at)],
            [
              'Last seen',
              device.status === 'Online' ? 'Currently Online' : formatTime(device.last_seen),
            ],
          ]}
        />
      </SimpleGrid>
      <div className="glass fact-card">
        <Title order={4} mb="sm">
          Role health
        </Title>
        {health.length === 0 ? (
          <Text size="sm" c="dimmed">
            The agent has not reported role health yet.
          </Text>
        ) : (
          <Table aria-label="Role health" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Role</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Detail</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {health.map((h) => (
                <Table.Tr key={h.role}>
                  <Table.Td className="mono">{h.role}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={HEALTH_COLORS[h.status] ?? 'gray'}>
                      {h.status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{h.detail ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </div>
    </Stack>
  );
}
