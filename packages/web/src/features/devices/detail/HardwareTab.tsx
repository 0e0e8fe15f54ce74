// Device detail → Hardware: the CPU (name, cores, base clock) and the installed memory modules.
import type { DeviceDetail } from '@borealis/protocol';
import { Stack, Table, Text, Title } from '@mantine/core';
import { formatBytes } from '../../../lib/format';
import { FactCard } from './FactCard';
import { num, str } from './inventory';

export function HardwareTab({ device }: { device: DeviceDetail }) {
  const cpu = device.cpu;
  const clock = num(cpu, 'base_clock_ghz');
  const totalRam = num(device.summary, 'total_ram');
  const modules = device.memory ?? [];

  return (
    <Stack gap="md">
      <FactCard
        title="CPU"
        cols={4}
        facts={[
          ['Name', str(cpu, 'name') ?? str(device.summary, 'processor')],
          ['Physical cores', str(cpu, 'physical_cores')],
          ['Logical cores', str(cpu, 'logical_cores')],
          ['Base clock', clock === null ? null : `${clock.toFixed(2)} GHz`],
        ]}
      />
      <div className="glass fact-card">
        <Title order={4} mb={4}>
          Memory
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {totalRam === null ? 'Total not reported.' : `${formatBytes(totalRam)} in total.`}
        </Text>
        {modules.length === 0 ? (
          <Text size="sm" c="dimmed">
            The agent reported no memory modules (on Linux they come from dmidecode, which needs
            root; virtual machines often have none).
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table aria-label="Memory modules" fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Slot</Table.Th>
                  <Table.Th ta="right">Capacity</Table.Th>
                  <Table.Th>Speed</Table.Th>
                  <Table.Th>Serial</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {modules.map((m, i) => {
                  const capacity = num(m, 'capacity');
                  return (
                    <Table.Tr key={i}>
                      <Table.Td>{str(m, 'slot') ?? `Module ${i + 1}`}</Table.Td>
                      <Table.Td ta="right">
                        {capacity === null ? '—' : formatBytes(capacity)}
                      </Table.Td>
                      <Table.Td>{str(m, 'speed') ?? '—'}</Table.Td>
                      <Table.Td className="mono">{str(m, 'serial') ?? '—'}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </div>
    </Stack>
  );
}
