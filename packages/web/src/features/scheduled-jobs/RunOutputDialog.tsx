// One device's run of one step, in a dialog: status, exit code, timings and stdout/stderr from
// GET /api/device/activity/job/:id, streamed live while the run is still going.
import { Anchor, Modal } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useJobOutputFeed, useOutputStore } from '../jobs/output-store';
import { RunOutput } from '../jobs/RunOutput';

interface RunOutputDialogProps {
  run: { id: string; title: string; deviceGuid: string | null } | null;
  canCancel: boolean;
  onClose: () => void;
}

export function RunOutputDialog({ run, canCancel, onClose }: RunOutputDialogProps) {
  return (
    <Modal opened={run !== null} onClose={onClose} title={run?.title ?? ''} size="xl">
      {run && <RunBody runId={run.id} canCancel={canCancel} />}
      {run?.deviceGuid && (
        <Anchor component={Link} to={`/devices/${encodeURIComponent(run.deviceGuid)}`} size="sm">
          Open the device
        </Anchor>
      )}
    </Modal>
  );
}

function RunBody({ runId, canCancel }: { runId: string; canCancel: boolean }) {
  const store = useOutputStore();
  useJobOutputFeed(store, runId);
  return <RunOutput runId={runId} store={store} canCancel={canCancel} />;
}
