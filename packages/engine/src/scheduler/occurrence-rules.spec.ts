// How statuses combine (component runs → target row → occurrence), the API's result_counts and
// last_status, and target resolution (strict validation vs. frozen rows at fire time).
import { describe, expect, it } from 'vitest';
import type { TargetDevice } from '../db/repositories/quick-job.repository.js';
import { AppError } from '../http/errors.js';
import {
  combineStatuses,
  countResults,
  lastStatus,
  resolveJobTargets,
  type TargetLookup,
} from './occurrence-rules.js';

describe('combineStatuses', () => {
  it('open states: all Pending → Pending, any progress → Running', () => {
    expect(combineStatuses([])).toBeNull();
    expect(combineStatuses(['Pending', 'Pending'])).toBe('Pending');
    expect(combineStatuses(['Pending', 'Running'])).toBe('Running');
    expect(combineStatuses(['Success', 'Pending'])).toBe('Running');
    expect(combineStatuses(['Skipped', 'Pending'])).toBe('Pending');
  });
  it('final states: the worst wins; Skipped only when all skipped', () => {
    expect(combineStatuses(['Success', 'Success'])).toBe('Success');
    expect(combineStatuses(['Success', 'Failed'])).toBe('Failed');
    expect(combineStatuses(['Failed', 'Expired'])).toBe('Expired');
    expect(combineStatuses(['Expired', 'Timed Out', 'Success'])).toBe('Timed Out');
    expect(combineStatuses(['Success', 'Canceled'])).toBe('Canceled');
    expect(combineStatuses(['Skipped', 'Success'])).toBe('Success');
    expect(combineStatuses(['Skipped', 'Skipped'])).toBe('Skipped');
  });
});

describe('result counts and last_status', () => {
  it('counts each status and the total', () => {
    expect(
      countResults(['Success', 'Success', 'Failed', 'Skipped', 'Pending', 'Timed Out']),
    ).toEqual({
      pending: 1,
      running: 0,
      success: 2,
      failed: 1,
      expired: 0,
      timed_out: 1,
      canceled: 0,
      skipped: 1,
      total_targets: 6,
    });
  });
  it('Running > Timed Out > Expired > Failed > Success, else Scheduled', () => {
    expect(lastStatus(null)).toBe('Scheduled');
    expect(lastStatus(countResults(['Pending', 'Timed Out']))).toBe('Running');
    expect(lastStatus(countResults(['Failed', 'Timed Out', 'Expired']))).toBe('Timed Out');
    expect(lastStatus(countResults(['Failed', 'Expired']))).toBe('Expired');
    expect(lastStatus(countResults(['Success', 'Failed']))).toBe('Failed');
    expect(lastStatus(countResults(['Success']))).toBe('Success');
    expect(lastStatus(countResults(['Skipped']))).toBe('Scheduled');
  });
});

describe('resolveJobTargets', () => {
  const dev = (guid: string, hostname: string, status = 'active'): TargetDevice => ({
    guid,
    hostname,
    status,
  });
  const devices = [
    dev('g1', 'Alpha'),
    dev('g2', 'beta', 'revoked'),
    dev('g3', 'gamma', 'quarantined'),
    dev('g4', 'delta'),
  ];
  const src: TargetLookup = {
    devicesByGuids: async (g) => devices.filter((d) => g.includes(d.guid)),
    devicesByLowerHostnames: async (l) =>
      devices.filter((d) => l.includes(d.hostname.toLowerCase())),
    devicesBySite: async (id) => (id === 's1' ? [devices[3]!, devices[0]!] : []),
    siteExists: async (id) => id === 's1',
    filterMatches: async () => [devices[1]!],
    filterExists: async (id) => id === 'f1',
  };

  it('freezes each device once, in order, with skip reasons', async () => {
    const out = await resolveJobTargets(
      [
        'ALPHA',
        { kind: 'device', guid: 'g3' },
        { kind: 'site', site_id: 's1' },
        { kind: 'filter', filter_id: 'f1' },
        'ghost',
      ],
      src,
      false,
    );
    expect(out).toEqual([
      { guid: 'g1', hostname: 'Alpha', skip: null },
      { guid: 'g3', hostname: 'gamma', skip: 'device_quarantined' },
      { guid: 'g4', hostname: 'delta', skip: null },
      { guid: 'g2', hostname: 'beta', skip: 'device_revoked' },
      { guid: null, hostname: 'ghost', skip: 'device_not_found' },
    ]);
  });

  it('strict mode names the first unknown target', async () => {
    for (const [targets, field] of [
      [['alpha', 'ghost'], 'targets.1'],
      [[{ kind: 'device', guid: 'nope' }], 'targets.0'],
      [['alpha', { kind: 'site', site_id: 'nope' }], 'targets.1'],
      [[{ kind: 'filter', filter_id: 'nope' }], 'targets.0'],
    ] as const) {
      const err = await resolveJobTargets(targets as never, src, true).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('unknown_targets');
      expect((err as AppError).extra.field).toBe(field);
    }
  });

  it('a deleted site or filter contributes nothing at fire time', async () => {
    expect(
      await resolveJobTargets(
        [
          { kind: 'site', site_id: 'gone' },
          { kind: 'filter', filter_id: 'gone' },
        ],
        src,
        false,
      ),
    ).toEqual([]);
  });
});
