// Dev Mode switch for admins (reference §2.5): while on, this admin may change official and
// community assemblies; it switches itself off after the engine's TTL (countdown shown).
import { Badge, Group, Switch, Tooltip } from '@mantine/core';
import { useEffect } from 'react';
import { notifySuccess } from '../../app/query-client';
import { formatDuration } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { useDevMode, useSetDevMode } from './useAssemblies';

export function DevModeToggle() {
  const status = useDevMode();
  const toggle = useSetDevMode();
  const now = useNow();
  const enabled = status.data?.enabled ?? false;
  const left = status.data?.expires_at ? Math.max(0, status.data.expires_at - now) : 0;
  const expired = enabled && left === 0;
  const { refetch } = status;

  // The engine has switched it off by now: pick up the new state.
  useEffect(() => {
    if (expired) void refetch();
  }, [expired, refetch]);

  const ttl = status.data ? formatDuration(status.data.ttl_seconds) : '';
  return (
    <Tooltip
      label={`Lets you change official and community assemblies for ${ttl}; every change is audited.`}
      multiline
      w={280}
      position="bottom"
    >
      <Group gap="xs" wrap="nowrap">
        <Switch
          label="Dev Mode"
          checked={enabled}
          disabled={status.isPending || toggle.isPending}
          color="orange"
          onChange={(e) =>
            toggle.mutate(e.currentTarget.checked, {
              onSuccess: (s) =>
                notifySuccess(
                  s.enabled
                    ? `Dev Mode is on for ${formatDuration(s.ttl_seconds)}.`
                    : 'Dev Mode is off.',
                ),
            })
          }
        />
        {enabled && (
          <Badge color="orange" variant="light" tt="none" data-testid="dev-mode-left">
            {formatDuration(left / 1000)} left
          </Badge>
        )}
      </Group>
    </Tooltip>
  );
}
