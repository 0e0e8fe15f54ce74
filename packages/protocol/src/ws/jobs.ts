// Script jobs on the `/agents` socket (reference §3, fixed per §12): the engine pushes a signed
// `quick_job_run` to one device's room; the agent acks receipt, streams `quick_job_progress`, and
// ends with `quick_job_result`, which it keeps spooled on disk until the engine acks it.
import { z } from 'zod';

export const RUN_MODES = ['system', 'current_user'] as const;
export const RunModeSchema = z.enum(RUN_MODES);
export type RunMode = z.infer<typeof RunModeSchema>;

export const SCRIPT_TYPES = ['bash', 'sh', 'python3', 'node', 'powershell'] as const;
export const ScriptTypeSchema = z.enum(SCRIPT_TYPES);
export type ScriptType = z.infer<typeof ScriptTypeSchema>;

/** Final states are never changed once recorded. */
export const JOB_STATUSES = [
  'Pending',
  'Running',
  'Success',
  'Failed',
  'Timed Out',
  'Canceled',
  'Expired',
] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const FINAL_JOB_STATUSES: readonly JobStatus[] = [
  'Success',
  'Failed',
  'Timed Out',
  'Canceled',
  'Expired',
];

/** Each captured stream is capped; the agent flags truncation. */
export const OUTPUT_CAP_BYTES = 1024 * 1024;

/**
 * What the envelope signature covers (canonical JSON: keys sorted at every level, no whitespace,
 * UTF-8). Binds variables, target, limits and expiry to the signed script.
 */
export const JobEnvelopeSchema = z.object({
  v: z.literal(1),
  job_id: z.string(),
  device_guid: z.string(),
  run_mode: RunModeSchema,
  script_type: ScriptTypeSchema,
  /** lowercase hex SHA-256 of the exact script bytes */
  script_sha256: z.string(),
  environment: z.record(z.string(), z.string()),
  timeout_seconds: z.number().int(),
  expires_at: z.number().int(),
});
export type JobEnvelope = z.infer<typeof JobEnvelopeSchema>;

export const QuickJobRunSchema = z.object({
  job_id: z.string(),
  device_guid: z.string(),
  script_type: ScriptTypeSchema,
  script_name: z.string(),
  script_path: z.string(),
  /** base64 of the exact final script bytes */
  script_content: z.string(),
  script_encoding: z.literal('base64'),
  /** Variables as environment variables (reference naming; see docs/agent-protocol.md). */
  environment: z.record(z.string(), z.string()),
  timeout_seconds: z.number().int().min(1),
  run_mode: RunModeSchema,
  expires_at: z.number().int(),
  /** Ed25519 over the exact script bytes, base64. */
  signature: z.string(),
  /** Ed25519 over the canonical JobEnvelope, base64. */
  envelope_signature: z.string(),
  sig_alg: z.literal('ed25519'),
  context: z
    .object({
      assembly_guid: z.string().nullable(),
      scheduled_job_id: z.string().nullable().optional(),
      scheduled_run_id: z.string().nullable().optional(),
    })
    .optional(),
});
export type QuickJobRun = z.infer<typeof QuickJobRunSchema>;

/** The agent's ack of `quick_job_run` (Socket.IO acknowledgement). */
export const QuickJobAckSchema = z.object({
  job_id: z.string(),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  /** when rejected: signature_invalid | run_mode_unavailable | interpreter_missing | expired | … */
  error: z.string().optional(),
});
export type QuickJobAck = z.infer<typeof QuickJobAckSchema>;

export const QuickJobProgressSchema = z.object({
  job_id: z.string(),
  /** per job, starts at 0, +1 per chunk across both streams */
  seq: z.number().int().min(0),
  stream: z.enum(['stdout', 'stderr']),
  data: z.string().max(65_536),
});
export type QuickJobProgress = z.infer<typeof QuickJobProgressSchema>;

export const QuickJobResultSchema = z.object({
  job_id: z.string(),
  status: z.enum(['Success', 'Failed', 'Timed Out', 'Canceled']),
  exit_code: z.number().int().nullable(),
  stdout: z.string().max(OUTPUT_CAP_BYTES * 4),
  stderr: z.string().max(OUTPUT_CAP_BYTES * 4),
  stdout_truncated: z.boolean(),
  stderr_truncated: z.boolean(),
  started_at: z.number().int().nullable(),
  finished_at: z.number().int(),
  error: z.string().max(4096).optional(),
});
export type QuickJobResult = z.infer<typeof QuickJobResultSchema>;
/** The engine acks a result once it is durably recorded (or already was); then the agent unspools. */
export const QuickJobResultAckSchema = z.object({ status: z.literal('ok'), job_id: z.string() });

export const QuickJobCancelSchema = z.object({ job_id: z.string() });

/** Engine → UI. */
export const DeviceActivityChangedSchema = z.object({
  guid: z.string(),
  hostname: z.string(),
  activity_id: z.string(),
  change: z.enum(['created', 'updated']),
  status: JobStatusSchema,
});
export type DeviceActivityChanged = z.infer<typeof DeviceActivityChangedSchema>;
/** Engine → UIs subscribed to the job (`subscribe_job {job_id}` on `/ui`). */
export const JobOutputEventSchema = QuickJobProgressSchema.extend({ guid: z.string() });
