// The scheduler's pure rules: how component, target and occurrence statuses combine, the
// result counts and last_status of the API view, how a stored job row becomes a Schedule, and
// how a job's targets (hostnames, devices, sites, filters) resolve to frozen devices.
import type {
  ResultCounts,
  ScheduledRunStatus,
  ScheduledTarget,
  ScheduleType,
  QuickRunValue,
  ScheduleSpec,
} from '@borealis/protocol';
import type { TargetDevice } from '../db/repositories/quick-job.repository.js';
import type { ScheduledJobRow } from '../db/repositories/scheduled-job.repository.js';
import { AppError, badRequest } from '../http/errors.js';
import {
  canonicalTimeZone,
  cronProblem,
  floorMinute,
  formatWall,
  parseScheduleTime,
  parseWall,
  wallOf,
  type Schedule,
} from './schedule.js';

export type ScheduleFields = Pick<
  ScheduledJobRow,
  'schedule_type' | 'start_ts' | 'start_local' | 'end_ts' | 'cron' | 'timezone'
>;

/** A component as stored with the job (assembly resolved, variables merged). */
export interface StoredComponent {
  type: 'script';
  assembly_guid: string;
  path?: string;
  name?: string;
  description?: string;
  variable_values: Record<string, QuickRunValue>;
}

const FINAL_ORDER: ScheduledRunStatus[] = ['Timed Out', 'Expired', 'Failed', 'Canceled', 'Success'];
const FINAL = new Set<string>([...FINAL_ORDER, 'Skipped']);

export const isFinalRunStatus = (s: string) => FINAL.has(s);

/**
 * Combines statuses (a target's component runs, or an occurrence's targets): Skipped ones count
 * only when everything was skipped; all Pending → Pending; anything else still open → Running;
 * when all ended, the worst wins: Timed Out > Expired > Failed > Canceled > Success.
 */
export function combineStatuses(
  statuses: readonly ScheduledRunStatus[],
): ScheduledRunStatus | null {
  if (!statuses.length) return null;
  const counted: ScheduledRunStatus[] = statuses.filter((s) => s !== 'Skipped');
  if (!counted.length) return 'Skipped';
  const open = counted.filter((s) => s === 'Pending' || s === 'Running');
  if (open.length) {
    return open.length === counted.length && open.every((s) => s === 'Pending')
      ? 'Pending'
      : 'Running';
  }
  return FINAL_ORDER.find((s) => counted.includes(s)) ?? 'Success';
}

const COUNT_KEY: Record<ScheduledRunStatus, keyof ResultCounts> = {
  Pending: 'pending',
  Running: 'running',
  Success: 'success',
  Failed: 'failed',
  Expired: 'expired',
  'Timed Out': 'timed_out',
  Canceled: 'canceled',
  Skipped: 'skipped',
};

export function countResults(statuses: readonly ScheduledRunStatus[]): ResultCounts {
  const c: ResultCounts = {
    pending: 0,
    running: 0,
    success: 0,
    failed: 0,
    expired: 0,
    timed_out: 0,
    canceled: 0,
    skipped: 0,
    total_targets: statuses.length,
  };
  for (const s of statuses) c[COUNT_KEY[s]] += 1;
  return c;
}

/** The reference's job summary: Running > Timed Out > Expired > Failed > Success, else Scheduled. */
export function lastStatus(c: ResultCounts | null): string {
  if (!c) return 'Scheduled';
  if (c.running + c.pending > 0) return 'Running';
  if (c.timed_out) return 'Timed Out';
  if (c.expired) return 'Expired';
  if (c.failed) return 'Failed';
  if (c.success) return 'Success';
  return 'Scheduled';
}

/** The Schedule a stored job row describes. */
export function scheduleOfRow(row: ScheduledJobRow): Schedule {
  return {
    type: row.schedule_type as ScheduleType,
    startTs: row.start_ts === null ? null : Number(row.start_ts),
    startLocal: row.start_local ? parseWall(row.start_local) : null,
    cron: row.cron,
    timezone: row.timezone,
    endTs: row.end_ts === null ? null : Number(row.end_ts),
  };
}

/**
 * The stored schedule fields of an API `schedule` (validated: 400 naming the field). Kinds other
 * than once/immediately/cron without a start begin at the current minute.
 */
export function scheduleFields(spec: ScheduleSpec, now: number): ScheduleFields {
  const tz = canonicalTimeZone(spec.timezone ?? 'UTC');
  if (!tz) {
    throw badRequest(
      'unknown_timezone',
      `Unknown time zone "${spec.timezone}".`,
      'schedule.timezone',
    );
  }
  const time = (v: ScheduleSpec['start'], field: 'start' | 'end') => {
    if (v === null || v === undefined || v === '') return null;
    const t = parseScheduleTime(v, tz);
    if (!t)
      throw badRequest(
        `invalid_${field}`,
        `schedule.${field} is not a valid time.`,
        `schedule.${field}`,
      );
    return t;
  };
  let start = time(spec.start, 'start');
  const end = time(spec.end, 'end');
  let cron: string | null = null;
  if (spec.type === 'immediately') {
    start = { wall: wallOf(now, tz), ts: now };
  } else if (spec.type === 'once') {
    if (!start)
      throw badRequest('start_required', 'A "once" schedule needs a start.', 'schedule.start');
  } else if (spec.type === 'cron') {
    const problem = spec.cron ? cronProblem(spec.cron) : 'it is missing';
    if (problem) {
      throw badRequest('invalid_cron', `Invalid cron expression: ${problem}.`, 'schedule.cron');
    }
    cron = spec.cron!.trim().split(/\s+/).join(' ');
  } else if (!start) {
    const ts = floorMinute(now);
    start = { wall: wallOf(ts, tz), ts };
  }
  if (end && start && end.ts < start.ts) {
    throw badRequest('invalid_end', 'schedule.end is before schedule.start.', 'schedule.end');
  }
  return {
    schedule_type: spec.type,
    start_ts: start?.ts ?? null,
    start_local: start ? formatWall(start.wall) : null,
    end_ts: end?.ts ?? null,
    cron,
    timezone: tz,
  };
}

