// Back-off: full jitter within [floor, min(cap, base·2^n)], the 60 s cap holds forever, reset
// returns to the bottom; heartbeat jitter stays within ±10 %; sleep aborts.
import { describe, expect, it } from 'vitest';
import { Backoff, jittered, sleep } from '../src/backoff.js';

describe('Backoff', () => {
  it('draws uniformly below an exponentially growing ceiling capped at 60 s', () => {
    const max = new Backoff({ baseMs: 1_000, capMs: 60_000, random: () => 0.999999 });
    const ceilings = Array.from({ length: 10 }, () => max.next());
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000, 60000]);
    const min = new Backoff({ baseMs: 1_000, capMs: 60_000, floorMs: 250, random: () => 0 });
    expect(Array.from({ length: 5 }, () => min.next())).toEqual([250, 250, 250, 250, 250]);
  });

  it('never leaves [floor, ceiling] with real randomness, even after many attempts', () => {
    const b = new Backoff({ baseMs: 1_000, capMs: 60_000, floorMs: 250 });
    for (let i = 0; i < 2_000; i += 1) {
      const ceiling = b.ceiling();
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(250);
      expect(d).toBeLessThanOrEqual(ceiling);
      expect(d).toBeLessThanOrEqual(60_000);
    }
    expect(b.ceiling()).toBe(60_000);
  });

  it('spreads delays (full jitter), and reset starts over', () => {
    const b = new Backoff({ baseMs: 1_000, capMs: 60_000 });
    for (let i = 0; i < 8; i += 1) b.next();
    const draws = new Set(Array.from({ length: 50 }, () => b.next()));
    expect(draws.size).toBeGreaterThan(20);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBeLessThanOrEqual(1_000);
  });

  it('jitters the heartbeat interval within ±10 %', () => {
    expect(jittered(30_000, 0.1, () => 0)).toBe(27_000);
    expect(jittered(30_000, 0.1, () => 1)).toBe(33_000);
    for (let i = 0; i < 500; i += 1) {
      const v = jittered(30_000, 0.1);
      expect(v).toBeGreaterThanOrEqual(27_000);
      expect(v).toBeLessThanOrEqual(33_000);
    }
  });

  it('sleep resolves false as soon as the signal aborts', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 20);
    expect(await sleep(10_000, ac.signal)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await sleep(1)).toBe(true);
  });
});
