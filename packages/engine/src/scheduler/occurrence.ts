// One occurrence of a scheduled job: claim it (unique slot), resolve the targets NOW and freeze
// them into per-target rows (revoked/quarantined/missing → Skipped), dispatch one scheduled quick
// job per component to the eligible ones (offline devices stay Pending until they reconnect or the
// run expires), and derive every status from the agents' real outcomes in activity_history.
// Emits `scheduled_run_changed` to UIs.
import crypto from 'node:crypto';
import {
  SCHEDULED_RUN_CHANGED_EVENT,
  type RunMode,
  type ScheduledOccurrence,
  type ScheduledRunChanged,
  type ScheduledRunStatus,
} from '@borealis/protocol';
import type {
  OccurrenceRow,
  ScheduledJobRepository,
  ScheduledJobRow,
  TargetRunRow,
} from '../db/repositories/scheduled-job.repository.js';
import { AppError } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type { EventSink } from '../services/events.js';
import type { ScheduledComponentRun, ScheduledDispatch } from '../services/job.service.js';
import { expiresAt, windowMs } from './expiration.js';
import { nextAfter } from './schedule.js';
import {
  countResults,
  combineStatuses,
  isFinalRunStatus,
  resolveJobTargets,
  scheduleOfRow,
  type StoredComponent,
  type TargetLookup,
} from './occurrence-rules.js';

/** An occurrence claimed but never dispatched for this long was interrupted (node died). */
export const DISPATCH_STALE_MS = 5 * 60_000;

export interface OccurrenceRunnerDeps {
  repo: ScheduledJobRepository;
  jobs: { createScheduled(input: ScheduledComponentRun): Promise<ScheduledDispatch> };
  targets: TargetLookup;
  events: EventSink;
  clock: Clock;
  /**
   * Maps a scheduler-clock instant to engine wall time. Identity in production; with a scaled test
   * clock it keeps job expiry meaningful to the dispatch sweep and the agent, which use wall time.
   */
  toWallTime?: (schedulerMs: number) => number;
  log: Logger;
  historyDays: number;
}

/** An occurrence with every status derived from its rows and their activity. */
export interface ComputedOccurrence {
  row: OccurrenceRow;
  status: ScheduledRunStatus;
  started: number | null;
  finished: number | null;
  targets: {
    row: TargetRunRow;
    status: ScheduledRunStatus;
    started: number | null;
    finished: number | null;
    /** The first component error reported (e.g. "Device offline"). */
    error: string | null;
    activity: ScheduledOccurrence['targets'][number]['activity'];
  }[];
}

const minOf = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null).map(Number);
  return v.length ? Math.min(...v) : null;
};
const maxOf = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null).map(Number);
  return v.length ? Math.max(...v) : null;
};

