// Device detail → Storage: every reported volume with type, filesystem, a usage bar
// (orange from 80 %, red from 90 %) and used / free / total sizes.
import type { DeviceDetail } from '@borealis/protocol';
import { Group, Progress, Table, Text } from '@mantine/core';
import { formatBytes } from '../../../lib/format';
import { num, str } from './inventory';

function usageColor(pct: number): string {
  if (pct >= 90) return 'red';
  if (pct >= 80) return 'orange';
  return 'aurora';
}

const size = (v: number | null) => (v === null ? '—' : formatBytes(v));

export function StorageTab({ device }: { device: DeviceDetail }) {
  const volumes = device.storage ?? [];
  return (
    <div className="glass">
      <Table.ScrollContainer minWidth={820}>
        <Table aria-label="Storage" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Drive</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Filesystem</Table.Th>
              <Table.Th w={240}>Usage</Table.Th>
              <Table.Th ta="right">Used</Table.Th>
              <Table.Th ta="right">Free</Table.Th>
              <Table.Th ta="right">Total</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {volumes.map((v, i) => {
              const total = num(v, 'total');
              const free = num(v, 'free');
              const used =
                num(v, 'used') ?? (total !== null && free !== null ? total - free : null);
              const pct = num(v, 'usage') ?? (total && used !== null ? (used / total) * 100 : null);
              const drive = str(v, 'drive') ?? `Volume ${i + 1}`;
              return (
                <Table.Tr key={i}>
                  <Table.Td className="mono">{drive}</Table.Td>
                  <Table.Td>{str(v, 'disk_type') ?? '—'}</Table.Td>
                  <Table.Td>{str(v, 'filesystem') ?? '—'}</Table.Td>
                  <Table.Td>
                    {pct === null ? (
                      '—'
                    ) : (
                      <Group gap="sm" wrap="nowrap">
                        <Progress
                          value={Math.min(100, Math.max(0, pct))}
                          color={usageColor(pct)}
                          size="md"
                          radius="xl"
                          style={{ flex: 1 }}
                          aria-label={`Usage of ${drive}`}
                        />
                        <Text size="xs" w={44} ta="right">
                          {pct.toFixed(0)}%
                        </Text>
                      </Group>
                    )}
                  </Table.Td>
                  <Table.Td ta="right">{size(used)}</Table.Td>
                  <Table.Td ta="right">{size(free)}</Table.Td>
                  <Table.Td ta="right">{size(total)}</Table.Td>
                </Table.Tr>
              );
            })}
            {volumes.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={7}>
                  <Text c="dimmed" size="sm" ta="center" py="lg">
                    The agent has not reported any storage yet.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </div>
  );
}
