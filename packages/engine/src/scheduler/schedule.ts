// Pure schedule math (reference §8 plus cron): when a job fires, in its IANA time zone. No I/O.
// Rules, one for every kind:
// - every_5/10/15/30_minutes and every_hour are fixed elapsed intervals from `start`; daylight-
//   saving changes do not move them (they keep firing through a repeated hour).
// - daily, weekly, monthly, yearly and cron fire at a wall-clock time in the zone. A wall time
//   that does not exist (spring-forward gap) fires at the first instant after the gap (a daily
//   02:30 in New York on the spring-forward day fires at 03:00 EDT); a wall time that happens
//   twice (fall-back) fires once, at its first occurrence.
// - monthly keeps start's day of month, clamped to the month's last day (31 → 30, 29, 28);
//   yearly keeps start's date, Feb 29 → Feb 28 in non-leap years.
// - cron: five fields (minute hour day-of-month month day-of-week), matched against wall time.
import { Cron } from 'croner';
import type { ScheduleType } from '@borealis/protocol';

/** A wall-clock minute: month 1–12. */
export interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
}

export interface Schedule {
  type: ScheduleType;
  /** Interval anchor; the instant of once/immediately; cron's lower bound. */
  startTs: number | null;
  /** Wall-clock start in `timezone` (daily … yearly). */
  startLocal: Wall | null;
  cron: string | null;
  timezone: string;
  /** Nothing fires after this instant. */
  endTs: number | null;
}

export const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const INTERVAL_MS: Partial<Record<ScheduleType, number>> = {
  every_5_minutes: 5 * MINUTE_MS,
  every_10_minutes: 10 * MINUTE_MS,
  every_15_minutes: 15 * MINUTE_MS,
  every_30_minutes: 30 * MINUTE_MS,
  every_hour: 60 * MINUTE_MS,
};

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The canonical name of a time zone Intl knows, or null ("utc" → "UTC"). */
export function canonicalTimeZone(tz: string): string | null {
  try {
    return formatter(tz).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Wall-clock parts (with seconds) of an instant in `tz`. */
function partsOf(t: number, tz: string): Wall & { s: number } {
  const out = { y: 0, mo: 0, d: 0, h: 0, mi: 0, s: 0 };
  for (const p of formatter(tz).formatToParts(new Date(t))) {
    const v = Number(p.value);
    if (p.type === 'year') out.y = v;
    else if (p.type === 'month') out.mo = v;
    else if (p.type === 'day') out.d = v;
    else if (p.type === 'hour') out.h = v;
    else if (p.type === 'minute') out.mi = v;
    else if (p.type === 'second') out.s = v;
  }
  return out;
}

/** The wall clock of `t` in `tz`, to the second, as if it were a UTC instant. */
function wallMsOf(t: number, tz: string): number {
  const p = partsOf(t, tz);
  return Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s);
}

/** The minute `t` shows on a wall clock in `tz`. */
export function wallOf(t: number, tz: string): Wall {
  const { y, mo, d, h, mi } = partsOf(t, tz);
  return { y, mo, d, h, mi };
}

const wallUtc = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);

function wallFromUtc(ms: number): Wall {
  const d = new Date(ms);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
  };
}

/**
 * The instant a wall-clock minute in `tz` fires at: its first occurrence when it happens twice,
 * the end of the gap when it does not exist.
 */
export function instantOf(w: Wall, tz: string): number {
  const target = wallUtc(w);
  const offsets = new Set<number>();
  for (const probe of [target - DAY_MS, target, target + DAY_MS]) {
    offsets.add(wallMsOf(probe, tz) - Math.floor(probe / 1000) * 1000);
  }
  const valid = [...offsets].map((o) => target - o).filter((t) => wallMsOf(t, tz) === target);
  if (valid.length) return Math.min(...valid);
  // In a gap: the wall clock jumps over `target` between these bounds; find the jump.
  const sorted = [...offsets].sort((a, b) => a - b);
  let lo = Math.floor((target - sorted[sorted.length - 1]!) / 1000); // shows a time before target
  let hi = Math.ceil((target - sorted[0]!) / 1000); // shows a time after target
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMsOf(mid * 1000, tz) > target) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

export const addDays = (w: Wall, n: number): Wall =>
  wallFromUtc(Date.UTC(w.y, w.mo - 1, w.d + n, w.h, w.mi));

export const daysInMonth = (y: number, mo: number) => new Date(Date.UTC(y, mo, 0)).getUTCDate();

/** `n` months after `w`, keeping its day of month clamped to the target month's length. */
export function addMonths(w: Wall, n: number): Wall {
  const idx = w.y * 12 + (w.mo - 1) + n;
  const y = Math.floor(idx / 12);
  const mo = (idx % 12) + 1;
  return { ...w, y, mo, d: Math.min(w.d, daysInMonth(y, mo)) };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "YYYY-MM-DDTHH:MM". */
export const formatWall = (w: Wall) =>
  `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}`;

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?$/;

/** "YYYY-MM-DDTHH:MM[:SS[.fff]]" (or with a space) without an offset → Wall; else null. */
export function parseWall(text: string): Wall | null {
  const m = LOCAL_RE.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59) return null;
  return { y, mo, d, h, mi };
}

