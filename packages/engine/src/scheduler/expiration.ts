// Expiration windows (reference §8): how long an occurrence's runs wait for offline targets.
// Strings "30m", "1h", "2d", bare minutes ("45" or 45) or "no_expire". A window applies only when
// the job's duration.stopAfterEnabled is on; without one, a run waits until the job's next
// occurrence supersedes it (one-time jobs: until the history retention ends).
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

export const NO_EXPIRE = 'no_expire';
/** The longest window accepted: one year. */
export const MAX_WINDOW_MS = 365 * 86_400_000;

export interface Expiration {
  /** The canonical text stored with the job ("30m", "45", "no_expire"). */
  text: string;
  /** The window in ms; null for no_expire. */
  ms: number | null;
}

/** Parses an expiration; null when it is not one of the accepted forms or out of range. */
export function parseExpiration(value: string | number): Expiration | null {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 1 || value * UNIT_MS.m! > MAX_WINDOW_MS) {
      return null;
    }
    return { text: String(value), ms: value * UNIT_MS.m! };
  }
  const text = value.trim().toLowerCase();
  if (text === NO_EXPIRE) return { text, ms: null };
  const m = /^(\d{1,7})\s*([mhd]?)$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const ms = n * UNIT_MS[m[2] || 'm']!;
  if (n < 1 || ms > MAX_WINDOW_MS) return null;
  return { text: `${n}${m[2] ?? ''}`, ms };
}

/** The window that applies to a job's runs (null: no fixed window). */
export function windowMs(stopAfterEnabled: boolean, expiration: string): number | null {
  if (!stopAfterEnabled) return null;
  return parseExpiration(expiration)?.ms ?? null;
}

/**
 * When an occurrence's undelivered runs expire: its window after the scheduled time; with no
 * window, the job's next occurrence (a newer run supersedes it) or, when there is none, the end
 * of the history retention. Never earlier than one minute after `now`.
 */
export function expiresAt(opts: {
  scheduledTs: number;
  now: number;
  windowMs: number | null;
  nextOccurrenceTs: number | null;
  historyDays: number;
}): number {
  const fallback = opts.scheduledTs + opts.historyDays * UNIT_MS.d!;
  const at =
    opts.windowMs !== null ? opts.scheduledTs + opts.windowMs : (opts.nextOccurrenceTs ?? fallback);
  return Math.max(at, opts.now + UNIT_MS.m!);
}
