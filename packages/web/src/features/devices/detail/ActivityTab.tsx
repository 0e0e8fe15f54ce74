// Device detail → Activity History (reference §2.5, §10): the device's script runs, newest first
// (GET /api/device/activity/:guid, paged with "Load older"), live via `device_activity_changed`.
// A row opens the run's full stdout/stderr; operators cancel running ones and clear the history.
import type { ActivitySummary } from '@borealis/protocol';
import { Badge, Button, Group, Modal, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { notifySuccess } from '../../../app/query-client';
import { ConfirmDialog } from '../../../components/ConfirmDialog';
import { TableState } from '../../../components/TableState';
import { formatTime } from '../../../lib/format';
import { JobStatusBadge } from '../../jobs/JobStatusBadge';
import { useJobOutputFeed, useOutputStore } from '../../jobs/output-store';
import { RunOutput } from '../../jobs/RunOutput';
import { useActivityHistory, useClearActivity } from '../../jobs/useJobs';
import { useLiveActivity } from '../../jobs/useLiveActivity';

function OutputBadges({ run }: { run: ActivitySummary }) {
  if (!run.has_stdout && !run.has_stderr) {
    return (
      <Text span size="sm" c="dimmed">
        —
      </Text>
    );
  }
  return (
    <Group gap={4} wrap="nowrap">
      {run.has_stdout && (
        <Badge size="sm" variant="outline" color="aurora">
          stdout
        </Badge>
      )}
      {run.has_stderr && (
        <Badge size="sm" variant="outline" color="rose">
          stderr
        </Badge>
      )}
    </Group>
  );
}

function RunDialog(props: {
  run: ActivitySummary | null;
  canOperate: boolean;
  onClose: () => void;
}) {
  const { run, canOperate, onClose } = props;
  const store = useOutputStore();
  useJobOutputFeed(store, run?.id ?? null);
  return (
    <Modal
      opened={run !== null}
      onClose={onClose}
      title={run ? `${run.script_name} · ${formatTime(run.ran_at)}` : ''}
      size="80rem"
    >
      {run && <RunOutput runId={run.id} store={store} canCancel={canOperate} />}
    </Modal>
  );
}

export function ActivityTab({ guid, canOperate }: { guid: string; canOperate: boolean }) {
  const history = useActivityHistory(guid);
  const clear = useClearActivity(guid);
  const [open, setOpen] = useState<ActivitySummary | null>(null);
  const [clearing, setClearing] = useState(false);
  useLiveActivity();

  const rows = history.data?.pages.flatMap((p) => p.history);
  const confirmClear = () =>
    clear.mutate(undefined, {
      onSuccess: (res) => {
        notifySuccess(`${res.deleted} finished ${res.deleted === 1 ? 'run' : 'runs'} cleared.`);
        setClearing(false);
      },
      onError: () => setClearing(false),
    });

  return (
    <>
      <Group mb="md" justify="space-between">
        <Text size="sm" c="dimmed">
          Scripts run on this device, newest first. Select a run to see its output.
        </Text>
        {canOperate && (
          <Button
            variant="light"
            color="red"
            size="sm"
            disabled={!rows || rows.length === 0}
            onClick={() => setClearing(true)}
          >
            Clear history
          </Button>
        )}
      </Group>
      <div className="glass">
        <Table.ScrollContainer minWidth={820}>
          <Table aria-label="Activity history" fz="sm" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Script</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Ran at</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Exit code</Table.Th>
                <Table.Th>Output</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(rows ?? []).map((r) => (
                <Table.Tr
                  key={r.id}
                  data-testid={`activity-row-${r.id}`}
                  className="clickable-row"
                  onClick={() => setOpen(r)}
                >
                  <Table.Td>
                    <Button
                      variant="subtle"
                      size="compact-sm"
                      className="fact-value"
                      aria-label={`Open run of ${r.script_name} at ${formatTime(r.ran_at)}`}
                      onClick={(e) => {
                        e.stopPropagation();
                        setOpen(r);
                      }}
                    >
                      {r.script_name}
                    </Button>
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color="orchid" size="sm">
                      {r.script_type}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(r.ran_at)}</Table.Td>
                  <Table.Td>
                    <JobStatusBadge status={r.status} />
                  </Table.Td>
                  <Table.Td className="mono">{r.exit_code ?? '—'}</Table.Td>
                  <Table.Td>
                    <OutputBadges run={r} />
                  </Table.Td>
                </Table.Tr>
              ))}
              <TableState
                query={{ ...history, data: rows }}
                columns={6}
                empty="No script has run on this device yet."
              />
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </div>
      {history.hasNextPage && (
        <Group justify="center" mt="md">
          <Button
            variant="default"
            loading={history.isFetchingNextPage}
            onClick={() => void history.fetchNextPage()}
          >
            Load older runs
          </Button>
        </Group>
      )}
      <RunDialog run={open} canOperate={canOperate} onClose={() => setOpen(null)} />
      <ConfirmDialog
        opened={clearing}
        title="Clear activity history"
        confirmLabel="Clear history"
        loading={clear.isPending}
        onConfirm={confirmClear}
        onClose={() => setClearing(false)}
      >
        Remove every finished run and its output from this device’s history? Runs still pending or
        running are kept.
      </ConfirmDialog>
    </>
  );
}
