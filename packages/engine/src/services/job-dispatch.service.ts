// Durable job delivery (reference §3, fixed per §12): builds and signs each device's
// `quick_job_run` at send time (credential secrets resolved then, never stored), sends it to the
// device's room only, and turns the agent's ack, progress, result and cancel into activity state.
// A run stays Pending until acked, is re-sent on every connect_agent, and Expires past its expiry.
import {
  DEVICE_ACTIVITY_CHANGED_EVENT,
  FINAL_JOB_STATUSES,
  JOB_OUTPUT_EVENT,
  OUTPUT_CAP_BYTES,
  jobRoom,
  type DeviceActivityChanged,
  type JobEnvelope,
  type JobStatus,
  type QuickJobAck,
  type QuickJobProgress,
  type QuickJobResult,
  type QuickJobRun,
  type RunMode,
  type ScriptType,
} from '@borealis/protocol';
import { signEnvelope, signScript } from '@borealis/protocol/crypto';
import type {
  ActivityRepository,
  ActivityRow,
  DispatchRow,
} from '../db/repositories/activity.repository.js';
import { AppError, conflict, forbidden, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type { SigningKey } from '../security/engine-keys.js';
import type { EventSink } from './events.js';
import type { JobTransport } from './job-transport.js';

/** A variable as frozen in quick_jobs.variables_json (credentials by id only). */
export interface StoredVariable {
  name: string;
  /** The environment variable it becomes. */
  env: string;
  type: 'string' | 'number' | 'boolean' | 'credential';
  /** null: not set; for credentials the credential id. */
  value: string | number | boolean | null;
}

export interface JobDispatchDeps {
  activity: ActivityRepository;
  credentials: { resolveSecret(id: string): Promise<string> };
  keys: { scriptKey(): SigningKey };
  transport: JobTransport;
  events: EventSink;
  clock: Clock;
  log: Logger;
}

export interface DeliveryOutcome {
  status: JobStatus;
  error?: string;
}

interface Owner {
  quickJobId: string;
  guid: string;
}

const FINAL = new Set<string>(FINAL_JOB_STATUSES);
/** Runs whose owner (job, device) is cached for progress relays. */
const OWNER_CACHE_MAX = 10_000;

export const isFinal = (status: string) => FINAL.has(status);

const jobNotFound = (id: string) => notFound('job_not_found', `No job run with id ${id}.`);

/** At most OUTPUT_CAP_BYTES of UTF-8 (never splitting a character); NULs dropped. */
export function capOutput(text: string): { text: string; truncated: boolean } {
  const clean = text.replaceAll('\u0000', '');
  const buf = Buffer.from(clean, 'utf8');
  if (buf.length <= OUTPUT_CAP_BYTES) return { text: clean, truncated: false };
  let end = OUTPUT_CAP_BYTES;
  while (end > 0 && ((buf[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return { text: buf.subarray(0, end).toString('utf8'), truncated: true };
}

export class JobDispatchService {
  private readonly owners = new Map<string, Promise<Owner | null>>();

  constructor(private readonly d: JobDispatchDeps) {}

  /** Tells every UI that a device's activity changed. */
  announce(
    run: Pick<ActivityRow, 'id' | 'device_guid' | 'hostname'>,
    change: 'created' | 'updated',
    status: string,
  ) {
    const event: DeviceActivityChanged = {
      guid: run.device_guid,
      hostname: run.hostname,
      activity_id: run.id,
      change,
      status: status as JobStatus,
    };
    this.d.events.toUi(DEVICE_ACTIVITY_CHANGED_EVENT, event);
  }

  /** The signed wire payload for one run; credential secrets are resolved here and only here. */
  async buildPayload(run: DispatchRow): Promise<QuickJobRun> {
    const environment: Record<string, string> = {};
    for (const v of JSON.parse(run.variables_json) as StoredVariable[]) {
      if (v.value === null) continue;
      environment[v.env] =
        v.type === 'credential'
          ? await this.d.credentials.resolveSecret(String(v.value))
          : String(v.value);
    }
    const base = {
      job_id: run.id,
      device_guid: run.device_guid,
      run_mode: run.run_mode as RunMode,
      script_type: run.script_type as ScriptType,
      environment,
      timeout_seconds: Number(run.timeout_seconds),
      expires_at: Number(run.expires_at),
    };
    const envelope: JobEnvelope = { v: 1, ...base, script_sha256: run.script_sha256 };
    const key = this.d.keys.scriptKey().privateKey;
    return {
      ...base,
      script_name: run.script_name,
      script_path: run.script_path,
      script_content: run.script_b64,
      script_encoding: 'base64',
      signature: signScript(key, Buffer.from(run.script_b64, 'base64')),
      envelope_signature: signEnvelope(key, envelope),
      sig_alg: 'ed25519',
      context: {
        assembly_guid: run.assembly_guid,
        scheduled_job_id: run.scheduled_job_id,
        scheduled_run_id: run.scheduled_run_id,
      },
    };
  }

  /** Sends one run if it is still Pending; returns the state it is in afterwards. */
  async deliver(run: DispatchRow): Promise<DeliveryOutcome> {
    let payload: QuickJobRun;
    try {
      payload = await this.buildPayload(run);
    } catch (err) {
      const reason = err instanceof AppError ? err.code : 'payload_failed';
      this.d.log.error(`job ${run.id}: cannot build the payload for ${run.device_guid}: ${reason}`);
      return this.finishPending(run, 'Failed', reason);
    }
    const ack = await this.d.transport.sendJob(run.device_guid, payload);
    if (!ack) return { status: 'Pending' };
    return this.recordAck(run.device_guid, ack);
  }

  /** Sends `runs` with at most `width` sends in flight; outcomes in input order. */
  async deliverAll(runs: readonly DispatchRow[], width = 32): Promise<DeliveryOutcome[]> {
    const out: DeliveryOutcome[] = new Array<DeliveryOutcome>(runs.length);
    let next = 0;
    const worker = async () => {
      while (next < runs.length) {
        const i = next++;
        out[i] = await this.deliver(runs[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(width, runs.length) }, worker));
    return out;
  }

  /** A device (re)connected: re-send its Pending, unexpired runs, oldest first. */
  async onAgentConnected(guid: string): Promise<void> {
    const runs = await this.d.activity.pendingForDevice(guid, this.d.clock.now());
    if (runs.length) this.d.log.info(`re-sending ${runs.length} pending job run(s) to ${guid}`);
    for (const run of runs) await this.deliver(run);
  }

  private async ownRun(guid: string, jobId: string): Promise<ActivityRow> {
    const run = jobId.includes('\u0000') ? null : await this.d.activity.findById(jobId);
    if (!run) throw jobNotFound(jobId);
    if (run.device_guid !== guid)
      throw forbidden('job_device_mismatch', `Job ${jobId} belongs to another device.`);
    return run;
  }

  private async finishPending(
    run: Pick<ActivityRow, 'id' | 'device_guid' | 'hostname'>,
    status: JobStatus,
    error: string | null,
  ): Promise<DeliveryOutcome> {
    if (await this.d.activity.finishPending(run.id, status, error, this.d.clock.now())) {
      this.announce(run, 'updated', status);
      return { status, ...(error ? { error } : {}) };
    }
    const now = await this.d.activity.findById(run.id);
    return {
      status: (now?.status ?? status) as JobStatus,
      ...(now?.error ? { error: now.error } : {}),
    };
  }

  /**
   * The agent's receipt: accepted (or duplicate: it already holds the run) moves Pending to
   * Running; rejected ends a Pending run as Failed (Expired when the agent saw it expired).
   */
  async recordAck(guid: string, ack: QuickJobAck): Promise<DeliveryOutcome> {
    const run = await this.ownRun(guid, ack.job_id);
    if (ack.status === 'rejected') {
      const error = (ack.error ?? 'rejected').slice(0, 256);
      this.d.log.warn(`agent ${guid} rejected job ${run.id}: ${error}`);
      return this.finishPending(run, error === 'expired' ? 'Expired' : 'Failed', error);
    }
    if (await this.d.activity.markRunning(run.id, this.d.clock.now())) {
      this.announce(run, 'updated', 'Running');
      return { status: 'Running' };
    }
    const now = await this.d.activity.findById(run.id);
    return { status: (now?.status ?? run.status) as JobStatus };
  }

  private ownerOf(jobId: string): Promise<Owner | null> {
    if (jobId.includes('\u0000')) return Promise.resolve(null);
    let owner = this.owners.get(jobId);
    if (!owner) {
      owner = this.d.activity.findById(jobId).then((r) => {
        if (!r) this.owners.delete(jobId);
        return r ? { quickJobId: r.quick_job_id, guid: r.device_guid } : null;
      });
      if (this.owners.size >= OWNER_CACHE_MAX) {
        const oldest = this.owners.keys().next().value;
        if (oldest !== undefined) this.owners.delete(oldest);
      }
      this.owners.set(jobId, owner);
    }
    return owner;
  }

  /**
   * Relays one output chunk to the UIs watching the quick job or this run, in arrival order
   * (every chunk of a run awaits the same cached look-up). Nothing is written per chunk.
   */
  async recordProgress(guid: string, p: QuickJobProgress): Promise<void> {
    const owner = await this.ownerOf(p.job_id);
    if (!owner) throw jobNotFound(p.job_id);
    if (owner.guid !== guid)
      throw forbidden('job_device_mismatch', `Job ${p.job_id} belongs to another device.`);
    this.d.events.toUiRoom([jobRoom(owner.quickJobId), jobRoom(p.job_id)], JOB_OUTPUT_EVENT, {
      ...p,
      guid,
    });
  }

  /**
   * Records the final outcome once (a run already final is left alone, so a re-sent result is a
   * no-op); resolves only after the write, so the gateway's ack means "durably recorded".
   */
  async recordResult(guid: string, r: QuickJobResult): Promise<void> {
    const run = await this.ownRun(guid, r.job_id);
    this.owners.delete(r.job_id);
    if (isFinal(run.status)) return;
    const out = capOutput(r.stdout);
    const err = capOutput(r.stderr);
    const recorded = await this.d.activity.recordResult(
      run.id,
      {
        status: r.status,
        exit_code: r.exit_code,
        stdout: out.text,
        stderr: err.text,
        stdout_truncated: r.stdout_truncated || out.truncated ? 1 : 0,
        stderr_truncated: r.stderr_truncated || err.truncated ? 1 : 0,
        started_at: r.started_at,
        error: r.error ? r.error.replaceAll('\u0000', '').slice(0, 4096) : null,
      },
      this.d.clock.now(),
    );
    if (recorded) {
      this.d.log.info(`job ${run.id} on ${guid}: ${r.status} (exit ${r.exit_code ?? 'none'})`);
      this.announce(run, 'updated', r.status);
    }
  }

  /** Pending → Canceled at once; Running → cancel requested and sent to the agent; final → 409. */
  async cancel(jobId: string, by: string): Promise<void> {
    const run = await this.d.activity.findById(jobId);
    if (!run) throw jobNotFound(jobId);
    if (isFinal(run.status))
      throw conflict('job_finished', `Job ${jobId} already ended (${run.status}).`);
    const now = this.d.clock.now();
    if (await this.d.activity.finishPending(run.id, 'Canceled', `Canceled by ${by}`, now)) {
      this.announce(run, 'updated', 'Canceled');
    } else if (await this.d.activity.requestCancel(run.id, now)) {
      this.announce(run, 'updated', 'Running');
    } else {
      const after = await this.d.activity.findById(jobId);
      throw conflict('job_finished', `Job ${jobId} already ended (${after?.status ?? 'deleted'}).`);
    }
    // Even a Pending run may sit in the agent's hands with its ack lost: tell it either way.
    this.d.transport.cancelJob(run.device_guid, run.id);
    this.d.log.info(`job ${run.id} on ${run.device_guid}: cancel requested by ${by}`);
  }

  /** Pending runs past their job's expiry become Expired ("Device offline"); returns how many. */
  async expireOverdue(): Promise<number> {
    const expired = await this.d.activity.expireOverdue(this.d.clock.now());
    for (const run of expired) this.announce(run, 'updated', 'Expired');
    if (expired.length) this.d.log.info(`expired ${expired.length} undelivered job run(s)`);
    return expired.length;
  }
}
