// Exponential back-off with full jitter (delay uniformly random in [floor, min(cap, base·2^n)]),
// and an abortable sleep. Used by the connect loop (cap 60 s), enrollment polling and every retry.
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Smallest delay returned, so a zero draw never turns into a hot loop. */
  floorMs?: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly opts: BackoffOptions) {}

  /** The ceiling of the next delay: min(cap, base·2^attempt). */
  ceiling(): number {
    const exp = Math.min(this.attempt, 30);
    return Math.min(this.opts.capMs, this.opts.baseMs * 2 ** exp);
  }

  /** Draws the next delay and moves one step up the ladder. */
  next(): number {
    const ceiling = this.ceiling();
    this.attempt += 1;
    const floor = Math.min(this.opts.floorMs ?? 0, ceiling);
    const r = (this.opts.random ?? Math.random)();
    return Math.round(floor + r * (ceiling - floor));
  }

  /** Back to the first step (after a success). */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}

/** `ms` ± `fraction`·`ms`, uniformly: the heartbeat's 30 s ± 10 %. */
export function jittered(ms: number, fraction: number, random: () => number = Math.random): number {
  return Math.round(ms * (1 - fraction + 2 * fraction * random()));
}

/** Sleeps `ms`; resolves false (instead of throwing) when `signal` aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
    return true;
  } catch {
    return false;
  }
}
