// Quick jobs (reference §2.5): validates a quick_run completely (assembly, script size, variables,
// targets) before writing anything, freezes the exact script bytes and the variables into one
// quick job plus one Pending run per device in a single transaction, then dispatches. Also the
// activity history reads, and the entry points the agent gateway calls (ack/progress/result).
import crypto from 'node:crypto';
import {
  QUICK_JOB_DEFAULT_EXPIRY_SECONDS,
  QUICK_JOB_SCRIPT_MAX_BYTES,
  SCRIPT_TYPES,
  type ActivityHistory,
  type ActivityJob,
  type ActivityQuery,
  type ActivitySummary,
  type Assembly,
  type JobStatus,
  type QuickJob,
  type QuickJobAck,
  type QuickJobProgress,
  type QuickJobResult,
  type QuickRunRequest,
  type QuickRunValue,
  type QuickRunResponse,
  type RunMode,
} from '@borealis/protocol';
import type {
  ActivityRepository,
  ActivityRow,
  ActivitySummaryRow,
  DispatchRow,
} from '../db/repositories/activity.repository.js';
import type { QuickJobRepository, TargetDevice } from '../db/repositories/quick-job.repository.js';
import type { ActivityHistoryTable, QuickJobsTable } from '../db/schema.js';
import { AppError, badRequest, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type {
  DeliveryOutcome,
  JobDispatchService,
  StoredVariable,
} from './job-dispatch.service.js';
import { resolveTargets, type TargetSources } from './job-targets.js';
import { resolveVariables } from './job-variables.js';
import type { SwitchableJobTransport } from './job-transport.js';

export interface JobServiceDeps {
  quickJobs: QuickJobRepository;
  activity: ActivityRepository;
  assemblies: { get(guid: string): Promise<Assembly> };
  credentials: { get(id: string): Promise<unknown> };
  filters: TargetSources['filters'];
  dispatch: JobDispatchService;
  transport: SwitchableJobTransport;
  clock: Clock;
  log: Logger;
}

/** How often Pending runs past their expiry are swept to Expired. */
export const EXPIRY_SWEEP_MS = 30_000;

const SCRIPT_KINDS = new Set<string>(SCRIPT_TYPES);

/** "Scripts/<guid>", "Assemblies/user/<guid>.json" or a bare guid → the assembly guid. */
export function guidFromScriptPath(path: string): string {
  const last = path.replaceAll('\\', '/').split('/').filter(Boolean).pop() ?? '';
  return last.replace(/\.json$/i, '');
}

function toSummary(r: ActivitySummaryRow): ActivitySummary {
  return {
    id: r.id,
    quick_job_id: r.quick_job_id,
    script_name: r.script_name,
    script_path: r.script_path,
    script_type: r.script_type,
    ran_at: Number(r.ran_at),
    status: r.status as JobStatus,
    has_stdout: Number(r.has_stdout) === 1,
    has_stderr: Number(r.has_stderr) === 1,
    exit_code: r.exit_code,
    finished_at: r.finished_at === null ? null : Number(r.finished_at),
  };
}

const num = (v: number | null) => (v === null ? null : Number(v));

function toActivityJob(r: ActivityRow): ActivityJob {
  return {
    ...toSummary({ ...r, has_stdout: r.stdout ? 1 : 0, has_stderr: r.stderr ? 1 : 0 }),
    device_guid: r.device_guid,
    hostname: r.hostname,
    delivered_at: num(r.delivered_at),
    started_at: num(r.started_at),
    stdout: r.stdout,
    stderr: r.stderr,
    stdout_truncated: r.stdout_truncated === 1,
    stderr_truncated: r.stderr_truncated === 1,
    error: r.error,
    cancel_requested_at: num(r.cancel_requested_at),
    updated_at: Number(r.updated_at),
  };
}

/** Where a job's script comes from: an assembly by guid or by the reference's script path. */
type JobSource = Pick<QuickRunRequest, 'assembly_guid' | 'script_path' | 'variable_values'>;

interface Prepared {
  assembly: Assembly;
  script: Buffer;
  variables: StoredVariable[];
  scriptPath: string | undefined;
}

/** One component of a scheduled occurrence, to targets resolved and frozen by the scheduler. */
export interface ScheduledComponentRun {
  assembly_guid: string;
  script_path?: string;
  variable_values: Record<string, QuickRunValue>;
  run_mode: RunMode;
  devices: readonly TargetDevice[];
  scheduled_job_id: string;
  scheduled_run_id: string;
  expires_at: number;
  created_by: string;
}

export interface ScheduledDispatch {
  quick_job_id: string;
  runs: { id: string; device_guid: string }[];
  /** Settles once every run was offered to its device (offline ones stay Pending). */
  delivered: Promise<DeliveryOutcome[]>;
}

export class JobService {
  private sweep: NodeJS.Timeout | null = null;
  private sweeping: Promise<unknown> = Promise.resolve();

  constructor(private readonly d: JobServiceDeps) {}

  /** The gateway attaches the socket transport here (null detaches it). */
  get transport(): SwitchableJobTransport {
    return this.d.transport;
  }

  private async assemblyOf(input: JobSource): Promise<Assembly> {
    const guid =
      input.assembly_guid ?? (input.script_path ? guidFromScriptPath(input.script_path) : '');
    if (!guid)
      throw badRequest('assembly_required', 'Give assembly_guid or script_path.', 'assembly_guid');
    try {
      return await this.d.assemblies.get(guid);
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 404) {
        throw notFound('assembly_not_found', `No assembly ${guid}.`);
      }
      throw err;
    }
  }

  /** The assembly, its exact script bytes and the frozen variables (validated, nothing written). */
  private async prepare(input: JobSource): Promise<Prepared> {
    const assembly = await this.assemblyOf(input);
    if (assembly.assembly_kind !== 'script' || !SCRIPT_KINDS.has(assembly.assembly_type)) {
      throw badRequest(
        'unsupported_assembly',
        `Assembly ${assembly.assembly_guid} is a ${assembly.assembly_kind} (${assembly.assembly_type}), not a script.`,
      );
    }
    const script = Buffer.from(assembly.payload.script.replace(/\r\n/g, '\n'), 'utf8');
    if (script.length > QUICK_JOB_SCRIPT_MAX_BYTES) {
      throw badRequest(
        'script_too_large',
        `The script is ${script.length} bytes; quick jobs take at most ${QUICK_JOB_SCRIPT_MAX_BYTES}.`,
      );
    }
    const variables = await resolveVariables(
      assembly.payload.variables,
      input.variable_values,
      this.d.credentials,
    );
    return { assembly, script, variables, scriptPath: input.script_path };
  }

  /** Writes the job and one Pending run per target in one transaction; returns the send rows. */
  private async persist(
    p: Prepared,
    targets: readonly TargetDevice[],
    o: {
      run_mode: RunMode;
      source: 'quick' | 'scheduled';
      scheduled_job_id: string | null;
      scheduled_run_id: string | null;
      expires_at: (now: number) => number;
      by: string;
    },
  ): Promise<{ job: QuickJobsTable; runs: ActivityHistoryTable[]; rows: DispatchRow[] }> {
    const { assembly, script, variables } = p;
    const now = this.d.clock.now();
    const job: QuickJobsTable = {
      id: crypto.randomUUID(),
      assembly_guid: assembly.assembly_guid,
      script_name: assembly.display_name,
      script_path: p.scriptPath ?? `Assemblies/${assembly.domain}/${assembly.assembly_guid}`,
      script_type: assembly.assembly_type,
      script_b64: script.toString('base64'),
      script_sha256: crypto.createHash('sha256').update(script).digest('hex'),
      variables_json: JSON.stringify(variables),
      run_mode: o.run_mode,
      timeout_seconds: Math.max(1, Math.trunc(assembly.payload.timeout_seconds) || 1),
      source: o.source,
      scheduled_job_id: o.scheduled_job_id,
      scheduled_run_id: o.scheduled_run_id,
      created_by: o.by,
      created_at: now,
      expires_at: o.expires_at(now),
    };
    const runs: ActivityHistoryTable[] = targets.map((t) => ({
      id: crypto.randomUUID(),
      quick_job_id: job.id,
      device_guid: t.guid,
      hostname: t.hostname,
      script_name: job.script_name,
      script_path: job.script_path,
      script_type: job.script_type,
      status: 'Pending',
      ran_at: now,
      delivered_at: null,
      started_at: null,
      finished_at: null,
      exit_code: null,
      stdout: '',
      stderr: '',
      stdout_truncated: 0,
      stderr_truncated: 0,
      error: null,
      cancel_requested_at: null,
      updated_at: now,
    }));
    await this.d.quickJobs.createWithRuns(job, runs);
    this.d.log.info(
      `${o.source} job ${job.id} (${assembly.assembly_guid}, ${job.run_mode}) by ${o.by}: ${runs.length} device(s)`,
    );
    for (const run of runs) this.d.dispatch.announce(run, 'created', 'Pending');

    const rows: DispatchRow[] = runs.map((run) => ({
      ...run,
      assembly_guid: job.assembly_guid,
      script_b64: job.script_b64,
      script_sha256: job.script_sha256,
      variables_json: job.variables_json,
      run_mode: job.run_mode,
      timeout_seconds: job.timeout_seconds,
      expires_at: job.expires_at,
      scheduled_job_id: job.scheduled_job_id,
      scheduled_run_id: job.scheduled_run_id,
    }));
    return { job, runs, rows };
  }

  /** Validates everything, writes the job and its runs in one transaction, then dispatches. */
  async create(input: QuickRunRequest, by: string): Promise<QuickRunResponse> {
    const prepared = await this.prepare(input);
    const targets = await resolveTargets(input, {
      devices: this.d.quickJobs,
      filters: this.d.filters,
    });
    const { job, runs, rows } = await this.persist(prepared, targets, {
      run_mode: input.run_mode,
      source: 'quick',
      scheduled_job_id: null,
      scheduled_run_id: null,
      expires_at: (now) =>
        now + (input.expires_in_seconds ?? QUICK_JOB_DEFAULT_EXPIRY_SECONDS) * 1000,
      by,
    });
    const outcomes = await this.d.dispatch.deliverAll(rows);
    return {
      job_id: job.id,
      results: runs.map((run, i) => {
        const o: DeliveryOutcome = outcomes[i] ?? { status: 'Pending' };
        return {
          hostname: run.hostname,
          guid: run.device_guid,
          job_id: run.id,
          status: o.status,
          ...(o.error ? { error: o.error } : {}),
        };
      }),
    };
  }

  /**
   * One component of a scheduled occurrence (source 'scheduled', linked to the job and the
   * occurrence) to targets the scheduler already resolved and froze. Validation and writes are
   * as for quick_run; delivery runs in the background (`delivered`), so a tick never waits on
   * agents' acks.
   */
  async createScheduled(input: ScheduledComponentRun): Promise<ScheduledDispatch> {
    const prepared = await this.prepare(input);
    const { job, runs, rows } = await this.persist(prepared, input.devices, {
      run_mode: input.run_mode,
      source: 'scheduled',
      scheduled_job_id: input.scheduled_job_id,
      scheduled_run_id: input.scheduled_run_id,
      expires_at: () => input.expires_at,
      by: input.created_by,
    });
    return {
      quick_job_id: job.id,
      runs: runs.map((r) => ({ id: r.id, device_guid: r.device_guid })),
      delivered: this.d.dispatch.deliverAll(rows),
    };
  }

  async getQuickJob(id: string): Promise<QuickJob> {
    const job = await this.d.quickJobs.findById(id);
    if (!job) throw notFound('quick_job_not_found', `No quick job with id ${id}.`);
    const runs = await this.d.quickJobs.runsOf(id);
    const variables = JSON.parse(job.variables_json) as StoredVariable[];
    return {
      id: job.id,
      assembly_guid: job.assembly_guid,
      script_name: job.script_name,
      script_path: job.script_path,
      script_type: job.script_type,
      script_sha256: job.script_sha256,
      run_mode: job.run_mode as RunMode,
      timeout_seconds: Number(job.timeout_seconds),
      source: job.source,
      variables: variables.map((v) => ({ name: v.name, type: v.type, value: v.value })),
      created_by: job.created_by,
      created_at: Number(job.created_at),
      expires_at: Number(job.expires_at),
      runs: runs.map((r) => ({
        ...toSummary(r),
        device_guid: r.device_guid,
        hostname: r.hostname,
      })),
    };
  }

  private async mustBeDevice(guid: string): Promise<void> {
    if ((await this.d.quickJobs.devicesByGuids([guid])).length === 0) {
      throw notFound('device_not_found', `No device with GUID ${guid}.`);
    }
  }

  /** A device's runs, newest first, one page at a time. */
  async history(guid: string, q: ActivityQuery): Promise<ActivityHistory> {
    await this.mustBeDevice(guid);
    const rows = await this.d.activity.listForDevice(guid, q.limit + 1, q.before);
    const page = rows.slice(0, q.limit).map(toSummary);
    return {
      history: page,
      next_before: rows.length > q.limit ? (page[page.length - 1]?.id ?? null) : null,
    };
  }

  /** Deletes the device's finished runs; Pending and Running ones stay. */
  async clearHistory(guid: string): Promise<number> {
    await this.mustBeDevice(guid);
    return this.d.activity.clearFinal(guid);
  }

  async getRun(id: string): Promise<ActivityJob> {
    const row = await this.d.activity.findById(id);
    if (!row) throw notFound('job_not_found', `No job run with id ${id}.`);
    return toActivityJob(row);
  }

  /** Cancels a run (see JobDispatchService.cancel) and returns it as it is now. */
  async cancel(id: string, by: string): Promise<ActivityJob> {
    await this.d.dispatch.cancel(id, by);
    return this.getRun(id);
  }

  /** A UI may follow the live output of an existing quick job or run. */
  async canSubscribe(id: string): Promise<boolean> {
    return (await this.d.quickJobs.exists(id)) || (await this.d.activity.findById(id)) !== null;
  }

  // Entry points of the agent gateway.
  onAgentConnected(guid: string): Promise<void> {
    return this.d.dispatch.onAgentConnected(guid);
  }
  recordAck(guid: string, ack: QuickJobAck): Promise<DeliveryOutcome> {
    return this.d.dispatch.recordAck(guid, ack);
  }
  recordProgress(guid: string, p: QuickJobProgress): Promise<void> {
    return this.d.dispatch.recordProgress(guid, p);
  }
  recordResult(guid: string, r: QuickJobResult): Promise<void> {
    return this.d.dispatch.recordResult(guid, r);
  }
  expireOverdue(): Promise<number> {
    return this.d.dispatch.expireOverdue();
  }

  /** Starts the expiry sweep (once now, then every EXPIRY_SWEEP_MS); stop() ends it. */
  start(): void {
    if (this.sweep) return;
    const run = () => {
      this.sweeping = this.expireOverdue().catch((err: unknown) =>
        this.d.log.error(`job expiry sweep failed: ${String(err)}`),
      );
    };
    run();
    this.sweep = setInterval(run, EXPIRY_SWEEP_MS);
    this.sweep.unref();
  }

  /** Stops the sweep and waits for a sweep in progress. */
  async stop(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    await this.sweeping;
  }
}
