// One run's outcome and output: status, exit code, timings, the engine's error, truncation
// notices and Cancel while Pending/Running. While the run is live its stdout and stderr come from
// the streamed chunks; once final, from the stored result (complete, as recorded exactly once).
import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../../api/client';
import { notifySuccess } from '../../app/query-client';
import { formatDuration, formatTime } from '../../lib/format';
import { isFinalStatus, JobStatusBadge } from './JobStatusBadge';
import { useLiveOutput, type OutputStore } from './output-store';
import { OutputPane } from './OutputPane';
import { useCancelRun, useRun } from './useJobs';

interface RunOutputProps {
  runId: string;
  store: OutputStore;
  canCancel: boolean;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700} className="nav-section-label">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}

export function RunOutput({ runId, store, canCancel }: RunOutputProps) {
  const run = useRun(runId);
  const live = useLiveOutput(store, runId);
  const cancel = useCancelRun();

  if (run.isPending) return <Loader size="sm" aria-label="Loading run" />;
  if (run.isError) {
    return (
      <Alert color="red" variant="light" title="Could not load this run">
        {errorMessage(run.error)}
      </Alert>
    );
  }

  const r = run.data;
  const final = isFinalStatus(r.status);
  const stdout = final ? r.stdout : (live?.stdout ?? '');
  const stderr = final ? r.stderr : (live?.stderr ?? '');
  const waiting =
    r.status === 'Pending'
      ? 'Waiting for the device to accept the job…'
      : final
        ? 'No output.'
        : 'Waiting for output…';
  const duration =
    r.started_at !== null && r.finished_at !== null
      ? formatDuration((r.finished_at - r.started_at) / 1000)
      : null;

  return (
    <Stack gap="md" data-testid={`run-output-${r.id}`} data-run-status={r.status}>
      <Group justify="space-between" align="flex-end" gap="md">
        <Group gap="xl" align="flex-start">
          <Fact label="Status">
            <JobStatusBadge status={r.status} size="md" />
          </Fact>
          <Fact label="Exit code">
            <span className="mono" data-testid="exit-code">
              {r.exit_code ?? '—'}
            </span>
          </Fact>
          <Fact label="Duration">{duration ?? '—'}</Fact>
        </Group>
        {canCancel && !final && (
          <Button
            color="red"
            variant="light"
            size="sm"
            loading={cancel.isPending}
            disabled={r.cancel_requested_at !== null}
            onClick={() =>
              cancel.mutate(r.id, {
                onSuccess: (res) => notifySuccess(`Cancel sent to ${res.hostname}.`),
              })
            }
          >
            {r.cancel_requested_at !== null ? 'Cancel requested' : 'Cancel run'}
          </Button>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {`Queued ${formatTime(r.ran_at)} · started ${formatTime(r.started_at)} · finished ${formatTime(r.finished_at)}`}
      </Text>
      {r.error && (
        <Alert color={r.status === 'Success' ? 'yellow' : 'red'} variant="light" title="Error">
          <span className="wrap-anywhere">{r.error}</span>
        </Alert>
      )}
      {!final && live && live.firstSeq > 0 && (
        <Text size="xs" c="dimmed">
          Output written before this view opened is shown in full once the run finishes.
        </Text>
      )}
      {!final && live?.clipped && (
        <Text size="xs" c="orange">
          Live view cut at 1 MiB per stream; the stored result has what the agent kept.
        </Text>
      )}
      <OutputPane
        label="Standard output"
        stream="stdout"
        text={stdout}
        empty={waiting}
        truncated={final && r.stdout_truncated}
        live={!final}
      />
      <OutputPane
        label="Standard error"
        stream="stderr"
        text={stderr}
        empty={final ? 'Nothing on stderr.' : 'Nothing on stderr yet.'}
        truncated={final && r.stderr_truncated}
        live={!final}
      />
    </Stack>
  );
}
