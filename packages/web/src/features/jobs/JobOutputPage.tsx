// Live output of one quick job (/jobs/:id): a row per target device with its run status, kept
// current by `device_activity_changed`, and the selected device's stdout/stderr streaming in over
// the `/ui` socket (`subscribe_job` on the quick job id). The selected run lives in ?run=.
import type { QuickJob } from '@borealis/protocol';
import {
  Alert,
  Anchor,
  Badge,
  Center,
  Grid,
  Group,
  Loader,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ApiError, errorMessage } from '../../api/client';
import { useRealtimeConnected } from '../../api/realtime';
import { PageHeader } from '../../components/PageHeader';
import { formatTime } from '../../lib/format';
import { hasRole } from '../../lib/roles';
import { useMe } from '../auth/useSession';
import { JobStatusBadge } from './JobStatusBadge';
import { useJobOutputFeed, useOutputStore } from './output-store';
import { RunOutput } from './RunOutput';
import { useQuickJob } from './useJobs';
import { useLiveActivity } from './useLiveActivity';

const RUN_MODES = { system: 'System', current_user: 'Current user' } as const;

function statusCounts(job: QuickJob): string {
  const counts = new Map<string, number>();
  for (const r of job.runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(' · ');
}

function RunsTable(props: { job: QuickJob; selected: string; onSelect: (id: string) => void }) {
  const { job, selected, onSelect } = props;
  return (
    <Table aria-label="Target devices" fz="sm" verticalSpacing="xs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Device</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Exit</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {job.runs.map((r) => (
          <Table.Tr
            key={r.id}
            data-testid={`job-run-${r.device_guid}`}
            aria-selected={r.id === selected}
            className="clickable-row"
            bg={r.id === selected ? 'var(--mantine-color-aurora-light)' : undefined}
            onClick={() => onSelect(r.id)}
          >
            <Table.Td>
              <Anchor
                component="button"
                type="button"
                size="sm"
                fw={600}
                className="fact-value"
                onClick={() => onSelect(r.id)}
              >
                {r.hostname}
              </Anchor>
            </Table.Td>
            <Table.Td>
              <JobStatusBadge status={r.status} />
            </Table.Td>
            <Table.Td className="mono">{r.exit_code ?? '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function JobOutputPage() {
  const { id = '' } = useParams();
  const { data: me } = useMe();
  const [params, setParams] = useSearchParams();
  const connected = useRealtimeConnected();
  const job = useQuickJob(id);
  const store = useOutputStore();
  useJobOutputFeed(store, id || null);
  useLiveActivity();

  if (job.isPending) {
    return (
      <Center py="xl">
        <Loader aria-label="Loading job" />
      </Center>
    );
  }
  if (job.isError) {
    const missing = job.error instanceof ApiError && job.error.status === 404;
    return (
      <Alert color={missing ? 'orange' : 'red'} variant="light" maw={560} title="No such job">
        {missing ? 'There is no quick job with this id.' : errorMessage(job.error)}
      </Alert>
    );
  }

  const j = job.data;
  const selected = j.runs.find((r) => r.id === params.get('run')) ?? j.runs[0];
  const select = (runId: string) => setParams({ run: runId }, { replace: true });

  return (
    <>
      <Anchor component={Link} to="/devices" size="sm">
        ← Devices
      </Anchor>
      <PageHeader
        title={j.script_name}
        subtitle={`Quick job by ${j.created_by} at ${formatTime(j.created_at)} · runs as ${RUN_MODES[j.run_mode]} · timeout ${j.timeout_seconds} s · waits for offline devices until ${formatTime(j.expires_at)}`}
        actions={
          <>
            <Badge variant="light" color="orchid">
              {j.script_type}
            </Badge>
            <Badge variant="dot" color={connected ? 'green' : 'orange'} size="lg">
              {connected ? 'Live' : 'Connecting…'}
            </Badge>
          </>
        }
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="xs">
            <Text size="sm" c="dimmed" data-testid="job-counts">
              {j.runs.length} {j.runs.length === 1 ? 'device' : 'devices'} · {statusCounts(j)}
            </Text>
            <div className="glass">
              <RunsTable job={j} selected={selected?.id ?? ''} onSelect={select} />
            </div>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 8 }}>
          <div className="glass run-panel">
            {selected ? (
              <Stack gap="sm">
                <Group gap="xs">
                  <Text fw={700} className="fact-value">
                    {selected.hostname}
                  </Text>
                  <Anchor
                    component={Link}
                    to={`/devices/${selected.device_guid}?tab=activity`}
                    size="sm"
                  >
                    Activity history
                  </Anchor>
                </Group>
                <RunOutput
                  key={selected.id}
                  runId={selected.id}
                  store={store}
                  canCancel={hasRole(me?.role, 'Operator')}
                />
              </Stack>
            ) : (
              <Text c="dimmed" size="sm">
                This job has no runs left (their devices were deleted).
              </Text>
            )}
          </div>
        </Grid.Col>
      </Grid>
    </>
  );
}
