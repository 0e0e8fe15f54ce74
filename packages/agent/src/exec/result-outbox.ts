// Delivers spooled job results as `quick_job_result` and unspools each one only when the engine
// acks it ({status:'ok', job_id}). Every (re)connect resends everything still unacked; a refused
// or unanswered result is retried every 30 s while connected (unless the engine says the job is
// unknown or not ours). Results are fitted to the socket's frame limit before they are spooled.
import { OUTPUT_CAP_BYTES, QuickJobResultAckSchema, type QuickJobResult } from '@borealis/protocol';
import { errText, type Logger } from '../logging/agent-log.js';
import type { AgentSocketApi } from '../role-types.js';
import type { Spool } from '../spool.js';

/**
 * The engine's socket frame limit is 4 × OUTPUT_CAP_BYTES (both capped streams plus JSON escaping);
 * leave room for the event name and ack id.
 */
export const RESULT_FRAME_BUDGET_BYTES = 4 * OUTPUT_CAP_BYTES - 16 * 1024;
export const RESULT_ACK_TIMEOUT_MS = 30_000;
/** Refusals no retry can cure: the engine does not know the job, or it is another device's. */
const PERMANENT_REFUSALS = new Set(['job_not_found', 'job_device_mismatch', 'invalid_request']);
export const RESULT_RETRY_MS = 30_000;

const encoded = (s: string) => Buffer.byteLength(JSON.stringify(s));

/** The longest prefix of `s` whose JSON encoding fits in `budget` bytes (never splits a surrogate pair). */
function prefixWithin(s: string, budget: number): string {
  if (encoded(s) <= budget) return s;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encoded(s.slice(0, mid)) <= budget) lo = mid;
    else hi = mid - 1;
  }
  const last = s.charCodeAt(lo - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? lo - 1 : lo);
}

/** Shortens stdout/stderr (flagging truncation) until the whole result encodes within `budget`. */
export function fitResultToFrame(
  r: QuickJobResult,
  budget = RESULT_FRAME_BUDGET_BYTES,
): QuickJobResult {
  const total = Buffer.byteLength(JSON.stringify(r));
  if (total <= budget) return r;
  const out = encoded(r.stdout);
  const err = encoded(r.stderr);
  const forStreams = Math.max(4, budget - (total - out - err));
  const half = Math.floor(forStreams / 2);
  // The smaller stream keeps everything it can; the larger one gets the rest.
  let outBudget = out <= half ? out : err <= half ? forStreams - err : half;
  let errBudget = forStreams - outBudget;
  outBudget = Math.max(2, outBudget);
  errBudget = Math.max(2, errBudget);
  const stdout = prefixWithin(r.stdout, outBudget);
  const stderr = prefixWithin(r.stderr, errBudget);
  return {
    ...r,
    stdout,
    stderr,
    stdout_truncated: r.stdout_truncated || stdout.length < r.stdout.length,
    stderr_truncated: r.stderr_truncated || stderr.length < r.stderr.length,
  };
}

export class ResultOutbox {
  /** job id → the attempt currently waiting for its ack. */
  private readonly inflight = new Map<string, number>();
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly spool: Spool,
    private readonly socket: AgentSocketApi,
    private readonly log: Logger,
    private readonly opts: { ackTimeoutMs?: number; retryMs?: number } = {},
  ) {}

  /**
   * Sends one spooled result; true once the engine acked it and it left the spool. `force` sends
   * even while an earlier attempt still waits (the engine just showed it has not recorded it).
   */
  async deliver(
    jobId: string,
    o: { force?: boolean; ackTimeoutMs?: number } = {},
  ): Promise<boolean> {
    const entry = this.spool.get(jobId);
    if (!entry?.result || entry.state !== 'done' || !this.socket.connected()) return false;
    if (this.inflight.has(jobId) && !o.force) return false;
    const attempt = ++this.attempts;
    this.inflight.set(jobId, attempt);
    try {
      const ack = await this.socket.emit(
        'quick_job_result',
        entry.result,
        o.ackTimeoutMs ?? this.opts.ackTimeoutMs ?? RESULT_ACK_TIMEOUT_MS,
      );
      const ok = QuickJobResultAckSchema.safeParse(ack);
      if (ok.success && ok.data.job_id === jobId) {
        if (this.spool.get(jobId)) {
          this.spool.remove(jobId);
          this.log.info(
            `result of job ${jobId} (${entry.result.status}) acknowledged by the engine`,
          );
        }
        return true;
      }
      const why = (ack as { error?: unknown } | null)?.error;
      if (typeof why === 'string' && PERMANENT_REFUSALS.has(why)) {
        this.spool.remove(jobId);
        this.log.error(
          `engine refused the result of job ${jobId} for good (${why}); dropped from the spool`,
        );
        return false;
      }
      this.log.warn(
        `engine did not accept the result of job ${jobId} (${typeof why === 'string' ? why : 'unexpected ack'}); keeping it spooled`,
      );
    } catch (err) {
      if (!this.spool.get(jobId)) return true; // another attempt got it acked meanwhile
      this.log.warn(
        `result of job ${jobId} not acknowledged (${errText(err)}); keeping it spooled`,
      );
    } finally {
      if (this.inflight.get(jobId) === attempt) this.inflight.delete(jobId);
    }
    this.scheduleRetry();
    return false;
  }

  /** Sends every done-but-unacked result (on each connect, and on retry). */
  resendAll(): void {
    const pending = this.spool.unacked();
    if (pending.length) this.log.info(`sending ${pending.length} spooled result(s)`);
    for (const e of pending) void this.deliver(e.job_id);
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.socket.connected()) this.resendAll();
    }, this.opts.retryMs ?? RESULT_RETRY_MS);
    this.retryTimer.unref?.();
  }
}
