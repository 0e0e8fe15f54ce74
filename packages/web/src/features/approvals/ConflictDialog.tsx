// Hostname conflict dialog: an agent asks to join under a hostname another device already holds,
// with a different key. The admin decides: overwrite the existing device (same GUID, the old
// agent's tokens stop working) or keep both (the new agent becomes `<hostname>-N`).
import type { ConflictResolution, DeviceApproval } from '@borealis/protocol';
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { shortFingerprint } from './fingerprint';

interface ConflictDialogProps {
  approval: DeviceApproval | null;
  loading: ConflictResolution | null;
  onResolve: (resolution: ConflictResolution) => void;
  onClose: () => void;
}

export function ConflictDialog({ approval, loading, onResolve, onClose }: ConflictDialogProps) {
  const conflict = approval?.hostname_conflict;
  const alternate = approval?.alternate_hostname ?? null;
  return (
    <Modal opened={approval !== null} onClose={onClose} title="Hostname already in use" size="lg">
      {approval && conflict && (
        <Stack gap="md">
          <Text size="sm">
            An agent asks to join as <b>{approval.hostname_claimed}</b>, but a device with that
            hostname already exists
            {conflict.site_name ? ` in site ${conflict.site_name}` : ''}. The new agent presents a
            different key, so it is another machine or a reinstalled one.
          </Text>
          <Stack gap={2}>
            <Text size="xs" c="dimmed">
              Existing device key:{' '}
              <span className="mono">{shortFingerprint(conflict.ssl_key_fingerprint)}</span>
            </Text>
            <Text size="xs" c="dimmed">
              New agent key:{' '}
              <span className="mono">{shortFingerprint(approval.ssl_key_fingerprint_claimed)}</span>
            </Text>
          </Stack>
          <Alert color="orange" variant="light" title="Overwrite existing device">
            <Stack gap="sm" align="flex-start">
              <span>
                The new agent takes over the existing device record (GUID{' '}
                <span className="mono">{conflict.guid}</span>) with its history. The old
                agent&apos;s tokens stop working. Choose this for a reinstall of the same machine.
              </span>
              <Button
                color="orange"
                loading={loading === 'overwrite'}
                disabled={loading !== null}
                onClick={() => onResolve('overwrite')}
              >
                Overwrite existing device
              </Button>
            </Stack>
          </Alert>
          <Alert color="aurora" variant="light" title="Keep both">
            <Stack gap="sm" align="flex-start">
              <span>
                {alternate
                  ? `The new agent becomes a separate device named ${alternate}; the existing device is left as it is.`
                  : 'No free alternate hostname is left, so both devices cannot be kept.'}
              </span>
              <Button
                variant="gradient"
                loading={loading === 'coexist'}
                disabled={!alternate || loading !== null}
                onClick={() => onResolve('coexist')}
              >
                {alternate ? `Keep both (rename to ${alternate})` : 'Keep both'}
              </Button>
            </Stack>
          </Alert>
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
