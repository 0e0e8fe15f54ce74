// Role `script-exec` (system): handles `quick_job_run` (verify both signatures, device, expiry,
// interpreter → ack accepted | duplicate | rejected), runs system jobs itself and relays
// current_user jobs to a user helper, streams `quick_job_progress`, spools every result until the
// engine acks `quick_job_result`, and honours `quick_job_cancel`. After a restart, jobs that were
// in flight are reported Failed (`agent_restarted`) and whatever is left of them is killed.
import fs from 'node:fs';
import path from 'node:path';
import {
  QuickJobCancelSchema,
  type QuickJobAck,
  type QuickJobResult,
  type QuickJobRun,
} from '@borealis/protocol';
import { ensureDir, readText, writeFileAtomic } from '../files.js';
import { systemInterpreters, type InterpreterLookup } from '../exec/interpreters.js';
import {
  checkJob,
  JobRejected,
  loadSigningKey,
  parseJob,
  rawJobId,
  REJECT_CODES,
  type CheckedJob,
  type RejectCode,
} from '../exec/job-check.js';
import { markedProcesses, processStartTime, terminateJob } from '../exec/process-group.js';
import { fitResultToFrame, ResultOutbox } from '../exec/result-outbox.js';
import { ScriptRun } from '../exec/runner.js';
import { UserJobRelay } from '../local/job-relay.js';
import { errText } from '../logging/agent-log.js';
import type { Role, RoleContext, RoleHealthEntry } from '../role-types.js';
import { Spool, type SpoolEntry } from '../spool.js';

export const ROLE_NAME = 'script-exec';
export const ROLE_CONTEXTS = ['system'] as const;
/** A recent error marks the role degraded for this long. */
const DEGRADED_FOR_MS = 15 * 60_000;
/** How long a graceful stop waits for running jobs to end and their results to go out. */
const STOP_WAIT_MS = 8_000;

export interface ScriptExecOptions {
  interpreters?: InterpreterLookup;
  killAfterMs?: number;
  resultRetryMs?: number;
}

interface Running {
  cancel(): void;
  done: Promise<unknown>;
}

export class ScriptExecRole implements Role {
  readonly spool: Spool;
  private readonly outbox: ResultOutbox;
  private readonly relay: UserJobRelay | null;
  private readonly runs = new Map<string, Running>();
  /** Jobs being handed to a helper (not yet acked to the engine), and cancels that raced them. */
  private readonly starting = new Set<string>();
  private readonly cancelEarly = new Set<string>();
  private readonly recovering: Promise<void>[] = [];
  private lastError: { message: string; at: number } | null = null;
  private stopping = false;

  constructor(
    private readonly ctx: RoleContext,
    private readonly o: ScriptExecOptions = {},
  ) {
    ensureDir(ctx.paths.tempDir, 0o700);
    this.spool = new Spool(ctx.paths.spoolDir, ctx.clock, (m) => ctx.log.warn(m));
    this.spool.load();
    this.outbox = new ResultOutbox(this.spool, ctx.socket, ctx.log, {
      ...(o.resultRetryMs ? { retryMs: o.resultRetryMs } : {}),
    });
    this.relay = ctx.userJobs
      ? new UserJobRelay(ctx.userJobs, ctx.log.child('user'), ctx.clock)
      : null;
    this.recover();
  }

  registerEvents(): void {
    this.ctx.socket.on('quick_job_run', (payload, ack) => void this.onRun(payload, ack));
    this.ctx.socket.on('quick_job_cancel', (payload, ack) => this.onCancel(payload, ack));
    this.ctx.socket.onConnected(() => this.outbox.resendAll());
    this.publishSigningKey();
  }

  /** Resolves when restart recovery (killing leftovers, spooling agent_restarted) is finished. */
  async recovered(): Promise<void> {
    await Promise.all(this.recovering);
  }

  runningCount(): number {
    return this.runs.size;
  }

  healthReport(): RoleHealthEntry {
    if (this.stopping) return { status: 'stopped' };
    const running = `${this.runs.size} job(s) running`;
    if (!this.lastError) return { status: 'ok', detail: running };
    const recent = this.ctx.clock.now() - this.lastError.at < DEGRADED_FOR_MS;
    return {
      status: recent ? 'degraded' : 'ok',
      detail: `${running}; last error: ${this.lastError.message}`.slice(0, 1024),
    };
  }

