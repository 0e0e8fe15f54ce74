// Status badge of a script run (Pending, Running, Success, Failed, Timed Out, Canceled, Expired),
// with `data-status` for tests; running states pulse so live progress is visible at a glance.
import { FINAL_JOB_STATUSES, type JobStatus } from '@borealis/protocol';
import { Badge } from '@mantine/core';

const COLORS: Record<JobStatus, string> = {
  Pending: 'yellow',
  Running: 'aurora',
  Success: 'green',
  Failed: 'red',
  'Timed Out': 'orange',
  Canceled: 'gray',
  Expired: 'orchid',
};

export function isFinalStatus(status: JobStatus): boolean {
  return FINAL_JOB_STATUSES.includes(status);
}

export function JobStatusBadge({ status, size = 'sm' }: { status: JobStatus; size?: 'sm' | 'md' }) {
  return (
    <Badge
      variant={isFinalStatus(status) ? 'light' : 'dot'}
      color={COLORS[status]}
      size={size}
      data-status={status}
      className={isFinalStatus(status) ? undefined : 'status-live'}
    >
      {status}
    </Badge>
  );
}
