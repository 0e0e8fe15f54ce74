// Admin actions of the device detail header, each behind a confirmation: quarantine / release
// (POST /api/devices/:guid/quarantine|release), revoke (…/revoke) and delete (DELETE …/:guid).
import type { DeviceDetail } from '@borealis/protocol';
import { Button } from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { notifySuccess } from '../../../app/query-client';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { useDeleteDevices, useDeviceTrustAction, type TrustAction } from '../useDevices';

type Action = TrustAction | 'delete';

const COPY: Record<Action, { title: string; confirm: string; body: string; done: string }> = {
  quarantine: {
    title: 'Quarantine device',
    confirm: 'Quarantine',
    body: 'Its agent is disconnected and its tokens stop working until you release it. The device and its inventory stay.',
    done: 'quarantined',
  },
  release: {
    title: 'Release device',
    confirm: 'Release',
    body: 'The agent may authenticate again with a fresh token.',
    done: 'released from quarantine',
  },
  revoke: {
    title: 'Revoke device',
    confirm: 'Revoke',
    body: 'Its tokens are invalidated for good and its agent is disconnected. The agent has to enroll again and be approved to come back.',
    done: 'revoked',
  },
  delete: {
    title: 'Delete device',
    confirm: 'Delete device',
    body: 'The device, its inventory and its metrics are removed and its agent is disconnected.',
    done: 'deleted',
  },
};

export function DeviceActions({ device }: { device: DeviceDetail }) {
  const navigate = useNavigate();
  const trust = useDeviceTrustAction();
  const remove = useDeleteDevices();
  const [pending, setPending] = useState<Action | null>(null);

  const confirm = () => {
    if (!pending) return;
    const done = () => {
      notifySuccess(`${device.hostname} ${COPY[pending].done}.`);
      setPending(null);
    };
    if (pending === 'delete') {
      remove.mutate([device.guid], {
        onSuccess: () => {
          done();
          void navigate('/devices');
        },
      });
    } else {
      trust.mutate({ guid: device.guid, action: pending }, { onSuccess: done });
    }
  };

  const lifecycle = device.device_status;
  const copy = pending ? COPY[pending] : null;
  return (
    <>
      {lifecycle === 'active' && (
        <Button variant="light" color="orange" onClick={() => setPending('quarantine')}>
          Quarantine
        </Button>
      )}
      {lifecycle === 'quarantined' && (
        <Button variant="light" color="green" onClick={() => setPending('release')}>
          Release
        </Button>
      )}
      {lifecycle !== 'revoked' && (
        <Button variant="light" color="red" onClick={() => setPending('revoke')}>
          Revoke
        </Button>
      )}
      <Button variant="subtle" color="red" onClick={() => setPending('delete')}>
        Delete
      </Button>
      <ConfirmDialog
        opened={copy !== null}
        title={copy?.title ?? ''}
        confirmLabel={copy?.confirm ?? ''}
        loading={trust.isPending || remove.isPending}
        onConfirm={confirm}
        onClose={() => setPending(null)}
      >
        {copy ? `${copy.title.split(' ')[0]} ${device.hostname}? ${copy.body}` : ''}
      </ConfirmDialog>
    </>
  );
}
