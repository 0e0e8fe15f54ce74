// Root side of current_user execution: hands a verified job to the most recent verified user
// helper over the local socket (`job_run`), waits for its own verdict (`job_ack`), then forwards
// its `job_started` / `job_progress` / `job_result` to the caller. A helper that disconnects
// mid-run ends the job as Failed (`helper_disconnected`) and its process group is killed.
import {
  QuickJobProgressSchema,
  QuickJobResultSchema,
  type QuickJobProgress,
  type QuickJobResult,
  type QuickJobRun,
} from '@borealis/protocol';
import { terminateJob } from '../exec/process-group.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/agent-log.js';
import type { LocalUserSession, UserJobChannel } from '../role-types.js';
import type { HelperJobMessage } from './ndjson.js';

export const HELPER_ACK_TIMEOUT_MS = 5_000;

export interface RelayHooks {
  onStarted(pid: number, startedAt: number): void;
  onProgress(p: QuickJobProgress): void;
}

export type RelayStart =
  { accepted: true; done: Promise<QuickJobResult> } | { accepted: false; error: string };

interface Relayed {
  sessionId: string;
  hooks: RelayHooks;
  ack: ((m: { status: 'accepted' | 'rejected'; error?: string }) => void) | null;
  resolve: (r: QuickJobResult) => void;
  pid: number | null;
  startedAt: number | null;
}

export class UserJobRelay {
  private readonly jobs = new Map<string, Relayed>();

  constructor(
    private readonly channel: UserJobChannel,
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly ackTimeoutMs = HELPER_ACK_TIMEOUT_MS,
  ) {
    channel.onJobMessage((sid, m) => this.onMessage(sid, m));
    channel.onSessionClosed((sid) => this.onClosed(sid));
  }

  /** The most recently registered helper whose identity was verified, or null. */
  pick(): LocalUserSession | null {
    return (
      this.channel
        .sessions()
        .filter((s) => s.verified)
        .sort((a, b) => b.connectedAt - a.connectedAt)[0] ?? null
    );
  }

  running(): number {
    return this.jobs.size;
  }

  /** Relays `job` to `session`; resolves once the helper accepted (with the result to come) or refused. */
  start(
    session: LocalUserSession,
    guid: string,
    job: QuickJobRun,
    hooks: RelayHooks,
  ): Promise<RelayStart> {
    return new Promise((resolveStart) => {
      let resolveDone!: (r: QuickJobResult) => void;
      const done = new Promise<QuickJobResult>((r) => (resolveDone = r));
      const entry: Relayed = {
        sessionId: session.sessionId,
        hooks,
        ack: null,
        resolve: resolveDone,
        pid: null,
        startedAt: null,
      };
      const timer = setTimeout(() => {
        if (!entry.ack) return;
        entry.ack = null;
        this.jobs.delete(job.job_id);
        this.channel.sendTo(session.sessionId, { type: 'job_cancel', job_id: job.job_id });
        resolveStart({ accepted: false, error: 'run_mode_unavailable' });
      }, this.ackTimeoutMs);
      entry.ack = (m) => {
        clearTimeout(timer);
        entry.ack = null;
        if (m.status === 'accepted') return resolveStart({ accepted: true, done });
        this.jobs.delete(job.job_id);
        resolveStart({ accepted: false, error: m.error ?? 'rejected' });
      };
      this.jobs.set(job.job_id, entry);
      if (!this.channel.sendTo(session.sessionId, { type: 'job_run', guid, job })) {
        entry.ack({ status: 'rejected', error: 'run_mode_unavailable' });
      }
    });
  }

  cancel(jobId: string): boolean {
    const e = this.jobs.get(jobId);
    return !!e && this.channel.sendTo(e.sessionId, { type: 'job_cancel', job_id: jobId });
  }

  private onMessage(sessionId: string, m: HelperJobMessage): void {
    const jobId =
      m.type === 'job_progress'
        ? m.progress?.job_id
        : m.type === 'job_result'
          ? m.result?.job_id
          : m.job_id;
    const e = typeof jobId === 'string' ? this.jobs.get(jobId) : undefined;
    if (!e || e.sessionId !== sessionId) return; // not this helper's job: ignored
    switch (m.type) {
      case 'job_ack':
        e.ack?.({
          status: m.status === 'accepted' ? 'accepted' : 'rejected',
          ...(typeof m.error === 'string' ? { error: m.error.slice(0, 64) } : {}),
        });
        return;
      case 'job_started':
        if (Number.isInteger(m.pid) && m.pid > 1) {
          e.pid = m.pid;
          e.startedAt = Number.isInteger(m.started_at) ? m.started_at : this.clock.now();
          e.hooks.onStarted(e.pid, e.startedAt);
        }
        return;
      case 'job_progress': {
        const p = QuickJobProgressSchema.safeParse(m.progress);
        if (p.success) e.hooks.onProgress(p.data);
        return;
      }
      case 'job_result': {
        const r = QuickJobResultSchema.safeParse(m.result);
        this.jobs.delete(jobId);
        e.resolve(r.success ? r.data : this.failed(jobId, e, 'helper_sent_invalid_result'));
        return;
      }
    }
  }

  private onClosed(sessionId: string): void {
    for (const [jobId, e] of this.jobs) {
      if (e.sessionId !== sessionId) continue;
      this.jobs.delete(jobId);
      if (e.ack) {
        e.ack({ status: 'rejected', error: 'run_mode_unavailable' });
        continue;
      }
      this.log.warn(`user helper went away while job ${jobId} ran; stopping what is left of it`);
      const finish = () => e.resolve(this.failed(jobId, e, 'helper_disconnected'));
      if (e.pid) void terminateJob(e.pid, jobId).then(finish);
      else finish();
    }
  }

  private failed(jobId: string, e: Relayed, error: string): QuickJobResult {
    return {
      job_id: jobId,
      status: 'Failed',
      exit_code: null,
      stdout: '',
      stderr: '',
      stdout_truncated: false,
      stderr_truncated: false,
      started_at: e.startedAt,
      finished_at: this.clock.now(),
      error,
    };
  }
}
