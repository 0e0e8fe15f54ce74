// Everything a `quick_job_run` must pass before anything executes, in every execution context
// (root agent and per-user helper alike): the payload parses, the Ed25519 signature over the exact
// script bytes and the signature over the canonical envelope both verify against the pinned key,
// the job is for this device, it has not expired, and its interpreter is installed.
import type { KeyObject } from 'node:crypto';
import { QuickJobRunSchema, type JobEnvelope, type QuickJobRun } from '@borealis/protocol';
import {
  decodeB64,
  publicKeyFromSpki,
  sha256Hex,
  verifyEnvelope,
  verifyScript,
} from '@borealis/protocol/crypto';
import { readText } from '../files.js';
import type { InterpreterLookup } from './interpreters.js';
import { validEnvName } from './interpreters.js';

export const REJECT_CODES = [
  'invalid_payload',
  'signature_invalid',
  'wrong_device',
  'expired',
  'interpreter_missing',
  'run_mode_unavailable',
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

/** Job ids name spool files: keep them to a safe alphabet. */
export const JOB_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export class JobRejected extends Error {
  constructor(
    readonly code: RejectCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'JobRejected';
  }
}

export interface CheckedJob {
  job: QuickJobRun;
  /** The decoded script, byte for byte as signed. */
  script: Buffer;
  interpreter: string;
}

/** The job id of a payload that may not parse (for the rejection ack), or ''. */
export function rawJobId(raw: unknown): string {
  const id = (raw as { job_id?: unknown } | null)?.job_id;
  return typeof id === 'string' ? id.slice(0, 128) : '';
}

/** Parses a payload; a malformed one (or an unsafe job id) is `invalid_payload`. */
export function parseJob(raw: unknown): QuickJobRun {
  const parsed = QuickJobRunSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new JobRejected(
      'invalid_payload',
      `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  if (!JOB_ID_RE.test(parsed.data.job_id))
    throw new JobRejected('invalid_payload', 'job_id has unsupported characters');
  return parsed.data;
}

/** The pinned script-signing key (base64 SPKI DER text file), or null when absent or unusable. */
export function loadSigningKey(file: string): KeyObject | null {
  const text = readText(file);
  const der = text ? decodeB64(text) : null;
  if (!der || der.length === 0) return null;
  try {
    return publicKeyFromSpki(der);
  } catch {
    return null;
  }
}

/** The canonical envelope the engine signed, rebuilt from the payload and the actual script bytes. */
export function envelopeOf(job: QuickJobRun, script: Buffer): JobEnvelope {
  return {
    v: 1,
    job_id: job.job_id,
    device_guid: job.device_guid,
    run_mode: job.run_mode,
    script_type: job.script_type,
    script_sha256: sha256Hex(script),
    environment: job.environment,
    timeout_seconds: job.timeout_seconds,
    expires_at: job.expires_at,
  };
}

export interface CheckOptions {
  key: KeyObject | null;
  /** This device's GUID (null before enrollment: nothing matches). */
  guid: string | null;
  now: number;
  interpreters: InterpreterLookup;
}

/** Verifies a parsed job; throws JobRejected with the first failing rule. */
export function checkJob(job: QuickJobRun, o: CheckOptions): CheckedJob {
  const script = decodeB64(job.script_content);
  if (!script) throw new JobRejected('invalid_payload', 'script_content is not base64');
  for (const [name, value] of Object.entries(job.environment)) {
    if (!validEnvName(name) || value.includes('\0')) {
      throw new JobRejected(
        'invalid_payload',
        'environment holds a name or value the OS cannot carry',
      );
    }
  }
  if (!o.key) throw new JobRejected('signature_invalid', 'no pinned script-signing key');
  if (!verifyScript(o.key, script, job.signature)) {
    throw new JobRejected('signature_invalid', 'the script signature does not verify');
  }
  if (!verifyEnvelope(o.key, envelopeOf(job, script), job.envelope_signature)) {
    throw new JobRejected('signature_invalid', 'the envelope signature does not verify');
  }
  if (!o.guid || job.device_guid.toLowerCase() !== o.guid.toLowerCase()) {
    throw new JobRejected('wrong_device', 'the job is addressed to another device');
  }
  if (job.expires_at <= o.now)
    throw new JobRejected('expired', 'the job expired before it arrived');
  const interpreter = o.interpreters(job.script_type);
  if (!interpreter)
    throw new JobRejected('interpreter_missing', `no ${job.script_type} interpreter is installed`);
  return { job, script, interpreter };
}
