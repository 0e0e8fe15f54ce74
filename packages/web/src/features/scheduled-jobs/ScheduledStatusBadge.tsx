// Status of a scheduled job, occurrence or target run: the script run statuses (shared badge)
// plus Skipped and Scheduled (nothing ran yet), with `data-status` for tests.
import { JOB_STATUSES, type JobStatus } from '@borealis/protocol';
import { Badge, Tooltip } from '@mantine/core';
import { JobStatusBadge } from '../jobs/JobStatusBadge';

const isJobStatus = (s: string): s is JobStatus => (JOB_STATUSES as readonly string[]).includes(s);

export function ScheduledStatusBadge({
  status,
  reason,
}: {
  status: string;
  reason?: string | null;
}) {
  const badge = isJobStatus(status) ? (
    <JobStatusBadge status={status} />
  ) : (
    <Badge
      variant="light"
      color={status === 'Skipped' ? 'gray' : 'aurora'}
      size="sm"
      data-status={status}
    >
      {status}
    </Badge>
  );
  if (!reason) return badge;
  return (
    <Tooltip label={reason.replaceAll('_', ' ')}>
      <span>{badge}</span>
    </Tooltip>
  );
}
