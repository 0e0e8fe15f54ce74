// Compact per-status result counts of a job or occurrence ("2 success · 1 failed of 3 devices").
import type { ResultCounts as Counts } from '@borealis/protocol';
import { Group, Text } from '@mantine/core';

const PARTS: { key: keyof Counts; label: string; color?: string }[] = [
  { key: 'success', label: 'success', color: 'green' },
  { key: 'failed', label: 'failed', color: 'red' },
  { key: 'timed_out', label: 'timed out', color: 'orange' },
  { key: 'expired', label: 'expired', color: 'orchid' },
  { key: 'canceled', label: 'canceled' },
  { key: 'skipped', label: 'skipped' },
  { key: 'running', label: 'running', color: 'aurora' },
  { key: 'pending', label: 'pending', color: 'yellow' },
];

export function ResultCounts({ counts }: { counts: Counts }) {
  const shown = PARTS.filter((p) => counts[p.key] > 0);
  const total = counts.total_targets;
  return (
    <Group gap={6} wrap="nowrap" data-testid="result-counts">
      {shown.length === 0 && (
        <Text size="sm" c="dimmed">
          No runs
        </Text>
      )}
      {shown.map((p) => (
        <Text key={p.key} size="sm" c={p.color} fw={500} style={{ whiteSpace: 'nowrap' }}>
          {counts[p.key]} {p.label}
        </Text>
      ))}
      {total > 0 && (
        <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          of {total} {total === 1 ? 'device' : 'devices'}
        </Text>
      )}
    </Group>
  );
}