  /** Graceful stop: running jobs are killed and reported Failed (`agent_stopped`). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const pending = [...this.runs.values()];
    for (const r of pending) r.cancel();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...pending.map((r) => r.done), ...this.recovering]),
      new Promise((r) => (timer = setTimeout(r, STOP_WAIT_MS))),
    ]);
    clearTimeout(timer);
    this.outbox.stop();
  }

  private async onRun(raw: unknown, ack?: (reply: unknown) => void): Promise<void> {
    const reply = (a: QuickJobAck) => ack?.(a);
    let jobId = rawJobId(raw);
    try {
      const job = parseJob(raw);
      jobId = job.job_id;
      if (this.spool.known(jobId) || this.starting.has(jobId) || this.runs.has(jobId)) {
        this.ctx.log.info(`job ${jobId} delivered again; not running it twice`);
        reply({ job_id: jobId, status: 'duplicate' });
        if (this.spool.get(jobId)?.state === 'done')
          void this.outbox.deliver(jobId, { force: true });
        return;
      }
      if (this.stopping) throw new JobRejected('run_mode_unavailable', 'the agent is stopping');
      const checked = checkJob(job, {
        key: loadSigningKey(this.ctx.paths.signingKeyFile),
        guid: this.ctx.guid(),
        now: this.ctx.clock.now(),
        interpreters: this.o.interpreters ?? systemInterpreters,
      });
      if (job.run_mode === 'current_user') return await this.relayToUser(checked, reply);
      this.spool.receive(job);
      reply({ job_id: jobId, status: 'accepted' });
      this.ctx.log.info(
        `job ${jobId} accepted (${job.script_type}, system, timeout ${job.timeout_seconds} s)`,
      );
      this.runLocally(checked);
    } catch (err) {
      const code = err instanceof JobRejected ? err.code : 'spool_unavailable';
      const why = err instanceof JobRejected ? err.message : errText(err);
      this.ctx.log.warn(`job ${jobId || '(no id)'} rejected: ${why}`);
      this.lastError = {
        message: `job ${jobId || '(no id)'} rejected: ${code}`,
        at: this.ctx.clock.now(),
      };
      reply({ job_id: jobId, status: 'rejected', error: code });
    }
  }

  private runLocally({ job, script, interpreter }: CheckedJob): void {
    const run = new ScriptRun(
      {
        jobId: job.job_id,
        scriptType: job.script_type,
        script,
        environment: job.environment,
        timeoutSeconds: job.timeout_seconds,
        interpreter,
        workRoot: this.ctx.paths.tempDir,
        clock: this.ctx.clock,
        ...(this.o.killAfterMs !== undefined ? { killAfterMs: this.o.killAfterMs } : {}),
      },
      {
        onStarted: (pid, at) => this.spool.running(job.job_id, pid, processStartTime(pid), at),
        onProgress: (p) => void this.ctx.socket.send('quick_job_progress', p),
      },
    );
    const done = run.done.then((r) => this.finish(job, r));
    this.runs.set(job.job_id, { cancel: () => run.cancel(), done });
    run.start();
  }

  private async relayToUser(checked: CheckedJob, reply: (a: QuickJobAck) => void): Promise<void> {
    const { job } = checked;
    const session = this.relay?.pick();
    if (!this.relay || !session)
      throw new JobRejected('run_mode_unavailable', 'no verified user helper is connected');
    this.publishSigningKey();
    this.spool.receive(job);
    this.starting.add(job.job_id);
    const started = await this.relay
      .start(session, this.ctx.guid()!, job, {
        onStarted: (pid, at) => this.spool.running(job.job_id, pid, processStartTime(pid), at),
        onProgress: (p) => void this.ctx.socket.send('quick_job_progress', p),
      })
      .finally(() => this.starting.delete(job.job_id));
    if (!started.accepted) {
      this.spool.forget(job.job_id);
      const code = (REJECT_CODES as readonly string[]).includes(started.error)
        ? (started.error as RejectCode)
        : 'run_mode_unavailable';
      throw new JobRejected(code, `the user helper refused it (${started.error})`);
    }
    reply({ job_id: job.job_id, status: 'accepted' });
    this.ctx.log.info(
      `job ${job.job_id} accepted (${job.script_type}, current_user as ${session.username}, timeout ${job.timeout_seconds} s)`,
    );
    const done = started.done.then((r) => this.finish(job, r));
    this.runs.set(job.job_id, { cancel: () => this.relay!.cancel(job.job_id), done });
    if (this.cancelEarly.delete(job.job_id)) this.relay.cancel(job.job_id);
  }

  private onCancel(raw: unknown, ack?: (reply: unknown) => void): void {
    const parsed = QuickJobCancelSchema.safeParse(raw);
    if (!parsed.success) return void ack?.({ status: 'error', error: 'invalid_payload' });
    const { job_id } = parsed.data;
    const run = this.runs.get(job_id);
    if (run) run.cancel();
    else if (this.starting.has(job_id)) this.cancelEarly.add(job_id);
    this.ctx.log.info(`cancel requested for job ${job_id}${run ? '' : ' (not running here)'}`);
    ack?.({ status: 'ok', job_id, running: !!run });
  }

  /** Spools the result (fitted to a frame), logs it and tries to deliver it. */
  private finish(job: QuickJobRun, result: QuickJobResult): void {
    this.runs.delete(job.job_id);
    const final =
      this.stopping && result.status === 'Canceled'
        ? { ...result, status: 'Failed' as const, error: 'agent_stopped' }
        : result;
    this.spool.complete(job.job_id, fitResultToFrame(final));
    const took = final.started_at
      ? ` in ${((final.finished_at - final.started_at) / 1000).toFixed(1)} s`
      : '';
    this.ctx.log.info(
      `job ${job.job_id} finished: ${final.status}${final.exit_code !== null ? ` (exit ${final.exit_code})` : ''}${took}`,
    );
    if (final.status === 'Failed' && final.error)
      this.lastError = { message: `job ${job.job_id}: ${final.error}`, at: this.ctx.clock.now() };
    void this.outbox.deliver(job.job_id, this.stopping ? { ackTimeoutMs: 2_000 } : {});
  }

