// The scheduler tick (reference §8, fixed per §12): once a minute on the elected leader — and
// callable directly (tests, a job created "immediately") — it expires overdue undelivered runs,
// fires every enabled job's occurrences due since its cursor (more than 5 min late → Skipped
// missed_window), persists outcome changes of open occurrences from the agents' real results,
// and prunes history older than BOREALIS_JOB_HISTORY_DAYS. The clock is injected.
import { MISSED_WINDOW_MS } from '@borealis/protocol';
import type {
  ScheduledJobRepository,
  ScheduledJobRow,
} from '../db/repositories/scheduled-job.repository.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type { LeaderElector } from './leader.js';
import type { OccurrenceRunner } from './occurrence.js';
import { scheduleOfRow } from './occurrence-rules.js';
import { occurrencesBetween } from './schedule.js';

const DAY_MS = 86_400_000;
/** History pruning runs at most this often. */
export const PRUNE_EVERY_MS = 60 * 60_000;
/** Occurrences one job may record in one tick (a long outage records the rest next tick). */
const MAX_PER_JOB_TICK = 5_000;

export interface SchedulerDeps {
  repo: ScheduledJobRepository;
  runner: OccurrenceRunner;
  jobs: { expireOverdue(): Promise<number> };
  clock: Clock;
  log: Logger;
  historyDays: number;
  /** Who fires (recorded on each occurrence): host:pid. */
  nodeId: string;
  tickMs: number;
  /** Builds the leader elector when start() is first called (opens no connection before). */
  elector: (scheduler: Scheduler) => LeaderElector;
}

export interface TickSummary {
  fired: number;
  skipped: number;
  changed: number;
  pruned: number;
}

export class Scheduler {
  private elector: LeaderElector | null = null;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<TickSummary> | null = null;
  private lastPrune = -Infinity;

  constructor(private readonly d: SchedulerDeps) {}

  get isLeader(): boolean {
    return this.elector?.isLeader ?? false;
  }

  /** One tick now; concurrent callers share the tick in progress. */
  tick(): Promise<TickSummary> {
    if (!this.ticking) {
      this.ticking = this.runTick().finally(() => {
        this.ticking = null;
      });
    }
    return this.ticking;
  }

  private async runTick(): Promise<TickSummary> {
    const now = this.d.clock.now();
    const sum: TickSummary = { fired: 0, skipped: 0, changed: 0, pruned: 0 };
    await this.d.jobs.expireOverdue();
    for (const job of await this.d.repo.enabledJobs()) {
      try {
        const r = await this.evaluate(job, now);
        sum.fired += r.fired;
        sum.skipped += r.skipped;
      } catch (err) {
        this.d.log.error(
          `scheduler: job ${job.id} (${job.name}) failed to evaluate: ${String(err)}`,
        );
      }
    }
    sum.changed = await this.d.runner.sync();
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      sum.pruned = await this.prune(now);
    }
    return sum;
  }

  /**
   * Fires (or records as missed) every occurrence of `job` in (cursor, now]. Occurrences older
   * than the history retention are not recorded: they would be pruned at once.
   */
  async evaluate(job: ScheduledJobRow, now: number): Promise<{ fired: number; skipped: number }> {
    const from = Math.max(Number(job.cursor_ts), now - this.d.historyDays * DAY_MS);
    const due = occurrencesBetween(scheduleOfRow(job), from, now, MAX_PER_JOB_TICK);
    let fired = 0;
    let skipped = 0;
    for (const ts of due) {
      if (now - ts > MISSED_WINDOW_MS) {
        if (await this.d.runner.skip(job, ts, 'missed_window', this.d.nodeId)) skipped += 1;
      } else if (await this.d.runner.fire(job, ts, 'schedule', this.d.nodeId)) {
        fired += 1;
      }
    }
    if (due.length) await this.d.repo.advanceCursor(job.id, due[due.length - 1]!);
    return { fired, skipped };
  }

  /** Deletes occurrences and finished scheduled quick jobs older than the retention. */
  async prune(now = this.d.clock.now()): Promise<number> {
    const cutoff = now - this.d.historyDays * DAY_MS;
    const occurrences = await this.d.repo.pruneOccurrences(cutoff);
    const quickJobs = await this.d.repo.pruneScheduledQuickJobs(cutoff);
    if (occurrences || quickJobs) {
      this.d.log.info(
        `scheduler: pruned ${occurrences} occurrence(s) and ${quickJobs} scheduled job dispatch(es) older than ${this.d.historyDays} day(s)`,
      );
    }
    return occurrences;
  }

  private loop(): void {
    if (!this.elector?.isLeader) return;
    // Align to the tick grid (whole minutes by default) so occurrences fire just after they fall due.
    const delay = this.d.tickMs - (Date.now() % this.d.tickMs) + Math.min(500, this.d.tickMs / 10);
    this.timer = setTimeout(() => {
      void (async () => {
        try {
          if (await this.elector?.confirm()) await this.tick();
        } catch (err) {
          this.d.log.error(`scheduler: tick failed: ${String(err)}`);
        }
        this.loop();
      })();
    }, delay);
    this.timer.unref();
  }

  /** Elected: tick now, then on every tick boundary until deposed or stopped. */
  onElected(): void {
    if (this.timer) clearTimeout(this.timer);
    this.tick()
      .catch((err: unknown) => this.d.log.error(`scheduler: tick failed: ${String(err)}`))
      .finally(() => this.loop());
  }

  onDeposed(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Starts leader election; ticks run while this node leads. */
  start(): void {
    this.elector ??= this.d.elector(this);
    this.elector.start();
  }

  /** Stops ticking, waits for a tick and background deliveries, releases leadership. */
  async stop(): Promise<void> {
    await this.elector?.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking?.catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.d.runner.settle();
  }
}
