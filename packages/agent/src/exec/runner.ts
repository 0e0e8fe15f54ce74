// Runs one script: writes the exact signed bytes to a private temp file (0700, in a per-job 0700
// directory removed afterwards), starts the interpreter in its own process group with stdin closed
// and the minimal environment, captures stdout/stderr (capped, streamed as progress), enforces the
// timeout (SIGTERM to the group, SIGKILL after 5 s) and cancel, and leaves no process behind.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { QuickJobProgress, QuickJobResult, ScriptType } from '@borealis/protocol';
import { errText } from '../logging/agent-log.js';
import { systemClock, type Clock } from '../logging/clock.js';
import { INTERPRETERS, scriptEnvironment } from './interpreters.js';
import { CappedBuffer, ProgressStream } from './output-capture.js';
import { jobProcesses, KILL_AFTER_MS, terminateJob } from './process-group.js';

/** Longest timer Node accepts (~24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** After the group is gone, how long to wait for the pipes to drain before closing them. */
const DRAIN_MS = 2_000;

export interface RunSpec {
  jobId: string;
  scriptType: ScriptType;
  /** The exact bytes that were signed. */
  script: Buffer;
  /** The payload's variables (already named per the reference). */
  environment: Record<string, string>;
  timeoutSeconds: number;
  /** Absolute path of the interpreter. */
  interpreter: string;
  /** Directory under which the per-job directory is created. */
  workRoot: string;
  capBytes?: number;
  killAfterMs?: number;
  clock?: Clock;
}

export interface RunHooks {
  onStarted?(pid: number, startedAt: number): void;
  onProgress?(p: QuickJobProgress): void;
}

type StopReason = 'timeout' | 'canceled';
type Piped = ChildProcessByStdio<null, Readable, Readable>;

export class ScriptRun {
  readonly done: Promise<QuickJobResult>;
  private resolve!: (r: QuickJobResult) => void;
  private child: Piped | null = null;
  private reason: StopReason | null = null;
  private exited = false;
  private finished = false;
  private terminating: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private startedAt: number | null = null;
  private workDir: string | null = null;
  private readonly out: CappedBuffer;
  private readonly err: CappedBuffer;
  private readonly progress: ProgressStream;
  private readonly clock: Clock;

  constructor(
    private readonly spec: RunSpec,
    private readonly hooks: RunHooks = {},
  ) {
    this.done = new Promise((r) => (this.resolve = r));
    this.clock = spec.clock ?? systemClock;
    this.out = new CappedBuffer(spec.capBytes);
    this.err = new CappedBuffer(spec.capBytes);
    this.progress = new ProgressStream(spec.jobId, (p) => hooks.onProgress?.(p));
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts the interpreter; failures to start end the run as Failed (`spawn_failed`). */
  start(): this {
    const { spec } = this;
    let child: Piped;
    try {
      fs.mkdirSync(spec.workRoot, { recursive: true, mode: 0o700 });
      this.workDir = fs.mkdtempSync(path.join(spec.workRoot, `${spec.jobId}-`));
      fs.chmodSync(this.workDir, 0o700);
      const file = path.join(this.workDir, `script${INTERPRETERS[spec.scriptType].ext}`);
      fs.writeFileSync(file, spec.script, { mode: 0o700, flag: 'wx' });
      child = spawn(spec.interpreter, INTERPRETERS[spec.scriptType].args(file), {
        cwd: this.workDir,
        env: scriptEnvironment(spec.jobId, spec.environment),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      this.finish({ code: null, signal: null, error: `spawn_failed: ${errText(err)}` });
      return this;
    }
    this.child = child;
    child.once('error', (err) => {
      if (child.pid === undefined)
        this.finish({ code: null, signal: null, error: `spawn_failed: ${errText(err)}` });
    });
    if (child.pid === undefined) return this;
    this.startedAt = this.clock.now();
    child.stdout.on('data', (chunk: Buffer) => this.progress.push('stdout', this.out.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => this.progress.push('stderr', this.err.push(chunk)));
    child.once('exit', (code, signal) => void this.onExit(code, signal));
    const ms = Math.min(MAX_TIMER_MS, Math.max(1, spec.timeoutSeconds) * 1000);
    this.timer = setTimeout(() => this.stop('timeout'), ms);
    this.hooks.onStarted?.(child.pid, this.startedAt);
    return this;
  }

  /** Kills the whole group; the run ends as Canceled (no-op once the script has exited). */
  cancel(): void {
    this.stop('canceled');
  }

  private stop(reason: StopReason): void {
    const pid = this.child?.pid;
    if (this.exited || this.reason || pid === undefined) return;
    this.reason = reason;
    this.terminating = terminateJob(pid, this.spec.jobId, this.spec.killAfterMs ?? KILL_AFTER_MS);
  }

  private async onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    this.exited = true;
    if (this.timer) clearTimeout(this.timer);
    const pid = this.child!.pid!;
    if (this.terminating) await this.terminating;
    // Background children of a finished script are not left running.
    if (jobProcesses(pid, this.spec.jobId).length > 0) {
      await terminateJob(pid, this.spec.jobId, this.spec.killAfterMs ?? KILL_AFTER_MS);
    }
    await this.drain();
    this.finish({ code, signal });
  }

  /** Waits for both pipes to close (every writer is gone by now); closes them after DRAIN_MS. */
  private async drain(): Promise<void> {
    const child = this.child!;
    const closed = (s: NodeJS.ReadableStream | null) =>
      new Promise<void>((r) => {
        if (!s || (s as unknown as { closed?: boolean }).closed) return r();
        s.once('close', () => r());
      });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([closed(child.stdout), closed(child.stderr)]),
      new Promise<void>((r) => (timer = setTimeout(r, DRAIN_MS))),
    ]);
    clearTimeout(timer);
    child.stdout?.destroy();
    child.stderr?.destroy();
  }

  private finish(x: { code: number | null; signal: NodeJS.Signals | null; error?: string }): void {
    if (this.finished) return;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    this.progress.end();
    if (this.workDir) fs.rmSync(this.workDir, { recursive: true, force: true });
    const status: QuickJobResult['status'] =
      this.reason === 'timeout'
        ? 'Timed Out'
        : this.reason === 'canceled'
          ? 'Canceled'
          : x.code === 0 && !x.error
            ? 'Success'
            : 'Failed';
    let error = x.error;
    if (this.reason === 'timeout') error = `timeout: killed after ${this.spec.timeoutSeconds} s`;
    else if (this.reason === 'canceled') error = 'canceled';
    else if (!error && x.code === null && x.signal) error = `killed by ${x.signal}`;
    this.resolve({
      job_id: this.spec.jobId,
      status,
      exit_code: x.code,
      stdout: this.out.text(),
      stderr: this.err.text(),
      stdout_truncated: this.out.truncated,
      stderr_truncated: this.err.truncated,
      started_at: this.startedAt,
      finished_at: this.clock.now(),
      ...(error ? { error: error.slice(0, 4096) } : {}),
    });
  }
}

/** Convenience: construct and start. */
export function runScript(spec: RunSpec, hooks: RunHooks = {}): ScriptRun {
  return new ScriptRun(spec, hooks).start();
}
