// Live tail of one log: polls its parsed entries every 2 s, scrolls to the newest line unless
// auto-scroll is off, and can be paused. Lines are rendered as plain text.
import type { LogFamily } from '@borealis/protocol';
import { Badge, Button, Group, ScrollArea, Select, Switch, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useLogTail } from './useLogs';

const LIMITS = ['100', '200', '500', '1000', '2000'];

interface LogTailProps {
  families: LogFamily[];
  selected: string | null;
  onSelect: (name: string | null) => void;
}

export function LogTail({ families, selected, onSelect }: LogTailProps) {
  const [limit, setLimit] = useState('200');
  const [paused, setPaused] = useState(false);
  const [autoScroll, setAutoScroll] = useState(true);
  const tail = useLogTail(selected, Number(limit), paused);
  const viewport = useRef<HTMLDivElement>(null);
  const entries = tail.data?.entries;

  useEffect(() => {
    const el = viewport.current;
    if (autoScroll && el) el.scrollTo({ top: el.scrollHeight });
  }, [entries, autoScroll]);

  return (
    <div className="glass" style={{ padding: 'var(--mantine-spacing-lg)' }}>
      <Group justify="space-between" mb="md" gap="sm">
        <Group gap="sm">
          <Title order={4}>Live tail</Title>
          {selected && (
            <Badge variant="dot" color={paused ? 'orange' : 'green'}>
              {paused ? 'Paused' : 'Live'}
            </Badge>
          )}
        </Group>
        <Group gap="sm" align="flex-end">
          <Select
            aria-label="Log to tail"
            placeholder="Choose a log"
            data={families.map((f) => ({ value: f.name, label: f.file }))}
            value={selected}
            onChange={onSelect}
            w={200}
          />
          <Select
            aria-label="Lines to show"
            data={LIMITS}
            value={limit}
            onChange={(v) => v && setLimit(v)}
            allowDeselect={false}
            w={100}
          />
          <Switch
            label="Auto-scroll"
            checked={autoScroll}
            onChange={(e) => setAutoScroll(e.currentTarget.checked)}
          />
          <Button
            variant="light"
            color={paused ? 'green' : 'orange'}
            onClick={() => setPaused((p) => !p)}
            disabled={!selected}
          >
            {paused ? 'Resume' : 'Pause'}
          </Button>
        </Group>
      </Group>
      <ScrollArea h={420} viewportRef={viewport} className="log-tail" aria-label="Log lines">
        {!selected && (
          <Text c="dimmed" size="sm" p="md">
            Choose a log to follow its newest lines.
          </Text>
        )}
        {selected && tail.isError && (
          <Text c="red" size="sm" p="md">
            {tail.error.message}
          </Text>
        )}
        {selected && entries?.length === 0 && (
          <Text c="dimmed" size="sm" p="md">
            This log is empty.
          </Text>
        )}
        <div style={{ padding: '8px 0' }}>
          {(entries ?? []).map((entry, i) => (
            <div key={i} className="log-line" data-level={entry.level ?? undefined}>
              {entry.raw}
            </div>
          ))}
        </div>
      </ScrollArea>
    </div>
  );
}
