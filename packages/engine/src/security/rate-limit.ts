// In-memory sliding-window rate limiter (one node): enrollment (per IP, per key fingerprint) and
// device requests (per fingerprint). Each key keeps the times of its accepted hits inside the
// window; a denied hit is not counted and says how many seconds until the oldest one leaves.
import type { Clock } from '../logging/clock.js';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
  clock: Clock;
  /** Keys kept before a sweep drops idle ones (bounds memory under key floods). */
  maxKeys?: number;
}

export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(private readonly opts: SlidingWindowOptions) {
    this.maxKeys = opts.maxKeys ?? 50_000;
  }

  /** Counts one hit for `key` now, unless the window is already full. */
  hit(key: string): RateDecision {
    const now = this.opts.clock.now();
    const since = now - this.opts.windowMs;
    const times = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (times.length >= this.opts.limit) {
      this.hits.set(key, times);
      const oldest = times[0] ?? now;
      const waitMs = oldest + this.opts.windowMs - now;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
    }
    times.push(now);
    this.hits.set(key, times);
    if (this.hits.size > this.maxKeys) this.sweep(since);
    return { allowed: true };
  }

  /** Forgets every key (tests, or an operator reset). */
  reset(): void {
    this.hits.clear();
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.hits.size;
  }

  private sweep(since: number): void {
    for (const [key, times] of this.hits) {
      if ((times[times.length - 1] ?? 0) <= since) this.hits.delete(key);
    }
    // Still over budget (a flood of live keys): drop the oldest-inserted ones.
    const excess = this.hits.size - this.maxKeys;
    if (excess > 0) {
      let n = 0;
      for (const key of this.hits.keys()) {
        if (n++ >= excess) break;
        this.hits.delete(key);
      }
    }
  }
}
