// The devices a quick job is about to run on, by hostname with their presence, and a warning for
// the offline ones: their run waits until they reconnect or the job expires.
import { Alert, Badge, Group, Text } from '@mantine/core';
import type { TargetDevice } from './QuickJobDialog';

const SHOWN = 12;

export function TargetPreview({ devices }: { devices: TargetDevice[] }) {
  const offline = devices.filter((d) => d.status === 'Offline');
  return (
    <>
      <Group gap={6} data-testid="target-preview">
        {devices.slice(0, SHOWN).map((d) => (
          <Badge
            key={d.guid}
            variant="dot"
            color={d.status === 'Online' ? 'green' : 'gray'}
            size="lg"
            tt="none"
            className="fact-value"
          >
            {d.hostname}
          </Badge>
        ))}
        {devices.length > SHOWN && (
          <Text size="sm" c="dimmed">
            and {devices.length - SHOWN} more
          </Text>
        )}
      </Group>
      {offline.length > 0 && (
        <Alert color="orange" variant="light" title={`${offline.length} offline`}>
          <Text size="sm" className="fact-value">
            {offline.length === 1 ? offline[0]!.hostname : `${offline.length} devices`}{' '}
            {offline.length === 1 ? 'is' : 'are'} offline: the script will run when{' '}
            {offline.length === 1 ? 'it reconnects' : 'they reconnect'}, until the job expires.
          </Text>
        </Alert>
      )}
    </>
  );
}