/** Whether two stored schedules fire identically (an "immediately" one never re-arms). */
export const sameSchedule = (a: ScheduleFields, b: ScheduleFields) =>
  a.schedule_type === b.schedule_type &&
  (a.schedule_type === 'immediately' ||
    (a.start_local === b.start_local &&
      Number(a.start_ts) === Number(b.start_ts) &&
      (a.end_ts === null ? null : Number(a.end_ts)) ===
        (b.end_ts === null ? null : Number(b.end_ts)) &&
      a.cron === b.cron &&
      a.timezone === b.timezone));

export interface TargetLookup {
  devicesByGuids(guids: readonly string[]): Promise<TargetDevice[]>;
  devicesByLowerHostnames(lowered: readonly string[]): Promise<TargetDevice[]>;
  devicesBySite(siteId: string): Promise<TargetDevice[]>;
  siteExists(siteId: string): Promise<boolean>;
  /** A filter's current matches (throws 404 filter_not_found). */
  filterMatches(filterId: string): Promise<TargetDevice[]>;
  filterExists(filterId: string): Promise<boolean>;
}

/** A target frozen into an occurrence; `skip` says why it will not run. */
export interface FrozenTarget {
  guid: string | null;
  hostname: string;
  skip: 'device_revoked' | 'device_quarantined' | 'device_not_found' | null;
}

const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

const skipOf = (status: string): FrozenTarget['skip'] =>
  status === 'active' ? null : status === 'revoked' ? 'device_revoked' : 'device_quarantined';

/**
 * Resolves a job's targets now, in the order given, each device once. `strict` (validation):
 * an unknown hostname, device, site or filter is 400 unknown_targets naming `targets.<i>`;
 * otherwise named devices that no longer exist become device_not_found rows, and a deleted site
 * or filter contributes nothing.
 */
export async function resolveJobTargets(
  targets: readonly ScheduledTarget[],
  src: TargetLookup,
  strict: boolean,
): Promise<FrozenTarget[]> {
  const hostnames = targets.filter((t): t is string => typeof t === 'string');
  const guids = targets.flatMap((t) =>
    typeof t === 'object' && t.kind === 'device' ? [t.guid] : [],
  );
  const byName = new Map<string, TargetDevice>();
  if (hostnames.length) {
    const lowered = [...new Set(hostnames.map(asciiLower))];
    for (const d of await src.devicesByLowerHostnames(lowered))
      byName.set(asciiLower(d.hostname), d);
  }
  const byGuid = new Map(
    (guids.length ? await src.devicesByGuids([...new Set(guids)]) : []).map((d) => [d.guid, d]),
  );

  const out = new Map<string, FrozenTarget>();
  const add = (d: TargetDevice) => {
    if (!out.has(d.guid))
      out.set(d.guid, { guid: d.guid, hostname: d.hostname, skip: skipOf(d.status) });
  };
  const unknown = (i: number, what: string): AppError | null =>
    strict ? badRequest('unknown_targets', `Unknown target: ${what}.`, `targets.${i}`) : null;
  for (const [i, t] of targets.entries()) {
    if (typeof t === 'string') {
      const d = byName.get(asciiLower(t));
      if (d) add(d);
      else {
        const e = unknown(i, `hostname ${t}`);
        if (e) throw e;
        const key = `name:${asciiLower(t)}`;
        if (!out.has(key)) out.set(key, { guid: null, hostname: t, skip: 'device_not_found' });
      }
    } else if (t.kind === 'device') {
      const d = byGuid.get(t.guid);
      if (d) add(d);
      else {
        const e = unknown(i, `device ${t.guid}`);
        if (e) throw e;
        const key = `guid:${t.guid}`;
        if (!out.has(key)) out.set(key, { guid: null, hostname: t.guid, skip: 'device_not_found' });
      }
    } else if (t.kind === 'site') {
      if (!(await src.siteExists(t.site_id))) {
        const e = unknown(i, `site ${t.site_id}`);
        if (e) throw e;
        continue;
      }
      for (const d of await src.devicesBySite(t.site_id)) add(d);
    } else {
      if (!(await src.filterExists(t.filter_id))) {
        const e = unknown(i, `device filter ${t.filter_id}`);
        if (e) throw e;
        continue;
      }
      for (const d of await src.filterMatches(t.filter_id)) add(d);
    }
  }
  return [...out.values()];
}
