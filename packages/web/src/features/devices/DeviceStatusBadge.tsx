// Presence (Online/Offline) badge of a device, followed by its trust state when it is not
// active (quarantined devices and revoked devices cannot authenticate).
import type { Device } from '@borealis/protocol';
import { Badge, Group } from '@mantine/core';

const TRUST_COLORS = { quarantined: 'orange', revoked: 'red' } as const;

export function DeviceStatusBadge({
  status,
  deviceStatus,
}: {
  status: Device['status'];
  deviceStatus: Device['device_status'];
}) {
  return (
    <Group gap={6} wrap="nowrap">
      <Badge variant="dot" color={status === 'Online' ? 'green' : 'gray'} data-status={status}>
        {status}
      </Badge>
      {deviceStatus !== 'active' && (
        <Badge variant="light" color={TRUST_COLORS[deviceStatus]}>
          {deviceStatus}
        </Badge>
      )}
    </Group>
  );
}
