// Expiration windows (reference §8): the accepted strings, their windows, and when an
// occurrence's undelivered runs expire (window, next occurrence, or the history retention).
import { describe, expect, it } from 'vitest';
import { expiresAt, parseExpiration, windowMs } from './expiration.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe('parseExpiration', () => {
  it('reads minutes, hours, days, bare minutes and no_expire', () => {
    expect(parseExpiration('30m')).toEqual({ text: '30m', ms: 30 * MIN });
    expect(parseExpiration('1h')).toEqual({ text: '1h', ms: HOUR });
    expect(parseExpiration('2d')).toEqual({ text: '2d', ms: 2 * DAY });
    expect(parseExpiration(' 2D ')).toEqual({ text: '2d', ms: 2 * DAY });
    expect(parseExpiration('45')).toEqual({ text: '45', ms: 45 * MIN });
    expect(parseExpiration(90)).toEqual({ text: '90', ms: 90 * MIN });
    expect(parseExpiration('no_expire')).toEqual({ text: 'no_expire', ms: null });
    expect(parseExpiration('NO_EXPIRE')).toEqual({ text: 'no_expire', ms: null });
  });

  it('rejects anything else, zero, negatives and windows over a year', () => {
    for (const bad of ['', 'soon', '1w', '1.5h', '-5', '0', '0m', 'm', '1 hour', '366d', 'h1']) {
      expect(parseExpiration(bad), bad).toBeNull();
    }
    expect(parseExpiration(0)).toBeNull();
    expect(parseExpiration(-3)).toBeNull();
    expect(parseExpiration(2.5)).toBeNull();
    expect(parseExpiration(365 * 24 * 60 + 1)).toBeNull();
    expect(parseExpiration('365d')).toEqual({ text: '365d', ms: 365 * DAY });
  });
});

describe('windowMs', () => {
  it('applies only with stopAfterEnabled', () => {
    expect(windowMs(true, '30m')).toBe(30 * MIN);
    expect(windowMs(false, '30m')).toBeNull();
    expect(windowMs(true, 'no_expire')).toBeNull();
  });
});

describe('expiresAt', () => {
  const T = Date.UTC(2026, 0, 10, 9, 0);
  it('is scheduled time + window', () => {
    expect(
      expiresAt({
        scheduledTs: T,
        now: T + 20_000,
        windowMs: HOUR,
        nextOccurrenceTs: T + 5 * MIN,
        historyDays: 30,
      }),
    ).toBe(T + HOUR);
  });
  it('without a window: the next occurrence supersedes, else the retention ends it', () => {
    expect(
      expiresAt({
        scheduledTs: T,
        now: T,
        windowMs: null,
        nextOccurrenceTs: T + DAY,
        historyDays: 30,
      }),
    ).toBe(T + DAY);
    expect(
      expiresAt({
        scheduledTs: T,
        now: T,
        windowMs: null,
        nextOccurrenceTs: null,
        historyDays: 30,
      }),
    ).toBe(T + 30 * DAY);
  });
  it('is never in the past for a run dispatched late', () => {
    expect(
      expiresAt({
        scheduledTs: T,
        now: T + 4 * MIN,
        windowMs: MIN,
        nextOccurrenceTs: null,
        historyDays: 30,
      }),
    ).toBe(T + 5 * MIN);
  });
});
