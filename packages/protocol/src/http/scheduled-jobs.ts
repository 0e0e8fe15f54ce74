// Scheduled jobs (reference §2.7, §8): GET|POST /api/scheduled_jobs, GET|PUT|DELETE
// /api/scheduled_jobs/:id, POST /:id/toggle, POST /:id/run_now, GET|DELETE /:id/runs,
// GET /:id/devices, POST /api/scheduled_jobs/preview; plus the `/ui` lifecycle events
// `scheduled_job_changed` and `scheduled_run_changed`.
import { z } from 'zod';
import { QuickRunValueSchema } from './jobs.js';
import { JobStatusSchema } from '../ws/jobs.js';

/** A non-empty identifier or name without NUL characters (PostgreSQL text cannot hold them). */
const text = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

export const SCHEDULE_TYPES = [
  'immediately',
  'once',
  'every_5_minutes',
  'every_10_minutes',
  'every_15_minutes',
  'every_30_minutes',
  'every_hour',
  'daily',
  'weekly',
  'monthly',
  'yearly',
  'cron',
] as const;
export const ScheduleTypeSchema = z.enum(SCHEDULE_TYPES);
export type ScheduleType = z.infer<typeof ScheduleTypeSchema>;

/** Execution contexts a scheduled job may use (the reference's ssh/winrm are not offered). */
export const EXECUTION_CONTEXTS = ['system', 'current_user'] as const;

/** An occurrence more than this late (the engine was down) is recorded as Skipped. */
export const MISSED_WINDOW_MS = 5 * 60_000;

/**
 * A point in time: epoch ms (values below 1e11 are read as epoch seconds, the reference's
 * unit), an ISO string with `Z` or an offset, or a wall-clock "YYYY-MM-DDTHH:MM" read in the
 * job's time zone. Seconds are dropped: schedules fire on whole minutes.
 */
export const ScheduleTimeSchema = z.union([z.number().int().nonnegative(), text(40)]);

export const ScheduleSpecSchema = z.object({
  type: ScheduleTypeSchema,
  start: ScheduleTimeSchema.nullable().optional(),
  /** Five fields (minute hour day-of-month month day-of-week); only for type "cron". */
  cron: text(200).nullable().optional(),
  /** IANA zone name; default UTC. */
  timezone: text(64).optional(),
  end: ScheduleTimeSchema.nullable().optional(),
});
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;

/** `expiration`: "30m", "1h", "2d", bare minutes ("45" or 45) or "no_expire". */
export const DurationSchema = z.object({
  stopAfterEnabled: z.boolean().default(false),
  expiration: z.union([text(32), z.number().int()]).default('no_expire'),
});

/** One step: an assembly by guid, or by the reference's path ("Scripts/<guid>"). */
export const ScheduledComponentSchema = z.object({
  type: z.literal('script'),
  assembly_guid: text(128).optional(),
  path: text(512).optional(),
  name: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  variable_values: z.record(text(128), QuickRunValueSchema).optional(),
  /** The reference's list form; merged under variable_values. */
  variables: z
    .array(z.object({ name: text(128), value: QuickRunValueSchema.nullable().optional() }))
    .max(200)
    .optional(),
});
export type ScheduledComponent = z.infer<typeof ScheduledComponentSchema>;

/** A hostname (the reference's form) or a device, a whole site or a device filter. */
export const ScheduledTargetSchema = z.union([
  text(255),
  z.object({ kind: z.literal('device'), guid: text(64) }),
  z.object({ kind: z.literal('site'), site_id: text(64) }),
  z.object({ kind: z.literal('filter'), filter_id: text(64) }),
]);
export type ScheduledTarget = z.infer<typeof ScheduledTargetSchema>;

const jobFields = {
  name: text(200),
  components: z.array(ScheduledComponentSchema).min(1).max(50),
  targets: z.array(ScheduledTargetSchema).min(1).max(1000),
  schedule: ScheduleSpecSchema,
  duration: DurationSchema,
  /** system | current_user; anything else is 400 unsupported_execution_context. */
  execution_context: text(32),
  enabled: z.boolean(),
};

export const ScheduledJobInputSchema = z.object({
  ...jobFields,
  duration: jobFields.duration.optional(),
  execution_context: jobFields.execution_context.default('system'),
  enabled: jobFields.enabled.default(true),
});
export type ScheduledJobInput = z.infer<typeof ScheduledJobInputSchema>;

/** PUT: any subset of the fields (no defaults: what is left out stays as it is). */
export const ScheduledJobUpdateSchema = z.object({
  name: jobFields.name.optional(),
  components: jobFields.components.optional(),
  targets: jobFields.targets.optional(),
  schedule: jobFields.schedule.optional(),
  duration: jobFields.duration.optional(),
  execution_context: jobFields.execution_context.optional(),
  enabled: jobFields.enabled.optional(),
});
export type ScheduledJobUpdate = z.infer<typeof ScheduledJobUpdateSchema>;

export const ScheduledToggleSchema = z.object({ enabled: z.boolean() });

/** A target row's status: the activity outcomes plus Skipped (never dispatched). */
export const ScheduledRunStatusSchema = z.union([JobStatusSchema, z.literal('Skipped')]);
export type ScheduledRunStatus = z.infer<typeof ScheduledRunStatusSchema>;

export const ResultCountsSchema = z.object({
  pending: z.number(),
  running: z.number(),
  success: z.number(),
  failed: z.number(),
  expired: z.number(),
  timed_out: z.number(),
  canceled: z.number(),
  skipped: z.number(),
  total_targets: z.number(),
});
export type ResultCounts = z.infer<typeof ResultCountsSchema>;