export class OccurrenceRunner {
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly d: OccurrenceRunnerDeps) {}

  private announce(o: OccurrenceRow, change: ScheduledRunChanged['change'], status: string) {
    const event: ScheduledRunChanged = {
      job_id: o.job_id,
      occurrence_id: o.id,
      scheduled_ts: Number(o.scheduled_ts),
      change,
      status: status as ScheduledRunStatus,
    };
    this.d.events.toUi(SCHEDULED_RUN_CHANGED_EVENT, event);
  }

  private newOccurrence(job: ScheduledJobRow, ts: number, trigger: string, firedBy: string) {
    const now = this.d.clock.now();
    const row: OccurrenceRow = {
      id: crypto.randomUUID(),
      job_id: job.id,
      scheduled_ts: ts,
      trigger,
      status: 'Pending',
      skip_reason: null,
      error: null,
      quick_job_ids_json: '[]',
      fired_by: firedBy,
      dispatched_at: null,
      started_ts: null,
      finished_ts: null,
      created_at: now,
      updated_at: now,
    };
    return row;
  }

  /** Records a Skipped occurrence (e.g. missed_window); false when the slot was already taken. */
  async skip(job: ScheduledJobRow, ts: number, reason: string, firedBy: string): Promise<boolean> {
    const row = this.newOccurrence(job, ts, 'schedule', firedBy);
    Object.assign(row, {
      status: 'Skipped',
      skip_reason: reason,
      dispatched_at: row.created_at,
      finished_ts: row.created_at,
    });
    if (!(await this.d.repo.insertOccurrence(row))) return false;
    this.d.log.warn(
      `job ${job.id} (${job.name}): occurrence ${new Date(ts).toISOString()} skipped: ${reason}`,
    );
    this.announce(row, 'created', 'Skipped');
    return true;
  }

  private async finishSkipped(o: OccurrenceRow, reason: string): Promise<void> {
    const now = this.d.clock.now();
    await this.d.repo.updateOccurrence(o.id, {
      status: 'Skipped',
      skip_reason: reason,
      dispatched_at: now,
      finished_ts: now,
      updated_at: now,
    });
    this.announce(o, 'updated', 'Skipped');
  }

  /**
   * Fires one occurrence. Returns null when another tick or node already claimed this slot, so a
   * double tick can never dispatch twice.
   */
  async fire(
    job: ScheduledJobRow,
    ts: number,
    trigger: 'schedule' | 'manual',
    firedBy: string,
  ): Promise<OccurrenceRow | null> {
    const occ = this.newOccurrence(job, ts, trigger, firedBy);
    if (!(await this.d.repo.insertOccurrence(occ))) return null;
    this.announce(occ, 'created', 'Pending');
    try {
      await this.dispatch(job, occ);
    } catch (err) {
      const now = this.d.clock.now();
      const msg = `dispatch_failed: ${err instanceof Error ? err.message : String(err)}`;
      this.d.log.error(`job ${job.id}: occurrence ${occ.id}: ${msg}`);
      await this.d.repo.markDispatchFailed(occ.id, msg, now);
      await this.d.repo.updateOccurrence(occ.id, {
        error: msg,
        dispatched_at: now,
        updated_at: now,
      });
    }
    await this.sync([(await this.d.repo.findOccurrence(occ.id)) ?? occ]);
    return this.d.repo.findOccurrence(occ.id);
  }

  private async dispatch(job: ScheduledJobRow, occ: OccurrenceRow): Promise<void> {
    const frozen = await resolveJobTargets(JSON.parse(job.targets_json), this.d.targets, false);
    if (!frozen.length) return this.finishSkipped(occ, 'no_devices_targeted');
    const now = this.d.clock.now();
    await this.d.repo.insertRuns(
      frozen.map((t) => ({
        id: crypto.randomUUID(),
        occurrence_id: occ.id,
        job_id: job.id,
        device_guid: t.guid,
        hostname: t.hostname,
        status: t.skip ? 'Skipped' : 'Pending',
        skip_reason: t.skip,
        error: null,
        dispatch_error: null,
        started_ts: null,
        finished_ts: t.skip ? now : null,
        created_at: now,
        updated_at: now,
      })),
    );
    const eligible = frozen.flatMap((t) =>
      t.skip || !t.guid ? [] : [{ guid: t.guid, hostname: t.hostname, status: 'active' }],
    );
    if (!eligible.length) return this.finishSkipped(occ, 'no_eligible_targets');

    const ts = Number(occ.scheduled_ts);
    const expires = expiresAt({
      scheduledTs: ts,
      now,
      windowMs: windowMs(job.duration_stop_enabled === 1, job.expiration),
      nextOccurrenceTs: nextAfter(scheduleOfRow(job), Math.max(ts, now)),
      historyDays: this.d.historyDays,
    });
    const components = JSON.parse(job.components_json) as StoredComponent[];
    const quickJobIds: (string | null)[] = [];
    let error: string | null = null;
    for (const [i, c] of components.entries()) {
      try {
        const res = await this.d.jobs.createScheduled({
          assembly_guid: c.assembly_guid,
          ...(c.path ? { script_path: c.path } : {}),
          variable_values: c.variable_values,
          run_mode: job.execution_context as RunMode,
          devices: eligible,
          scheduled_job_id: job.id,
          scheduled_run_id: occ.id,
          expires_at: this.d.toWallTime ? this.d.toWallTime(expires) : expires,
          created_by: `scheduler:${job.name}`.slice(0, 200),
        });
        quickJobIds.push(res.quick_job_id);
        this.track(res.delivered);
      } catch (err) {
        const why = err instanceof AppError ? `${err.code}: ${err.message}` : String(err);
        error = `component ${i + 1} (${c.assembly_guid}): ${why}`;
        this.d.log.error(`job ${job.id}: occurrence ${occ.id}: ${error}`);
        break;
      }
    }
    const done = this.d.clock.now();
    if (error) await this.d.repo.markDispatchFailed(occ.id, error, done);
    await this.d.repo.updateOccurrence(occ.id, {
      quick_job_ids_json: JSON.stringify(quickJobIds),
      error,
      dispatched_at: done,
      updated_at: done,
    });
    this.d.log.info(
      `job ${job.id} (${job.name}): occurrence ${new Date(ts).toISOString()} (${occ.trigger}) → ` +
        `${eligible.length} device(s), ${quickJobIds.length} component(s)${error ? ', with errors' : ''}`,
    );
  }

  /** Deliveries run in the background; stop() waits for them. */
  private track(p: Promise<unknown>): void {
    const tracked = p
      .catch((err: unknown) => this.d.log.error(`scheduled delivery failed: ${String(err)}`))
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
  }

  async settle(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  /** Derives the statuses of `occs` from their target rows and activity (read-only). */
  async compute(occs: readonly OccurrenceRow[]): Promise<ComputedOccurrence[]> {
    if (!occs.length) return [];
    const ids = occs.map((o) => o.id);
    const [runs, acts] = await Promise.all([this.d.repo.runsOf(ids), this.d.repo.activityOf(ids)]);
    const byRun = new Map<string, typeof acts>();
    for (const a of acts) {
      const key = `${a.occurrence_id}\u0000${a.device_guid}`;
      byRun.set(key, [...(byRun.get(key) ?? []), a]);
    }
    const runsByOcc = new Map<string, TargetRunRow[]>();
    for (const r of runs)
      runsByOcc.set(r.occurrence_id, [...(runsByOcc.get(r.occurrence_id) ?? []), r]);
    return occs.map((o) => {
      const order = JSON.parse(o.quick_job_ids_json) as (string | null)[];
      const dispatched = o.dispatched_at !== null && order.some((id) => id !== null);
      const targets = (runsByOcc.get(o.id) ?? []).map((r) => {
        const mine = r.device_guid ? (byRun.get(`${o.id}\u0000${r.device_guid}`) ?? []) : [];
        mine.sort((a, b) => order.indexOf(a.quick_job_id) - order.indexOf(b.quick_job_id));
        const statuses = mine.map((a) => a.status as ScheduledRunStatus);
        if (r.dispatch_error) statuses.push('Failed');
        // Dispatched, yet its activity is gone while still open: the device was deleted.
        const removed =
          !statuses.length && dispatched && r.status !== 'Skipped' && !isFinalRunStatus(r.status);
        const status: ScheduledRunStatus =
          r.status === 'Skipped'
            ? 'Skipped'
            : removed
              ? 'Canceled'
              : (combineStatuses(statuses) ?? (r.status as ScheduledRunStatus));
        const final = isFinalRunStatus(status);
        return {
          row: r,
          status,
          started: minOf(mine.map((a) => a.started_at)) ?? r.started_ts,
          finished: final
            ? (maxOf(mine.map((a) => a.finished_at)) ?? r.finished_ts ?? r.updated_at)
            : null,
          error: removed ? 'device_removed' : (mine.find((a) => a.error)?.error ?? null),
          activity: mine.map((a) => ({
            id: a.id,
            component_index: order.indexOf(a.quick_job_id),
            script_name: a.script_name,
            status:
              a.status as ScheduledOccurrence['targets'][number]['activity'][number]['status'],
            has_stdout: Number(a.has_stdout) === 1,
            has_stderr: Number(a.has_stderr) === 1,
            exit_code: a.exit_code === null ? null : Number(a.exit_code),
          })),
        };
      });
      const status: ScheduledRunStatus =
        o.status === 'Skipped' || !targets.length
          ? (o.status as ScheduledRunStatus)
          : (combineStatuses(targets.map((t) => t.status)) ?? 'Pending');
      const final = isFinalRunStatus(status);
      return {
        row: o,
        status,
        started:
          minOf(targets.map((t) => t.started)) ??
          (o.started_ts === null ? null : Number(o.started_ts)),
        finished: final
          ? (maxOf(targets.map((t) => t.finished)) ??
            (o.finished_ts === null ? Number(o.updated_at) : Number(o.finished_ts)))
          : null,
        targets,
      };
    });
  }

  /**
   * Persists derived statuses of open occurrences (their outcome may still change) and announces
   * every change; an occurrence claimed but never dispatched within DISPATCH_STALE_MS is Failed
   * (dispatch_interrupted). Returns how many occurrences changed status.
   */
  async sync(occs?: readonly OccurrenceRow[]): Promise<number> {
    const now = this.d.clock.now();
    const open = occs ?? (await this.d.repo.openOccurrences());
    for (const o of open) {
      if (o.dispatched_at === null && Number(o.created_at) < now - DISPATCH_STALE_MS) {
        await this.d.repo.markDispatchFailed(o.id, 'dispatch_interrupted', now);
        await this.d.repo.updateOccurrence(o.id, {
          error: 'dispatch_interrupted',
          dispatched_at: now,
          updated_at: now,
        });
        o.dispatched_at = now;
        if (!o.error) o.error = 'dispatch_interrupted';
      }
    }
    let changed = 0;
    for (const c of await this.compute(open)) {
      for (const t of c.targets) {
        // The first component error is kept with the row (it outlives pruned activity).
        const error = t.error ?? t.row.error;
        if (
          t.status !== t.row.status ||
          t.started !== t.row.started_ts ||
          t.finished !== t.row.finished_ts ||
          error !== t.row.error
        ) {
          await this.d.repo.updateRun(t.row.id, {
            status: t.status,
            started_ts: t.started,
            finished_ts: t.finished,
            error,
            updated_at: now,
          });
        }
      }
      if (
        c.status !== c.row.status ||
        c.finished !== c.row.finished_ts ||
        c.started !== c.row.started_ts
      ) {
        await this.d.repo.updateOccurrence(c.row.id, {
          status: c.status,
          started_ts: c.started,
          finished_ts: c.finished,
          updated_at: now,
        });
        if (c.status !== c.row.status) {
          changed += 1;
          this.announce(c.row, 'updated', c.status);
        }
      }
    }
    return changed;
  }

  /** The API view of computed occurrences. */
  static view(c: ComputedOccurrence): ScheduledOccurrence {
    return {
      id: c.row.id,
      job_id: c.row.job_id,
      scheduled_ts: Number(c.row.scheduled_ts),
      trigger: c.row.trigger === 'manual' ? 'manual' : 'schedule',
      status: c.status,
      skip_reason: c.row.skip_reason,
      error: c.row.error,
      fired_by: c.row.fired_by,
      started_ts: c.started,
      finished_ts: c.finished,
      created_at: Number(c.row.created_at),
      result_counts: countResults(c.targets.map((t) => t.status)),
      targets: c.targets.map((t) => ({
        id: t.row.id,
        device_guid: t.row.device_guid,
        hostname: t.row.hostname,
        status: t.status,
        skip_reason: t.row.skip_reason,
        error: t.row.dispatch_error ?? t.error ?? t.row.error,
        started_ts: t.started,
        finished_ts: t.finished,
        activity: t.activity,
      })),
    };
  }
}
