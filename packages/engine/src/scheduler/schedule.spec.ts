// Schedule math against fire times written out by hand (UTC instants), in UTC, New York, Berlin
// and Sydney: every kind, cron, month ends, leap years, and both DST transitions per zone.
// 2026 transitions: New York Mar 8 (02:00 EST → 03:00 EDT, 07:00Z) and Nov 1 (02:00 EDT → 01:00
// EST, 06:00Z); Berlin Mar 29 (01:00Z) and Oct 25 (01:00Z); Sydney Apr 5 (03:00 AEDT → 02:00
// AEST, Apr 4 16:00Z) and Oct 4 (02:00 AEST → 03:00 AEDT, Oct 3 16:00Z).
import { describe, expect, it } from 'vitest';
import type { ScheduleType } from '@borealis/protocol';
import {
  canonicalTimeZone,
  cronProblem,
  instantOf,
  nextAfter,
  nextOccurrences,
  occurrencesBetween,
  parseScheduleTime,
  parseWall,
  type Schedule,
} from './schedule.js';

const z = (iso: string) => Date.parse(iso);
const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString());

/** A schedule whose start is a wall-clock time in `tz` (as the API stores it). */
function sched(
  type: ScheduleType,
  tz: string,
  start: string | null,
  extra: Partial<Schedule> = {},
): Schedule {
  const wall = start ? parseWall(start) : null;
  return {
    type,
    startLocal: wall,
    startTs: wall ? instantOf(wall, tz) : null,
    cron: null,
    timezone: tz,
    endTs: null,
    ...extra,
  };
}

const next = (s: Schedule, after: string, n: number) => iso(nextOccurrences(s, z(after), n));

