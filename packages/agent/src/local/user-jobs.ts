// The per-user helper's job executor (run_mode current_user): for each relayed `job_run` it
// verifies BOTH signatures itself against run/server_signing_key.pub (the root agent's public
// copy), the device GUID, the expiry and the interpreter, answers `job_ack`, runs the script as
// this user with the shared runner and streams `job_started` / `job_progress` / `job_result` back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkJob, JobRejected, loadSigningKey, parseJob, rawJobId } from '../exec/job-check.js';
import { systemInterpreters, type InterpreterLookup } from '../exec/interpreters.js';
import { ScriptRun } from '../exec/runner.js';
import { errText, type Logger } from '../logging/agent-log.js';
import { systemClock, type Clock } from '../logging/clock.js';
import type { LocalMessage } from './ndjson.js';

export interface UserJobOptions {
  signingKeyFile: string;
  log: Logger;
  clock?: Clock;
  interpreters?: InterpreterLookup;
  /** Where per-job directories go; default a private mkdtemp directory under the OS temp dir. */
  workRoot?: string;
  killAfterMs?: number;
}

export class UserJobExecutor {
  private readonly runs = new Map<string, ScriptRun>();
  private readonly seen = new Set<string>();
  private workRoot: string | null;
  private readonly ownWorkRoot: boolean;
  private readonly clock: Clock;

  constructor(
    private readonly post: (m: LocalMessage) => boolean,
    private readonly o: UserJobOptions,
  ) {
    this.clock = o.clock ?? systemClock;
    this.workRoot = o.workRoot ?? null;
    this.ownWorkRoot = !o.workRoot;
  }

  handle(msg: LocalMessage): void {
    if (msg.type === 'job_cancel') {
      this.runs.get(msg.job_id)?.cancel();
      return;
    }
    if (msg.type === 'job_run') this.run(msg.guid, msg.job);
  }

  running(): number {
    return this.runs.size;
  }

  /** Cancels every run and waits for them to end (their results are still posted if possible). */
  async stopAll(): Promise<void> {
    const runs = [...this.runs.values()];
    for (const r of runs) r.cancel();
    await Promise.all(runs.map((r) => r.done));
    if (this.ownWorkRoot && this.workRoot) {
      fs.rmSync(this.workRoot, { recursive: true, force: true });
      this.workRoot = null;
    }
  }

  private run(guid: unknown, raw: unknown): void {
    const { log } = this.o;
    let jobId = rawJobId(raw);
    try {
      const job = parseJob(raw);
      jobId = job.job_id;
      if (this.seen.has(jobId))
        throw new JobRejected('invalid_payload', 'this helper already ran this job');
      if (job.run_mode !== 'current_user')
        throw new JobRejected(
          'run_mode_unavailable',
          'the user helper runs current_user jobs only',
        );
      const checked = checkJob(job, {
        key: loadSigningKey(this.o.signingKeyFile),
        guid: typeof guid === 'string' ? guid : null,
        now: this.clock.now(),
        interpreters: this.o.interpreters ?? systemInterpreters,
      });
      this.seen.add(jobId);
      const run = new ScriptRun(
        {
          jobId,
          scriptType: job.script_type,
          script: checked.script,
          environment: job.environment,
          timeoutSeconds: job.timeout_seconds,
          interpreter: checked.interpreter,
          workRoot: this.ensureWorkRoot(),
          clock: this.clock,
          ...(this.o.killAfterMs !== undefined ? { killAfterMs: this.o.killAfterMs } : {}),
        },
        {
          onStarted: (pid, startedAt) =>
            void this.post({ type: 'job_started', job_id: jobId, pid, started_at: startedAt }),
          onProgress: (progress) => void this.post({ type: 'job_progress', progress }),
        },
      );
      this.runs.set(jobId, run);
      this.post({ type: 'job_ack', job_id: jobId, status: 'accepted' });
      log.info(`job ${jobId} accepted (${job.script_type}, timeout ${job.timeout_seconds} s)`);
      run.start();
      void run.done.then((result) => {
        this.runs.delete(jobId);
        log.info(
          `job ${jobId} finished: ${result.status}${result.exit_code !== null ? ` (exit ${result.exit_code})` : ''}`,
        );
        this.post({ type: 'job_result', result });
      });
    } catch (err) {
      const code = err instanceof JobRejected ? err.code : 'invalid_payload';
      log.warn(
        `job ${jobId || '(no id)'} rejected: ${err instanceof JobRejected ? err.message : errText(err)}`,
      );
      this.post({ type: 'job_ack', job_id: jobId, status: 'rejected', error: code });
    }
  }

  private ensureWorkRoot(): string {
    this.workRoot ??= fs.mkdtempSync(path.join(os.tmpdir(), `borealis-user-${os.userInfo().uid}-`));
    return this.workRoot;
  }
}
