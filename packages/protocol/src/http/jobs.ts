// Quick jobs and activity history (reference §2.5): POST /api/scripts/quick_run, GET
// /api/quick_jobs/:id, GET|DELETE /api/device/activity/:guid, GET /api/device/activity/job/:id and
// POST /api/device/activity/job/:id/cancel; plus the `/ui` socket events for live job output.
import { z } from 'zod';
import { JobStatusSchema, RunModeSchema } from '../ws/jobs.js';

/** A non-empty identifier or name without NUL characters (PostgreSQL text cannot hold them). */
const id = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters');

/** Variable values as sent by operators; credential variables take a credential id. */
export const QuickRunValueSchema = z.union([z.string().max(65536), z.number(), z.boolean()]);
export type QuickRunValue = z.infer<typeof QuickRunValueSchema>;

/** Bytes of one dispatched script (the run must fit a 1 MiB socket message once base64-encoded). */
export const QUICK_JOB_SCRIPT_MAX_BYTES = 512 * 1024;
/** Default time a run may wait for its device before it is Expired. */
export const QUICK_JOB_DEFAULT_EXPIRY_SECONDS = 24 * 60 * 60;

/**
 * POST /api/scripts/quick_run. The assembly comes from `assembly_guid` or the reference's
 * `script_path` ("Scripts/<assembly guid>"); targets are the union of `guids`, `hostnames`
 * (case-insensitive), every device of `site_id` and every match of `filter_id`.
 */
export const QuickRunRequestSchema = z.object({
  assembly_guid: id(128).optional(),
  script_path: id(512).optional(),
  hostnames: z.array(id(255)).max(10000).optional(),
  guids: z.array(id(64)).max(10000).optional(),
  site_id: id(64).optional(),
  filter_id: id(64).optional(),
  run_mode: RunModeSchema.default('system'),
  variable_values: z.record(id(128), QuickRunValueSchema).default({}),
  /** How long runs wait for offline devices (default 24 h). */
  expires_in_seconds: z.number().int().min(60).max(604800).optional(),
});
export type QuickRunRequest = z.infer<typeof QuickRunRequestSchema>;

export const QuickRunResultSchema = z.object({
  hostname: z.string(),
  guid: z.string(),
  /** The activity id: the job_id the agent sees. */
  job_id: z.string(),
  status: JobStatusSchema,
  error: z.string().optional(),
});
export type QuickRunResult = z.infer<typeof QuickRunResultSchema>;
export const QuickRunResponseSchema = z.object({
  /** The quick job (one dispatch to every target). */
  job_id: z.string(),
  results: z.array(QuickRunResultSchema),
});
export type QuickRunResponse = z.infer<typeof QuickRunResponseSchema>;

/** One run in a device's activity history. */
export const ActivitySummarySchema = z.object({
  id: z.string(),
  quick_job_id: z.string(),
  script_name: z.string(),
  script_path: z.string(),
  script_type: z.string(),
  ran_at: z.number(),
  status: JobStatusSchema,
  has_stdout: z.boolean(),
  has_stderr: z.boolean(),
  exit_code: z.number().nullable(),
  finished_at: z.number().nullable(),
});
export type ActivitySummary = z.infer<typeof ActivitySummarySchema>;

export const ActivityHistorySchema = z.object({
  history: z.array(ActivitySummarySchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  next_before: z.string().nullable(),
});
export type ActivityHistory = z.infer<typeof ActivityHistorySchema>;
export const ActivityQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** An activity id: only rows older than it. */
  before: id(64).optional(),
});
export type ActivityQuery = z.infer<typeof ActivityQuerySchema>;

/** GET /api/device/activity/job/:id: the full row. */
export const ActivityJobSchema = ActivitySummarySchema.extend({
  device_guid: z.string(),
  hostname: z.string(),
  delivered_at: z.number().nullable(),
  started_at: z.number().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  error: z.string().nullable(),
  cancel_requested_at: z.number().nullable(),
  updated_at: z.number(),
});
export type ActivityJob = z.infer<typeof ActivityJobSchema>;
export const ActivityClearResultSchema = z.object({ status: z.literal('ok'), deleted: z.number() });

export const QuickJobVariableSchema = z.object({
  name: z.string(),
  type: z.string(),
  /** Credential variables show the credential id, never the secret. */
  value: z.union([z.string(), z.number(), z.boolean()]).nullable(),
});

/** GET /api/quick_jobs/:id: the dispatch and its per-device runs. */
export const QuickJobSchema = z.object({
  id: z.string(),
  assembly_guid: z.string().nullable(),
  script_name: z.string(),
  script_path: z.string(),
  script_type: z.string(),
  script_sha256: z.string(),
  run_mode: RunModeSchema,
  timeout_seconds: z.number(),
  source: z.string(),
  variables: z.array(QuickJobVariableSchema),
  created_by: z.string(),
  created_at: z.number(),
  expires_at: z.number(),
  runs: z.array(ActivitySummarySchema.extend({ device_guid: z.string(), hostname: z.string() })),
});
export type QuickJob = z.infer<typeof QuickJobSchema>;

export const JobIdParamsSchema = z.object({ id: id(64) });
export const ActivityGuidParamsSchema = z.object({ guid: id(64) });

/** `/ui` socket: join/leave the live output of a quick job or of one run (acked). */
export const SUBSCRIBE_JOB_EVENT = 'subscribe_job';
export const UNSUBSCRIBE_JOB_EVENT = 'unsubscribe_job';
export const SubscribeJobSchema = z.object({ job_id: id(64) });
/** Engine → subscribed UIs: a JobOutputEvent (ws/jobs.ts), per chunk, in order. */
export const JOB_OUTPUT_EVENT = 'job_output';
/** Engine → every UI: a DeviceActivityChanged (ws/jobs.ts). */
export const DEVICE_ACTIVITY_CHANGED_EVENT = 'device_activity_changed';
/** The room a UI socket joins for a job or run id. */
export const jobRoom = (id: string) => `job:${id}`;