describe('wall clock ↔ instant', () => {
  it('maps ordinary, repeated and skipped wall times by the documented rule', () => {
    expect(instantOf({ y: 2026, mo: 7, d: 1, h: 12, mi: 0 }, 'America/New_York')).toBe(
      z('2026-07-01T16:00:00Z'),
    );
    // Spring-forward gap: 02:30 does not exist → the first instant after the gap (03:00 EDT).
    expect(instantOf({ y: 2026, mo: 3, d: 8, h: 2, mi: 30 }, 'America/New_York')).toBe(
      z('2026-03-08T07:00:00Z'),
    );
    expect(instantOf({ y: 2026, mo: 3, d: 29, h: 2, mi: 15 }, 'Europe/Berlin')).toBe(
      z('2026-03-29T01:00:00Z'),
    );
    expect(instantOf({ y: 2026, mo: 10, d: 4, h: 2, mi: 45 }, 'Australia/Sydney')).toBe(
      z('2026-10-03T16:00:00Z'),
    );
    // Fall-back: 01:30 happens twice → its first occurrence (EDT).
    expect(instantOf({ y: 2026, mo: 11, d: 1, h: 1, mi: 30 }, 'America/New_York')).toBe(
      z('2026-11-01T05:30:00Z'),
    );
    expect(instantOf({ y: 2026, mo: 10, d: 25, h: 2, mi: 30 }, 'Europe/Berlin')).toBe(
      z('2026-10-25T00:30:00Z'),
    );
    expect(instantOf({ y: 2026, mo: 4, d: 5, h: 2, mi: 30 }, 'Australia/Sydney')).toBe(
      z('2026-04-04T15:30:00Z'),
    );
  });

  it('parses API times: wall clock in the zone, ISO with offset, epoch ms and seconds', () => {
    expect(parseScheduleTime('2026-03-08T02:30', 'America/New_York')?.ts).toBe(
      z('2026-03-08T07:00:00Z'),
    );
    expect(parseScheduleTime('2026-01-15 09:45:59', 'Europe/Berlin')?.ts).toBe(
      z('2026-01-15T08:45:00Z'),
    );
    expect(parseScheduleTime('2026-01-15T09:45:00+05:30', 'UTC')?.ts).toBe(
      z('2026-01-15T04:15:00Z'),
    );
    expect(parseScheduleTime(z('2026-01-15T04:15:42Z'), 'UTC')?.ts).toBe(z('2026-01-15T04:15:00Z'));
    expect(parseScheduleTime(1768450500, 'UTC')?.ts).toBe(z('2026-01-15T04:15:00Z'));
    // The second 01:30 of New York's fall-back night stays exact when given as an instant.
    expect(parseScheduleTime('2026-11-01T06:30:00Z', 'America/New_York')?.wall).toEqual({
      y: 2026,
      mo: 11,
      d: 1,
      h: 1,
      mi: 30,
    });
    expect(parseScheduleTime('2026-11-01T06:30:00Z', 'America/New_York')?.ts).toBe(
      z('2026-11-01T06:30:00Z'),
    );
    for (const bad of [
      'tomorrow',
      '2026-02-30T10:00',
      '2026-13-01T00:00',
      '2026-01-01T24:00',
      '2026-01-01',
    ]) {
      expect(parseScheduleTime(bad, 'UTC'), bad).toBeNull();
    }
  });

  it('knows IANA zones and canonicalises their names', () => {
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(canonicalTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(canonicalTimeZone('Mars/Olympus_Mons')).toBeNull();
  });
});

describe('interval kinds (elapsed time from start)', () => {
  it('every 5/10/15/30 minutes and every hour from the start', () => {
    expect(
      next(sched('every_5_minutes', 'UTC', '2026-01-10T09:02'), '2026-01-10T09:20:00Z', 3),
    ).toEqual(['2026-01-10T09:22:00.000Z', '2026-01-10T09:27:00.000Z', '2026-01-10T09:32:00.000Z']);
    expect(
      next(sched('every_10_minutes', 'UTC', '2026-01-10T09:02'), '2026-01-10T09:00:00Z', 2),
    ).toEqual(['2026-01-10T09:02:00.000Z', '2026-01-10T09:12:00.000Z']);
    expect(
      next(sched('every_15_minutes', 'UTC', '2026-01-10T23:50'), '2026-01-10T23:50:00Z', 2),
    ).toEqual(['2026-01-11T00:05:00.000Z', '2026-01-11T00:20:00.000Z']);
    expect(
      next(sched('every_30_minutes', 'UTC', '2026-01-10T00:00'), '2026-03-01T10:15:00Z', 1),
    ).toEqual(['2026-03-01T10:30:00.000Z']);
  });

  it('keep firing through a repeated hour and across a gap (New York)', () => {
    const hourly = sched('every_hour', 'America/New_York', '2026-11-01T00:00');
    expect(next(hourly, '2026-11-01T03:59:00Z', 4)).toEqual([
      '2026-11-01T04:00:00.000Z', // 00:00 EDT
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
    const spring = sched('every_30_minutes', 'America/New_York', '2026-03-08T01:00');
    expect(next(spring, '2026-03-08T06:00:00Z', 3)).toEqual([
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-08T07:30:00.000Z', // 03:30 EDT
    ]);
  });
});

describe('daily and weekly (wall clock across DST)', () => {
  it('New York: spring-forward day fires at 03:00, fall-back day fires once', () => {
    expect(
      next(sched('daily', 'America/New_York', '2026-03-06T02:30'), '2026-03-06T00:00:00Z', 4),
    ).toEqual([
      '2026-03-06T07:30:00.000Z',
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z', // 02:30 does not exist: 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
    ]);
    expect(
      next(sched('daily', 'America/New_York', '2026-10-30T01:30'), '2026-10-30T00:00:00Z', 4),
    ).toEqual([
      '2026-10-30T05:30:00.000Z',
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; the 01:30 EST an hour later does not fire
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('Berlin: both transitions', () => {
    expect(
      next(sched('daily', 'Europe/Berlin', '2026-03-27T02:30'), '2026-03-27T00:00:00Z', 4),
    ).toEqual([
      '2026-03-27T01:30:00.000Z',
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(
      next(sched('daily', 'Europe/Berlin', '2026-10-24T02:30'), '2026-10-24T00:00:00Z', 3),
    ).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // first 02:30 (CEST) only
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('Sydney (southern hemisphere): October gap, April repeat', () => {
    expect(
      next(sched('daily', 'Australia/Sydney', '2026-10-02T02:30'), '2026-10-01T00:00:00Z', 4),
    ).toEqual([
      '2026-10-01T16:30:00.000Z',
      '2026-10-02T16:30:00.000Z',
      '2026-10-03T16:00:00.000Z', // Oct 4 02:30 does not exist: 03:00 AEDT
      '2026-10-04T15:30:00.000Z',
    ]);
    expect(
      next(sched('daily', 'Australia/Sydney', '2026-04-03T02:30'), '2026-04-02T00:00:00Z', 4),
    ).toEqual([
      '2026-04-02T15:30:00.000Z',
      '2026-04-03T15:30:00.000Z',
      '2026-04-04T15:30:00.000Z', // Apr 5 02:30 AEDT (first pass) only
      '2026-04-05T16:30:00.000Z',
    ]);
  });

  it('weekly keeps the weekday and wall time across the change', () => {
    expect(
      next(sched('weekly', 'America/New_York', '2026-03-02T09:00'), '2026-03-01T00:00:00Z', 3),
    ).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z']);
  });
});

describe('monthly and yearly', () => {
  it('monthly clamps the start day to each month end, and leap February', () => {
    expect(next(sched('monthly', 'UTC', '2026-01-31T10:00'), '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-01-31T10:00:00.000Z',
      '2026-02-28T10:00:00.000Z',
      '2026-03-31T10:00:00.000Z',
      '2026-04-30T10:00:00.000Z',
      '2026-05-31T10:00:00.000Z',
    ]);
    expect(next(sched('monthly', 'UTC', '2027-12-31T00:00'), '2027-12-31T00:00:00Z', 3)).toEqual([
      '2028-01-31T00:00:00.000Z',
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
    ]);
    expect(
      next(sched('monthly', 'Europe/Berlin', '2026-01-31T09:00'), '2026-02-01T00:00:00Z', 3),
    ).toEqual(['2026-02-28T08:00:00.000Z', '2026-03-31T07:00:00.000Z', '2026-04-30T07:00:00.000Z']);
  });

  it('yearly on Feb 29 fires Feb 28 in non-leap years', () => {
    expect(next(sched('yearly', 'UTC', '2024-02-29T12:00'), '2024-01-01T00:00:00Z', 5)).toEqual([
      '2024-02-29T12:00:00.000Z',
      '2025-02-28T12:00:00.000Z',
      '2026-02-28T12:00:00.000Z',
      '2027-02-28T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
    ]);
  });
});

describe('once, immediately, end', () => {
  it('once fires exactly at start, once', () => {
    const s = sched('once', 'America/New_York', '2026-05-01T08:15');
    expect(next(s, '2026-04-01T00:00:00Z', 3)).toEqual(['2026-05-01T12:15:00.000Z']);
    expect(nextAfter(s, z('2026-05-01T12:15:00Z'))).toBeNull();
  });

  it('immediately is its one stored instant', () => {
    const s: Schedule = {
      ...sched('immediately', 'UTC', null),
      startTs: z('2026-02-02T02:02:02.500Z'),
    };
    expect(next(s, '2026-02-02T02:02:00Z', 2)).toEqual(['2026-02-02T02:02:02.500Z']);
  });

  it('nothing fires after end', () => {
    const s = sched('daily', 'UTC', '2026-01-01T06:00', { endTs: z('2026-01-03T06:00:00Z') });
    expect(next(s, '2025-12-31T00:00:00Z', 10)).toEqual([
      '2026-01-01T06:00:00.000Z',
      '2026-01-02T06:00:00.000Z',
      '2026-01-03T06:00:00.000Z',
    ]);
  });

  it('occurrencesBetween lists (after, until] in order and honours the limit', () => {
    const s = sched('every_5_minutes', 'UTC', '2026-01-01T00:00');
    expect(
      iso(occurrencesBetween(s, z('2026-01-01T00:05:00Z'), z('2026-01-01T00:20:00Z'))),
    ).toEqual(['2026-01-01T00:10:00.000Z', '2026-01-01T00:15:00.000Z', '2026-01-01T00:20:00.000Z']);
    expect(
      occurrencesBetween(s, z('2026-01-01T00:00:00Z'), z('2026-02-01T00:00:00Z'), 7),
    ).toHaveLength(7);
  });
});

describe('cron (wall clock in the zone)', () => {
  const cron = (expr: string, tz: string, extra: Partial<Schedule> = {}): Schedule => ({
    ...sched('cron', tz, null),
    cron: expr,
    ...extra,
  });

  it('New York: a time in the gap fires at 03:00; a repeated time fires once', () => {
    expect(next(cron('30 2 * * *', 'America/New_York'), '2026-03-07T12:00:00Z', 2)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
    expect(next(cron('30 1 * * *', 'America/New_York'), '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(next(cron('*/30 * * * *', 'America/New_York'), '2026-11-01T04:50:00Z', 4)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T07:00:00.000Z', // 02:00 EST (01:00/01:30 EST are the same wall times again)
      '2026-11-01T07:30:00.000Z',
    ]);
    // Evaluating from inside the repeated hour does not go back to its first pass.
    expect(next(cron('*/30 * * * *', 'America/New_York'), '2026-11-01T06:10:00Z', 1)).toEqual([
      '2026-11-01T07:00:00.000Z',
    ]);
  });

  it('Berlin weekdays at 09:00 across spring-forward', () => {
    expect(next(cron('0 9 * * 1-5', 'Europe/Berlin'), '2026-03-27T00:00:00Z', 3)).toEqual([
      '2026-03-27T08:00:00.000Z', // Fri, CET
      '2026-03-30T07:00:00.000Z', // Mon, CEST
      '2026-03-31T07:00:00.000Z',
    ]);
  });

  it('Sydney: 02:15 on the October change day fires at 03:00 AEDT', () => {
    expect(next(cron('15 2 * * *', 'Australia/Sydney'), '2026-10-03T00:00:00Z', 2)).toEqual([
      '2026-10-03T16:00:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
  });

  it('leap days, month ends, start and end bounds', () => {
    expect(next(cron('0 0 29 2 *', 'UTC'), '2026-01-01T00:00:00Z', 1)).toEqual([
      '2028-02-29T00:00:00.000Z',
    ]);
    expect(next(cron('0 12 31 * *', 'UTC'), '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-31T12:00:00.000Z',
      '2026-03-31T12:00:00.000Z',
      '2026-05-31T12:00:00.000Z',
    ]);
    const bounded = cron('0 * * * *', 'UTC', {
      startTs: z('2026-06-01T10:00:00Z'),
      endTs: z('2026-06-01T12:00:00Z'),
    });
    expect(next(bounded, '2026-01-01T00:00:00Z', 5)).toEqual([
      '2026-06-01T10:00:00.000Z',
      '2026-06-01T11:00:00.000Z',
      '2026-06-01T12:00:00.000Z',
    ]);
  });

  it('validates five-field expressions', () => {
    expect(cronProblem('*/5 * * * *')).toBeNull();
    expect(cronProblem('0 9 * * MON-FRI')).toBeNull();
    expect(cronProblem('61 * * * *')).toMatch(/minute/);
    expect(cronProblem('* * * *')).toMatch(/5 fields/);
    expect(cronProblem('0 * * * * *')).toMatch(/5 fields/);
    expect(cronProblem('0 0 30 2 *')).toMatch(/never/);
  });
});
