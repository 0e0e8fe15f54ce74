// One captured stream (stdout or stderr) in a monospace box, as plain text only. It follows new
// output to the bottom until the operator scrolls up (auto-scroll pauses; "Follow output" resumes).
import { Badge, Button, Group, Text } from '@mantine/core';
import { useLayoutEffect, useRef, useState, type UIEvent } from 'react';

interface OutputPaneProps {
  label: string;
  text: string;
  /** Shown when there is no text yet. */
  empty: string;
  stream: 'stdout' | 'stderr';
  /** The stream was cut at the agent's cap. */
  truncated?: boolean;
  /** Keep following the end (live output). */
  live?: boolean;
}

/** Within this many pixels of the end counts as "at the bottom". */
const BOTTOM_SLACK_PX = 24;

export function OutputPane({ label, text, empty, stream, truncated, live }: OutputPaneProps) {
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [text, follow]);

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const el = e.currentTarget;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
    if (atBottom !== follow) setFollow(atBottom);
  };

  return (
    <div>
      <Group justify="space-between" mb={6} gap="xs" mih={26}>
        <Group gap="xs">
          <Text size="sm" fw={700}>
            {label}
          </Text>
          {truncated && (
            <Badge color="orange" variant="light" size="sm">
              Truncated at 1 MiB
            </Badge>
          )}
        </Group>
        {live && !follow && (
          <Button size="compact-xs" variant="light" onClick={() => setFollow(true)}>
            Follow output
          </Button>
        )}
      </Group>
      <div
        ref={box}
        className="output-pane"
        data-stream={stream}
        role="log"
        aria-label={label}
        aria-live="off"
        tabIndex={0}
        onScroll={onScroll}
      >
        {text ? (
          <pre className="output-text">{text}</pre>
        ) : (
          <Text size="sm" c="dimmed" p="sm">
            {empty}
          </Text>
        )}
      </div>
    </div>
  );
}