export const ScheduledJobSchema = z.object({
  id: z.string(),
  name: z.string(),
  components: z.array(
    ScheduledComponentSchema.extend({
      assembly_guid: z.string(),
      variable_values: z.record(z.string(), QuickRunValueSchema),
    }),
  ),
  targets: z.array(ScheduledTargetSchema),
  /** start/end as wall-clock "YYYY-MM-DDTHH:MM" in `timezone`. */
  schedule: z.object({
    type: ScheduleTypeSchema,
    start: z.string().nullable(),
    cron: z.string().nullable(),
    timezone: z.string(),
    end: z.string().nullable(),
  }),
  duration: z.object({ stopAfterEnabled: z.boolean(), expiration: z.string() }),
  execution_context: z.string(),
  enabled: z.boolean(),
  // The reference's flat fields.
  schedule_type: ScheduleTypeSchema,
  start_ts: z.number().nullable(),
  end_ts: z.number().nullable(),
  duration_stop_enabled: z.boolean(),
  expiration: z.string(),
  created_by: z.string(),
  created_at: z.number(),
  updated_at: z.number(),
  next_run_ts: z.number().nullable(),
  last_run_ts: z.number().nullable(),
  latest_occurrence: z.number().nullable(),
  /** Running > Timed Out > Expired > Failed > Success of the latest occurrence, else "Scheduled". */
  last_status: z.string(),
  result_counts: ResultCountsSchema,
});
export type ScheduledJob = z.infer<typeof ScheduledJobSchema>;

export const ScheduledJobListSchema = z.object({ jobs: z.array(ScheduledJobSchema) });
export const ScheduledJobEnvelopeSchema = z.object({ job: ScheduledJobSchema });

/** One component's activity run (drill down with GET /api/device/activity/job/:id). */
export const ScheduledActivityRefSchema = z.object({
  id: z.string(),
  component_index: z.number(),
  script_name: z.string(),
  status: JobStatusSchema,
  has_stdout: z.boolean(),
  has_stderr: z.boolean(),
  exit_code: z.number().nullable(),
});

/** One target of one occurrence, frozen when the occurrence fired. */
export const ScheduledTargetRunSchema = z.object({
  id: z.string(),
  device_guid: z.string().nullable(),
  hostname: z.string(),
  status: ScheduledRunStatusSchema,
  skip_reason: z.string().nullable(),
  error: z.string().nullable(),
  started_ts: z.number().nullable(),
  finished_ts: z.number().nullable(),
  activity: z.array(ScheduledActivityRefSchema),
});

export const OCCURRENCE_TRIGGERS = ['schedule', 'manual'] as const;

export const ScheduledOccurrenceSchema = z.object({
  id: z.string(),
  job_id: z.string(),
  scheduled_ts: z.number(),
  trigger: z.enum(OCCURRENCE_TRIGGERS),
  status: ScheduledRunStatusSchema,
  /** Skipped: missed_window | no_devices_targeted | no_eligible_targets. */
  skip_reason: z.string().nullable(),
  error: z.string().nullable(),
  fired_by: z.string(),
  started_ts: z.number().nullable(),
  finished_ts: z.number().nullable(),
  created_at: z.number(),
  result_counts: ResultCountsSchema,
  targets: z.array(ScheduledTargetRunSchema),
});
export type ScheduledOccurrence = z.infer<typeof ScheduledOccurrenceSchema>;

export const ScheduledRunsQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(3650).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const ScheduledRunsSchema = z.object({ runs: z.array(ScheduledOccurrenceSchema) });
export const ScheduledRunNowSchema = z.object({
  status: z.literal('ok'),
  occurrence: ScheduledOccurrenceSchema,
});
export const ScheduledRunsClearedSchema = z.object({
  status: z.literal('ok'),
  cleared: z.number(),
  kept_occurrence: z.number().nullable(),
});

/** GET /:id/devices: each device's latest status for this job. */
export const ScheduledDeviceSchema = z.object({
  guid: z.string().nullable(),
  hostname: z.string(),
  online: z.boolean(),
  site_id: z.string().nullable(),
  site: z.string(),
  /** "Scheduled" when the device is targeted but no occurrence included it yet. */
  job_status: z.string(),
  ran_on: z.number().nullable(),
  occurrence_id: z.string().nullable(),
  scheduled_ts: z.number().nullable(),
  activity_ids: z.array(z.string()),
  has_stdout: z.boolean(),
  has_stderr: z.boolean(),
});
export const ScheduledDevicesSchema = z.object({
  occurrence: z.number().nullable(),
  devices: z.array(ScheduledDeviceSchema),
});

export type ScheduledDevicesView = z.infer<typeof ScheduledDevicesSchema>;

export const SchedulePreviewRequestSchema = z.object({
  schedule: ScheduleSpecSchema,
  count: z.number().int().min(1).max(50).default(5),
});
export const SchedulePreviewSchema = z.object({
  timezone: z.string(),
  /** Next fire times from now: epoch ms, ISO UTC and wall clock in the zone. */
  next: z.array(z.object({ ts: z.number(), iso: z.string(), local: z.string() })),
});

export const ScheduledJobIdParamsSchema = z.object({ id: text(64) });

/** Engine → every UI. */
export const SCHEDULED_JOB_CHANGED_EVENT = 'scheduled_job_changed';
export const SCHEDULED_RUN_CHANGED_EVENT = 'scheduled_run_changed';
export interface ScheduledJobChanged {
  job_id: string;
  change: 'created' | 'updated' | 'deleted';
}
export interface ScheduledRunChanged {
  job_id: string;
  occurrence_id: string;
  scheduled_ts: number;
  change: 'created' | 'updated' | 'deleted';
  status: ScheduledRunStatus | null;
}