  /** Jobs that were received or running when the agent went down: kill leftovers, report Failed. */
  private recover(): void {
    const bootedAt = Date.now();
    for (const e of this.spool.all()) {
      if (e.state === 'done') continue;
      this.recovering.push(this.recoverOne(e));
    }
    // Script directories a crash left in Temp go once their processes are dead.
    const tempDir = this.ctx.paths.tempDir;
    const sweep = Promise.all(this.recovering).then(() => {
      for (const name of fs.readdirSync(tempDir)) {
        const file = path.join(tempDir, name);
        if (fs.statSync(file).mtimeMs < bootedAt) fs.rmSync(file, { recursive: true, force: true });
      }
    });
    this.recovering.push(
      sweep.catch((err: unknown) => this.ctx.log.warn(`cannot clean ${tempDir}: ${errText(err)}`)),
    );
  }

  private async recoverOne(e: SpoolEntry): Promise<void> {
    // A recycled pid is not ours: then only processes carrying the job's marker are killed.
    const sameProcess =
      e.pid !== null && e.pid_start !== null && processStartTime(e.pid) === e.pid_start;
    if (sameProcess || markedProcesses(e.job_id).length > 0) {
      this.ctx.log.warn(`job ${e.job_id} was still running from before the restart; stopping it`);
      await terminateJob(sameProcess ? e.pid : null, e.job_id, this.o.killAfterMs);
    }
    this.spool.complete(e.job_id, {
      job_id: e.job_id,
      status: 'Failed',
      exit_code: null,
      stdout: '',
      stderr: '',
      stdout_truncated: false,
      stderr_truncated: false,
      started_at: e.started_at,
      finished_at: this.ctx.clock.now(),
      error: 'agent_restarted',
    });
    this.ctx.log.warn(`job ${e.job_id} was interrupted by an agent restart; reporting it Failed`);
    void this.outbox.deliver(e.job_id);
  }

  /** Keeps a world-readable copy of the pinned signing key where user helpers can read it. */
  private publishSigningKey(): void {
    if (!this.ctx.userJobs) return;
    const key = readText(this.ctx.paths.signingKeyFile);
    if (!key || readText(this.ctx.paths.sharedSigningKeyFile) === key) return;
    try {
      writeFileAtomic(this.ctx.paths.sharedSigningKeyFile, `${key}\n`, { mode: 0o644 });
    } catch (err) {
      this.ctx.log.warn(`cannot publish the signing key for user helpers: ${errText(err)}`);
    }
  }
}

export function createRole(ctx: RoleContext): Role {
  return new ScriptExecRole(ctx);
}
