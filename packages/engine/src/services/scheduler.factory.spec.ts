// The scaled scheduler clock (tests, demos) and its mapping back to engine wall time, which keeps
// job expiry meaningful to the dispatch sweep and to agents.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { schedulerClock, wallTimeOf } from './scheduler.factory.js';

describe('scheduler clock', () => {
  it('is the engine clock itself at scale 1, and wall time is identity', () => {
    const base = new FakeClock(1_000_000);
    const clock = schedulerClock(base, 1);
    expect(clock).toBe(base);
    expect(wallTimeOf(base, clock, 1)(5_000_000)).toBe(5_000_000);
  });

  it('runs `scale`× faster from its origin and maps scheduler instants back to wall time', () => {
    const base = new FakeClock(1_000_000);
    const clock = schedulerClock(base, 30, 1_000_000);
    base.advance(10_000);
    expect(clock.now()).toBe(1_300_000);
    const toWall = wallTimeOf(base, clock, 30);
    // 4 scheduler minutes ahead is 8 wall seconds ahead.
    expect(toWall(clock.now() + 240_000)).toBe(base.now() + 8_000);
    expect(toWall(clock.now())).toBe(base.now());
  });
});
