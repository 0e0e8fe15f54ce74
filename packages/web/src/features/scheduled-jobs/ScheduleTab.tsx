// Editor tab "Schedule": schedule type (the reference's kinds plus cron), start and optional end
// as wall-clock times in the job's IANA time zone (default: the browser's), the expiration window
// for offline devices, and the engine's "Next 5 runs" preview shown in the job's zone.
import { SCHEDULE_TYPES } from '@borealis/protocol';
import { Alert, Group, List, Loader, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo } from 'react';
import { errorMessage } from '../../api/client';
import { needsStart, scheduleOf, timeZones, type JobDraft } from './job-draft';
import { formatInZone, SCHEDULE_TYPE_LABELS } from './schedule-text';
import { useSchedulePreview } from './useScheduledJobs';

const EXPIRATIONS = [
  { value: 'no_expire', label: 'Never (wait until the device reconnects)' },
  { value: '30m', label: '30 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '6h', label: '6 hours' },
  { value: '12h', label: '12 hours' },
  { value: '1d', label: '1 day' },
  { value: '2d', label: '2 days' },
  { value: '7d', label: '7 days' },
];

interface ScheduleTabProps {
  draft: JobDraft;
  update: (patch: Partial<JobDraft>) => void;
  readOnly: boolean;
  canPreview: boolean;
  errors: Partial<Record<'type' | 'start' | 'cron' | 'timezone' | 'end' | 'expiration', string>>;
}

export function ScheduleTab({ draft, update, readOnly, canPreview, errors }: ScheduleTabProps) {
  const zones = useMemo(() => timeZones(), []);
  const spec = scheduleOf(draft);
  const [debounced] = useDebouncedValue(spec, 400);
  const preview = useSchedulePreview(debounced, canPreview);
  const expirations = EXPIRATIONS.some((e) => e.value === draft.expiration)
    ? EXPIRATIONS
    : [...EXPIRATIONS, { value: draft.expiration, label: draft.expiration }];

  return (
    <Group align="flex-start" gap="xl" wrap="wrap">
      <Stack gap="md" w={420}>
        <Select
          label="Schedule type"
          data={SCHEDULE_TYPES.map((t) => ({ value: t, label: SCHEDULE_TYPE_LABELS[t] }))}
          value={draft.type}
          onChange={(v) => v && update({ type: v })}
          allowDeselect={false}
          disabled={readOnly}
          error={errors.type}
        />
        {draft.type === 'cron' && (
          <TextInput
            label="Cron expression"
            description="Five fields: minute hour day-of-month month day-of-week (e.g. 0 3 * * 1-5)."
            value={draft.cron}
            onChange={(e) => update({ cron: e.currentTarget.value })}
            className="mono"
            readOnly={readOnly}
            error={errors.cron}
          />
        )}
        {(needsStart(draft.type) || draft.type === 'cron') && (
          <TextInput
            type="datetime-local"
            label={draft.type === 'cron' ? 'Not before (optional)' : 'Start'}
            description="Wall-clock time in the job's time zone."
            value={draft.start}
            onChange={(e) => update({ start: e.currentTarget.value })}
            readOnly={readOnly}
            error={errors.start}
          />
        )}
        <Select
          label="Time zone"
          description="Occurrences fire at this zone's wall-clock time, across DST changes."
          data={zones}
          value={draft.timezone}
          onChange={(v) => v && update({ timezone: v })}
          searchable
          allowDeselect={false}
          disabled={readOnly}
          error={errors.timezone}
          limit={200}
        />
        {draft.type !== 'immediately' && draft.type !== 'once' && (
          <TextInput
            type="datetime-local"
            label="End (optional)"
            description="No occurrence after this time."
            value={draft.end}
            onChange={(e) => update({ end: e.currentTarget.value })}
            readOnly={readOnly}
            error={errors.end}
          />
        )}
        <Select
          label="Offline devices wait up to"
          description="A device offline when the job fires runs it if it reconnects within this window; after it, its run is Expired."
          data={expirations}
          value={draft.expiration}
          onChange={(v) => v && update({ expiration: v })}
          allowDeselect={false}
          disabled={readOnly}
          error={errors.expiration}
        />
      </Stack>
      <Stack gap="xs" className="glass" p="md" miw={360} data-testid="next-runs">
        <Group gap="xs">
          <Text fw={700}>Next 5 runs</Text>
          {preview.isFetching && <Loader size="xs" aria-label="Computing next runs" />}
        </Group>
        <Text size="xs" c="dimmed">
          In {preview.data?.timezone ?? draft.timezone}
        </Text>
        {!canPreview && (
          <Text size="sm" c="dimmed">
            Operators see the next runs here.
          </Text>
        )}
        {preview.isError && (
          <Alert color="red" variant="light">
            {errorMessage(preview.error)}
          </Alert>
        )}
        {preview.data && !preview.isError && preview.data.next.length === 0 && (
          <Text size="sm" c="dimmed">
            This schedule has no future run.
          </Text>
        )}
        {preview.data && !preview.isError && preview.data.next.length > 0 && (
          <List size="sm" spacing={4} type="ordered">
            {preview.data.next.map((n) => (
              <List.Item key={n.ts} data-testid="next-run" title={n.iso}>
                {formatInZone(n.ts, preview.data.timezone)}
              </List.Item>
            ))}
          </List>
        )}
      </Stack>
    </Group>
  );
}
