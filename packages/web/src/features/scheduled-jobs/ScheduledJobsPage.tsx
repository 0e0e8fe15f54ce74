// Scheduled Jobs list (reference §2.7, §8): each job's name, enabled switch (operators), schedule
// in words, next and last run in the job's time zone, last status and result counts; "New job"
// and a click on a row open the editor. Kept live by the `/ui` scheduled job events.
import type { ScheduledJob } from '@borealis/protocol';
import { Anchor, Button, Switch, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router-dom';
import { notifySuccess } from '../../app/query-client';
import { PageHeader } from '../../components/PageHeader';
import { TableState } from '../../components/TableState';
import { hasRole } from '../../lib/roles';
import { useMe } from '../auth/useSession';
import { ResultCounts } from './ResultCounts';
import { describeSchedule, formatInZone } from './schedule-text';
import { ScheduledStatusBadge } from './ScheduledStatusBadge';
import { useLiveScheduledJobs, useScheduledJobs, useToggleScheduledJob } from './useScheduledJobs';

export const jobPath = (id: string) => `/scheduled-jobs/${encodeURIComponent(id)}`;

export function ScheduledJobsPage() {
  const { data: me } = useMe();
  const canEdit = hasRole(me?.role, 'Operator');
  const jobs = useScheduledJobs();
  const toggle = useToggleScheduledJob();
  const navigate = useNavigate();
  useLiveScheduledJobs();

  const setEnabled = (job: ScheduledJob, enabled: boolean) =>
    toggle.mutate(
      { id: job.id, enabled },
      { onSuccess: () => notifySuccess(`${job.name} ${enabled ? 'enabled' : 'disabled'}.`) },
    );

  return (
    <>
      <PageHeader
        title="Scheduled Jobs"
        subtitle="Scripts that run on a schedule on chosen devices, sites or device filters."
        actions={
          canEdit && (
            <Button variant="gradient" component={Link} to="/scheduled-jobs/new">
              New scheduled job
            </Button>
          )
        }
      />
      <Table highlightOnHover className="glass" verticalSpacing="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Enabled</Table.Th>
            <Table.Th>Schedule</Table.Th>
            <Table.Th>Next run</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th>Last status</Table.Th>
            <Table.Th>Results</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <TableState query={jobs} columns={7} empty="No scheduled jobs yet." />
          {(jobs.data ?? []).map((job) => {
            const zone = job.schedule.timezone;
            return (
              <Table.Tr
                key={job.id}
                data-testid={`scheduled-job-row-${job.id}`}
                style={{ cursor: 'pointer' }}
                onClick={() => void navigate(jobPath(job.id))}
              >
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={jobPath(job.id)}
                    fw={600}
                    onClick={(e) => e.stopPropagation()}
                  >
                    {job.name}
                  </Anchor>
                </Table.Td>
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Switch
                    aria-label={`Enabled ${job.name}`}
                    checked={job.enabled}
                    disabled={!canEdit || toggle.isPending}
                    onChange={(e) => setEnabled(job, e.currentTarget.checked)}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{describeSchedule(job.schedule)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {job.enabled ? formatInZone(job.next_run_ts, zone) : 'Disabled'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatInZone(job.last_run_ts, zone)}</Text>
                </Table.Td>
                <Table.Td>
                  <ScheduledStatusBadge status={job.last_status} />
                </Table.Td>
                <Table.Td>
                  <ResultCounts counts={job.result_counts} />
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </>
  );
}
