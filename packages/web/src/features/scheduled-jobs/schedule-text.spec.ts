// Schedules in words, fire times in the job's zone, and the editor draft → request body mapping
// (ordered components with typed values, unset values left to the engine, expiration flag).
import type { AssemblySummary, ScheduledJob } from '@borealis/protocol';
import { describe, expect, it } from 'vitest';
import { bodyOf, emptyDraft, nextHourIn, scheduleOf, type JobDraft } from './job-draft';
import { describeSchedule, formatInZone } from './schedule-text';

const sched = (over: Partial<ScheduledJob['schedule']>): ScheduledJob['schedule'] => ({
  type: 'daily',
  start: '2026-03-02T09:30',
  cron: null,
  timezone: 'Europe/Paris',
  end: null,
  ...over,
});

describe('describeSchedule', () => {
  it('says each kind in words with the zone', () => {
    expect(describeSchedule(sched({}))).toBe('Every day at 09:30 (Europe/Paris)');
    // 2026-03-02 is a Monday.
    expect(describeSchedule(sched({ type: 'weekly' }))).toBe(
      'Every Monday at 09:30 (Europe/Paris)',
    );
    expect(describeSchedule(sched({ type: 'monthly', start: '2026-01-31T23:00' }))).toBe(
      'Monthly on the 31st at 23:00 (Europe/Paris)',
    );
    expect(describeSchedule(sched({ type: 'yearly', start: '2028-02-29T06:05' }))).toBe(
      'Every year on 29 Feb at 06:05 (Europe/Paris)',
    );
    expect(describeSchedule(sched({ type: 'every_15_minutes', timezone: 'UTC' }))).toBe(
      'Every 15 minutes from 09:30 (UTC)',
    );
    expect(describeSchedule(sched({ type: 'every_hour' }))).toBe(
      'Every hour at minute 30 (Europe/Paris)',
    );
    expect(describeSchedule(sched({ type: 'once' }))).toBe(
      'Once on 2 Mar 2026 at 09:30 (Europe/Paris)',
    );
    expect(describeSchedule(sched({ type: 'cron', cron: '0 3 * * 1-5', start: null }))).toBe(
      'Cron 0 3 * * 1-5 (Europe/Paris)',
    );
  });

  it('shows fire times as wall clocks of the job zone', () => {
    const ts = Date.UTC(2026, 6, 1, 7, 30); // 09:30 in Paris (CEST), 03:30 in New York (EDT)
    expect(formatInZone(ts, 'Europe/Paris')).toMatch(/09:30/);
    expect(formatInZone(ts, 'America/New_York')).toMatch(/03:30/);
    expect(formatInZone(null, 'UTC')).toBe('—');
  });
});

describe('job draft', () => {
  const assembly = {
    assembly_guid: 'a-1',
    variables: [
      { name: 'who', type: 'string', default: 'x', required: false, label: '', description: '' },
      { name: 'n', type: 'number', default: null, required: false, label: '', description: '' },
    ],
  } as unknown as AssemblySummary;

  it('maps a draft to the request body', () => {
    const draft: JobDraft = {
      ...emptyDraft(),
      name: '  Nightly ',
      components: [
        { key: 'k1', assembly_guid: 'a-1', values: { who: 'ops', n: null } },
        { key: 'k2', assembly_guid: 'gone', values: {} },
      ],
      targets: [{ kind: 'site', site_id: 's-1' }],
      type: 'daily',
      start: '2026-03-02T09:30',
      timezone: 'Asia/Tokyo',
      expiration: '2d',
    };
    expect(bodyOf(draft, [assembly])).toEqual({
      name: 'Nightly',
      components: [
        { type: 'script', assembly_guid: 'a-1', variable_values: { who: 'ops' } },
        { type: 'script', assembly_guid: 'gone', variable_values: {} },
      ],
      targets: [{ kind: 'site', site_id: 's-1' }],
      schedule: {
        type: 'daily',
        start: '2026-03-02T09:30',
        cron: null,
        timezone: 'Asia/Tokyo',
        end: null,
      },
      duration: { stopAfterEnabled: true, expiration: '2d' },
      execution_context: 'system',
      enabled: true,
    });
  });

  it('sends no start for immediately and the trimmed expression for cron', () => {
    const base = { ...emptyDraft(), start: '2026-03-02T09:30' };
    expect(scheduleOf({ ...base, type: 'immediately' }).start).toBeNull();
    expect(scheduleOf({ ...base, type: 'cron', cron: ' */5 * * * * ', start: '' })).toMatchObject({
      cron: '*/5 * * * *',
      start: null,
    });
  });

  it('defaults to the next whole hour as a wall clock of the zone', () => {
    expect(nextHourIn('UTC')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:00$/);
  });
});
