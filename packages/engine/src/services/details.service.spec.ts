// Pure details-ingest rules: deep merge (empty never overwrites), reboot-time parsing and
// software normalisation.
import { describe, expect, it } from 'vitest';
import { deepMerge, isEmpty, normalizeSoftware, parseRebootTime } from './details.service.js';

describe('deepMerge', () => {
  it('merges objects key by key and keeps stored values where the report is empty', () => {
    const stored = { hostname: 'a', operating_system: 'Debian 12', nested: { x: 1, y: 2 }, ram: 8 };
    const incoming = { operating_system: '', nested: { y: 3, z: null }, ram: 0, domain: 'lan' };
    expect(deepMerge(stored, incoming)).toEqual({
      hostname: 'a',
      operating_system: 'Debian 12',
      nested: { x: 1, y: 3 },
      ram: 0,
      domain: 'lan',
    });
  });

  it('replaces lists wholesale when non-empty and keeps them when empty', () => {
    const disks = [{ drive: '/' }, { drive: '/data' }];
    expect(deepMerge(disks, [])).toBe(disks);
    expect(deepMerge(disks, [{ drive: '/' }])).toEqual([{ drive: '/' }]);
  });

  it('treats undefined, null, "", [] and {} as empty, and 0/false as values', () => {
    for (const v of [undefined, null, '', [], {}]) expect(isEmpty(v)).toBe(true);
    for (const v of [0, false, 'x', [0], { a: 1 }]) expect(isEmpty(v)).toBe(false);
    expect(deepMerge({ a: 1 }, {})).toEqual({ a: 1 });
    expect(deepMerge(undefined, { a: '' })).toEqual({});
    expect(deepMerge('old', { a: 1 })).toEqual({ a: 1 });
  });
});

describe('parseRebootTime', () => {
  it('reads the agent format as UTC and ISO times', () => {
    expect(parseRebootTime('2026-01-02 03:04:05')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseRebootTime('2026-01-02T03:04:05Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
  });

  it('ignores garbage and absurd dates', () => {
    for (const v of ['yesterday', '', '9999-01-01 00:00:00', 42, null]) {
      expect(parseRebootTime(v)).toBeUndefined();
    }
  });
});

describe('normalizeSoftware', () => {
  it('trims, lowercases name_normalized, strips NUL and drops blanks and exact duplicates', () => {
    expect(
      normalizeSoftware([
        { name: '  OpenSSL ', version: '3.0', source: 'dpkg' },
        { name: 'OpenSSL', version: '3.0', source: 'dpkg' },
        { name: 'OpenSSL', version: '3.1' },
        { name: '   ', version: '1' },
        { name: 'cu\u0000rl', version: '8' },
      ]),
    ).toEqual([
      { name: 'OpenSSL', name_normalized: 'openssl', version: '3.0', source: 'dpkg' },
      { name: 'OpenSSL', name_normalized: 'openssl', version: '3.1', source: '' },
      { name: 'curl', name_normalized: 'curl', version: '8', source: '' },
    ]);
  });
});
