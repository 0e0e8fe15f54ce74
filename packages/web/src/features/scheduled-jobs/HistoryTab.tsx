// Editor tab "Job History": the job's occurrences (scheduled time in the job's zone, trigger,
// status, counts), polled every 5 s and refreshed by `scheduled_run_changed`; a row opens the
// per-device runs of that occurrence, each step's output in a dialog.
import type { ScheduledOccurrence } from '@borealis/protocol';
import { Button, Group, Stack, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { TableState } from '../../components/TableState';
import { formatTime } from '../../lib/format';
import { ResultCounts } from './ResultCounts';
import { RunOutputDialog } from './RunOutputDialog';
import { formatInZone } from './schedule-text';
import { ScheduledStatusBadge } from './ScheduledStatusBadge';
import { scheduledJobKey, useScheduledRuns } from './useScheduledJobs';

interface HistoryTabProps {
  jobId: string;
  timezone: string;
  canCancel: boolean;
}

type OpenRun = { id: string; title: string; deviceGuid: string | null } | null;

export function HistoryTab({ jobId, timezone, canCancel }: HistoryTabProps) {
  const runs = useScheduledRuns(jobId, true);
  const [selected, setSelected] = useState<string | null>(null);
  const [open, setOpen] = useState<OpenRun>(null);
  const occurrence = runs.data?.find((o) => o.id === selected) ?? runs.data?.[0] ?? null;
  // The job's last status and counts follow its occurrences: refresh them when one changes.
  const queryClient = useQueryClient();
  const signature = (runs.data ?? []).map((o) => `${o.id}:${o.status}`).join(',');
  useEffect(() => {
    if (signature) void queryClient.invalidateQueries({ queryKey: scheduledJobKey(jobId) });
  }, [signature, jobId, queryClient]);

  return (
    <Stack gap="lg">
      <Table highlightOnHover className="glass" data-testid="occurrences">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Scheduled for ({timezone})</Table.Th>
            <Table.Th>Trigger</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Results</Table.Th>
            <Table.Th>Finished</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <TableState query={runs} columns={5} empty="No occurrence yet." />
          {(runs.data ?? []).map((o) => (
            <Table.Tr
              key={o.id}
              data-testid={`occurrence-${o.id}`}
              aria-selected={o.id === occurrence?.id}
              bg={o.id === occurrence?.id ? 'var(--mantine-primary-color-light)' : undefined}
              style={{ cursor: 'pointer' }}
              onClick={() => setSelected(o.id)}
            >
              <Table.Td>{formatInZone(o.scheduled_ts, timezone)}</Table.Td>
              <Table.Td>
                {o.trigger === 'manual' ? `Run now by ${o.fired_by}` : 'Schedule'}
              </Table.Td>
              <Table.Td>
                <ScheduledStatusBadge status={o.status} reason={o.skip_reason ?? o.error} />
              </Table.Td>
              <Table.Td>
                <ResultCounts counts={o.result_counts} />
              </Table.Td>
              <Table.Td>{formatTime(o.finished_ts)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {occurrence && (
        <OccurrenceDevices occurrence={occurrence} timezone={timezone} onOpen={setOpen} />
      )}
      <RunOutputDialog run={open} canCancel={canCancel} onClose={() => setOpen(null)} />
    </Stack>
  );
}

interface OccurrenceDevicesProps {
  occurrence: ScheduledOccurrence;
  timezone: string;
  onOpen: (run: OpenRun) => void;
}

function OccurrenceDevices({ occurrence, timezone, onOpen }: OccurrenceDevicesProps) {
  return (
    <Stack gap={6}>
      <Text fw={700}>Devices of the run at {formatInZone(occurrence.scheduled_ts, timezone)}</Text>
      <Table className="glass" data-testid="occurrence-devices">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Device</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Finished</Table.Th>
            <Table.Th>Details</Table.Th>
            <Table.Th>Output</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {occurrence.targets.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={6}>
                <Text size="sm" c="dimmed">
                  {occurrence.skip_reason
                    ? `Skipped: ${occurrence.skip_reason.replaceAll('_', ' ')}.`
                    : 'No device in this run.'}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {occurrence.targets.map((t) => (
            <Table.Tr key={t.id} data-testid={`target-run-${t.hostname}`}>
              <Table.Td className="fact-value">{t.hostname}</Table.Td>
              <Table.Td>
                <ScheduledStatusBadge status={t.status} />
              </Table.Td>
              <Table.Td>{formatTime(t.started_ts)}</Table.Td>
              <Table.Td>{formatTime(t.finished_ts)}</Table.Td>
              <Table.Td>
                <Text size="sm" c={t.error ? 'red' : 'dimmed'}>
                  {t.error ?? (t.skip_reason ? t.skip_reason.replaceAll('_', ' ') : '—')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {t.activity.map((a) => (
                    <Button
                      key={a.id}
                      size="compact-xs"
                      variant="light"
                      onClick={() =>
                        onOpen({
                          id: a.id,
                          title: `${t.hostname}: step ${a.component_index + 1}, ${a.script_name}`,
                          deviceGuid: t.device_guid,
                        })
                      }
                    >
                      {t.activity.length > 1 ? `Step ${a.component_index + 1}` : 'View output'}
                    </Button>
                  ))}
                  {t.activity.length === 0 && (
                    <Text size="sm" c="dimmed">
                      —
                    </Text>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