/**
 * A schedule time from the API: epoch ms (below 1e11: epoch seconds), ISO with Z/offset, or a
 * wall-clock string read in `tz`. Returns the wall minute and its instant, or null if invalid.
 */
export function parseScheduleTime(
  value: number | string,
  tz: string,
): { wall: Wall; ts: number } | null {
  let instant: number;
  if (typeof value === 'number') {
    instant = value < 1e11 ? value * 1000 : value;
  } else {
    const wall = parseWall(value);
    if (wall) return { wall, ts: instantOf(wall, tz) };
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim())) return null;
    instant = Date.parse(value.trim());
  }
  if (!Number.isFinite(instant) || instant < 0 || instant > 253402300799000) return null;
  // An exact instant stays exact (even in the second pass of a repeated hour).
  return { wall: wallOf(instant, tz), ts: floorMinute(instant) };
}

/** Null when `expr` is a valid five-field cron expression, else why not. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return `expected 5 fields, got ${fields.length}`;
  try {
    const c = new Cron(fields.join(' '), { timezone: 'UTC', paused: true });
    if (!c.nextRun(new Date(Date.UTC(2000, 0, 1)))) return 'it never matches a date';
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const crons = new Map<string, Cron>();
function cronOf(expr: string): Cron {
  let c = crons.get(expr);
  if (!c) {
    // Matched against wall time: the "UTC" clock here is the zone's wall clock.
    c = new Cron(expr.trim().split(/\s+/).join(' '), { timezone: 'UTC', paused: true });
    if (crons.size > 1000) crons.clear();
    crons.set(expr, c);
  }
  return c;
}

/** The k-th fire time of an indexable kind, or null when there is none. */
function nth(s: Schedule, k: number): number | null {
  const interval = INTERVAL_MS[s.type];
  if (interval !== undefined) return s.startTs === null ? null : s.startTs + k * interval;
  if (s.type === 'once' || s.type === 'immediately') return k === 0 ? s.startTs : null;
  const w = s.startLocal;
  if (!w) return null;
  const walls: Partial<Record<ScheduleType, () => Wall>> = {
    daily: () => addDays(w, k),
    weekly: () => addDays(w, 7 * k),
    monthly: () => addMonths(w, k),
    yearly: () => addMonths(w, 12 * k),
  };
  const wall = walls[s.type];
  return wall ? instantOf(wall(), s.timezone) : null;
}

/** A lower estimate of the index of the first fire time after `after`. */
function estimate(s: Schedule, after: number): number {
  const start = s.startTs ?? 0;
  if (after < start) return 0;
  const span: Partial<Record<ScheduleType, number>> = {
    ...INTERVAL_MS,
    daily: DAY_MS,
    weekly: 7 * DAY_MS,
    monthly: 31 * DAY_MS,
    yearly: 366 * DAY_MS,
  };
  const per = span[s.type];
  return per ? Math.max(0, Math.floor((after - start) / per) - 1) : 0;
}

function nextCron(s: Schedule, after: number): number | null {
  if (!s.cron) return null;
  const cron = cronOf(s.cron);
  const from = s.startTs !== null && s.startTs - 1 > after ? s.startTs - 1 : after;
  let wall = wallMsOf(from, s.timezone);
  // Wall times of a repeated hour map back to its first pass (≤ from): step over them.
  for (let guard = 0; guard < 10_000; guard++) {
    const next = cron.nextRun(new Date(wall));
    if (!next) return null;
    wall = next.getTime();
    const t = instantOf(wallFromUtc(wall), s.timezone);
    if (t > from) return t;
  }
  return null;
}

/** The first fire time strictly after `after` (and not after `endTs`), or null. */
export function nextAfter(s: Schedule, after: number): number | null {
  let t: number | null;
  if (s.type === 'cron') {
    t = nextCron(s, after);
  } else {
    let k = estimate(s, after);
    while (k > 0 && (nth(s, k - 1) ?? -Infinity) > after) k -= 1;
    t = nth(s, k);
    while (t !== null && t <= after) t = nth(s, ++k);
  }
  return t !== null && (s.endTs === null || t <= s.endTs) ? t : null;
}

/** Fire times in (after, until], oldest first, at most `limit`. */
export function occurrencesBetween(
  s: Schedule,
  after: number,
  until: number,
  limit = 10_000,
): number[] {
  const out: number[] = [];
  let t = nextAfter(s, after);
  while (t !== null && t <= until && out.length < limit) {
    out.push(t);
    t = nextAfter(s, t);
  }
  return out;
}

/** The next `count` fire times after `after`. */
export function nextOccurrences(s: Schedule, after: number, count: number): number[] {
  const out: number[] = [];
  let t = nextAfter(s, after);
  while (t !== null && out.length < count) {
    out.push(t);
    t = nextAfter(s, t);
  }
  return out;
}

/** Start of the minute `t` falls in. */
export const floorMinute = (t: number) => Math.floor(t / MINUTE_MS) * MINUTE_MS;
