// Sliding-window limiter: limit per key within the window, Retry-After from the oldest hit, keys
// independent, and memory bounded under a flood of distinct keys.
import { describe, expect, it } from 'vitest';
import { SlidingWindowLimiter } from './rate-limit.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('SlidingWindowLimiter', () => {
  it('allows `limit` hits per window and says when the next one fits', () => {
    const c = clock();
    const l = new SlidingWindowLimiter({ limit: 3, windowMs: 60_000, clock: c });
    expect(l.hit('a').allowed).toBe(true);
    c.advance(10_000);
    expect(l.hit('a').allowed).toBe(true);
    expect(l.hit('a').allowed).toBe(true);
    expect(l.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(l.hit('b').allowed).toBe(true);
    c.advance(50_000); // the first hit leaves the window
    expect(l.hit('a').allowed).toBe(true);
    expect(l.hit('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('slides: denied hits are not counted', () => {
    const c = clock();
    const l = new SlidingWindowLimiter({ limit: 1, windowMs: 1000, clock: c });
    expect(l.hit('k').allowed).toBe(true);
    for (let i = 0; i < 5; i++) expect(l.hit('k').allowed).toBe(false);
    c.advance(1000);
    expect(l.hit('k').allowed).toBe(true);
  });

  it('keeps at most maxKeys keys', () => {
    const c = clock();
    const l = new SlidingWindowLimiter({ limit: 5, windowMs: 1000, clock: c, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) l.hit(`ip-${i}`);
    expect(l.size).toBeLessThanOrEqual(101);
    c.advance(5000);
    l.hit('late');
    l.reset();
    expect(l.size).toBe(0);
  });
});
