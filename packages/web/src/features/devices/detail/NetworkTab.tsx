// Device detail → Network: the device's internal/external address and every adapter with its
// IPv4 addresses, MAC address and link speed.
import type { DeviceDetail } from '@borealis/protocol';
import { Stack, Table, Text } from '@mantine/core';
import { FactCard } from './FactCard';
import { str, strList } from './inventory';

export function NetworkTab({ device }: { device: DeviceDetail }) {
  const adapters = device.network ?? [];
  return (
    <Stack gap="md">
      <FactCard
        title="Addresses"
        cols={3}
        facts={[
          ['Internal IP', device.internal_ip ?? str(device.summary, 'internal_ip')],
          ['External IP', device.external_ip ?? str(device.summary, 'external_ip')],
          ['Domain', device.domain ?? str(device.summary, 'domain')],
        ]}
      />
      <div className="glass">
        <Table.ScrollContainer minWidth={680}>
          <Table aria-label="Network adapters" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Adapter</Table.Th>
                <Table.Th>IP addresses</Table.Th>
                <Table.Th>MAC</Table.Th>
                <Table.Th>Link speed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {adapters.map((a, i) => {
                const ips = strList(a, 'ips');
                return (
                  <Table.Tr key={i}>
                    <Table.Td fw={600}>{str(a, 'adapter') ?? `Adapter ${i + 1}`}</Table.Td>
                    <Table.Td>
                      {ips.length === 0 ? (
                        '—'
                      ) : (
                        <Stack gap={0}>
                          {ips.map((ip) => (
                            <span key={ip} className="mono">
                              {ip}
                            </span>
                          ))}
                        </Stack>
                      )}
                    </Table.Td>
                    <Table.Td className="mono">{str(a, 'mac') ?? '—'}</Table.Td>
                    <Table.Td>{str(a, 'link_speed') ?? '—'}</Table.Td>
                  </Table.Tr>
                );
              })}
              {adapters.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={4}>
                    <Text c="dimmed" size="sm" ta="center" py="lg">
                      The agent has not reported any network adapters yet.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
    </Stack>
  );
}
