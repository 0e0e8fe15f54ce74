// Table of log families: live file size, last write, rotated files and retention, with tail and
// delete actions (truncate the live file, or delete the whole family).
import type { LogFamily } from '@borealis/protocol';
import { Badge, Button, Group, Menu, Table, Text, Tooltip } from '@mantine/core';
import { formatBytes, formatTime } from '../../lib/format';

interface LogFamiliesTableProps {
  families: LogFamily[];
  tailing: string | null;
  onTail: (name: string) => void;
  onDelete: (family: LogFamily, scope: 'file' | 'family') => void;
}

function RotationsCell({ family }: { family: LogFamily }) {
  const count = family.rotations.length;
  if (count === 0)
    return (
      <Text size="sm" c="dimmed">
        none
      </Text>
    );
  const total = family.rotations.reduce((sum, r) => sum + r.size_bytes, 0);
  const dates = family.rotations.map((r) => r.date).sort();
  return (
    <Tooltip label={`${dates[0] ?? ''} … ${dates[dates.length - 1] ?? ''}`}>
      <Text size="sm">
        {count} file{count === 1 ? '' : 's'} · {formatBytes(total)}
      </Text>
    </Tooltip>
  );
}

export function LogFamiliesTable({ families, tailing, onTail, onDelete }: LogFamiliesTableProps) {
  return (
    <Table.ScrollContainer minWidth={820}>
      <Table aria-label="Log files">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Log</Table.Th>
            <Table.Th ta="right">Size</Table.Th>
            <Table.Th>Last written</Table.Th>
            <Table.Th>Rotated files</Table.Th>
            <Table.Th>Retention</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {families.map((f) => (
            <Table.Tr key={f.name}>
              <Table.Td>
                <Text className="mono">{f.file}</Text>
              </Table.Td>
              <Table.Td ta="right">{formatBytes(f.size_bytes)}</Table.Td>
              <Table.Td>{formatTime(f.modified_at)}</Table.Td>
              <Table.Td>
                <RotationsCell family={f} />
              </Table.Td>
              <Table.Td>
                {f.retention_days === null ? (
                  <Badge variant="light" color="gray">
                    Keep forever
                  </Badge>
                ) : (
                  <Badge variant="light" color="orchid">
                    {f.retention_days} days
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>
                <Group gap={6} justify="flex-end" wrap="nowrap">
                  <Button
                    size="compact-sm"
                    variant={tailing === f.name ? 'light' : 'subtle'}
                    aria-label={`Tail ${f.file}`}
                    onClick={() => onTail(f.name)}
                  >
                    Tail
                  </Button>
                  <Menu position="bottom-end" width={240} shadow="lg">
                    <Menu.Target>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        aria-label={`Delete ${f.file}`}
                      >
                        Delete
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item onClick={() => onDelete(f, 'file')}>
                        Clear the current file
                      </Menu.Item>
                      <Menu.Item color="red" onClick={() => onDelete(f, 'family')}>
                        Delete all {f.rotations.length + 1} files
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
