// Heartbeat buffer and hostname rule without a database: many beats coalesce into one write per
// flush, samples are spaced, failures keep contact times, collisions keep the old name.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import type { MetricSample } from '../db/repositories/device-metrics.repository.js';
import type { HeartbeatWrite } from '../db/repositories/device.repository.js';
import type { Logger } from '../logging/log-manager.js';
import { assertSameDevice, clean, HeartbeatBuffer, HostnameRule } from './heartbeat.service.js';

function recorder() {
  const lines: string[] = [];
  const log: Logger = {
    debug: (m) => lines.push(`DEBUG ${m}`),
    info: (m) => lines.push(`INFO ${m}`),
    warn: (m) => lines.push(`WARN ${m}`),
    error: (m) => lines.push(`ERROR ${m}`),
  };
  return { lines, log };
}

function fakeRepos(failUpdates = 0) {
  const updates: HeartbeatWrite[][] = [];
  const appends: MetricSample[][] = [];
  const prunes: [number, readonly string[] | undefined][] = [];
  let failures = failUpdates;
  return {
    updates,
    appends,
    prunes,
    devices: {
      applyHeartbeats: async (rows: readonly HeartbeatWrite[]) => {
        if (failures-- > 0) throw new Error('database is down');
        updates.push(rows.map((r) => ({ ...r })));
      },
    },
    metrics: {
      append: async (s: readonly MetricSample[]) => void appends.push([...s]),
      prune: async (before: number, guids?: readonly string[]) => {
        prunes.push([before, guids]);
        return 0;
      },
    },
  };
}

describe('HeartbeatBuffer', () => {
  it('coalesces beats per device into one write per flush; later values win', async () => {
    const clock = new FakeClock();
    const r = fakeRepos();
    const buf = new HeartbeatBuffer(r.devices, r.metrics, clock, recorder().log);
    const t0 = clock.now();
    for (let i = 0; i < 50; i += 1) {
      buf.enqueue({
        guid: `g${i % 5}`,
        last_seen: t0 + i,
        internal_ip: i < 45 ? `10.0.0.${i}` : null,
      });
    }
    buf.enqueue({ guid: 'g0', last_seen: t0 - 5000 });
    expect(buf.size).toBe(5);
    await buf.flush();
    expect(r.updates).toHaveLength(1);
    const g0 = r.updates[0]!.find((w) => w.guid === 'g0');
    expect(g0).toMatchObject({ last_seen: t0 + 45, internal_ip: '10.0.0.40' });
    await buf.flush();
    expect(r.updates).toHaveLength(1);
    await buf.close();
  });

  it('stores at most one sample per device per minute and prunes old ones', async () => {
    const clock = new FakeClock();
    const r = fakeRepos();
    const buf = new HeartbeatBuffer(r.devices, r.metrics, clock, recorder().log);
    const t0 = clock.now();
    buf.enqueue({ guid: 'a', last_seen: t0 }, { cpu_percent: 10, memory_percent: 20 });
    buf.enqueue({ guid: 'a', last_seen: t0 + 30_000 }, { cpu_percent: 11, memory_percent: 21 });
    buf.enqueue({ guid: 'a', last_seen: t0 + 60_000 }, { cpu_percent: 12, memory_percent: 22 });
    await buf.flush();
    expect(r.appends).toEqual([
      [
        { guid: 'a', ts: t0, cpu_percent: 10, memory_percent: 20 },
        { guid: 'a', ts: t0 + 60_000, cpu_percent: 12, memory_percent: 22 },
      ],
    ]);
    expect(r.prunes).toEqual([[clock.now() - 24 * 3600_000, ['a']]]);
    await buf.close();
  });

  it('keeps contact times after a failed write and retries them on the next flush', async () => {
    const clock = new FakeClock();
    const r = fakeRepos(1);
    const { lines, log } = recorder();
    const buf = new HeartbeatBuffer(r.devices, r.metrics, clock, log);
    buf.enqueue({ guid: 'a', last_seen: 100 });
    await buf.flush();
    expect(lines.some((l) => l.startsWith('ERROR heartbeat flush of 1 devices failed'))).toBe(true);
    buf.enqueue({ guid: 'b', last_seen: 200 });
    await buf.close();
    expect(r.updates).toEqual([
      [
        { guid: 'a', last_seen: 100 },
        { guid: 'b', last_seen: 200 },
      ],
    ]);
  });

  it('flushes on its own timer within the interval', async () => {
    const r = fakeRepos();
    const buf = new HeartbeatBuffer(r.devices, r.metrics, new FakeClock(), recorder().log, {
      flushIntervalMs: 20,
    });
    buf.touch('a', 1);
    buf.touch('a', 2);
    await new Promise((res) => setTimeout(res, 80));
    expect(r.updates).toEqual([[{ guid: 'a', last_seen: 2 }]]);
    await buf.close();
  });
});

describe('HostnameRule', () => {
  const holders = new Map([['taken', 'other-guid']]);
  const renamed: [string, string][] = [];
  const repo = {
    findByHostname: async (h: string) =>
      holders.has(h) ? { guid: holders.get(h)!, hostname: h } : null,
    setHostname: async (guid: string, h: string) => {
      renamed.push([guid, h]);
      return true;
    },
  };

  it('keeps the old name and warns when another device holds the new one', async () => {
    const { lines, log } = recorder();
    const rule = new HostnameRule(repo, new FakeClock(), log);
    expect(await rule.apply({ guid: 'me', hostname: 'old' }, 'taken')).toBe('old');
    expect(renamed).toEqual([]);
    expect(lines).toEqual([
      'WARN device me reported hostname taken, already used by other-guid; keeping old',
    ]);
  });

  it('applies a free name, and ignores blank or unchanged ones', async () => {
    const rule = new HostnameRule(repo, new FakeClock(), recorder().log);
    expect(await rule.apply({ guid: 'me', hostname: 'old' }, ' new\u0000 ')).toBe('new');
    expect(await rule.apply({ guid: 'me', hostname: 'old' }, '   ')).toBe('old');
    expect(await rule.apply({ guid: 'me', hostname: 'old' }, 'old')).toBe('old');
    expect(renamed).toEqual([['me', 'new']]);
  });
});

describe('guards', () => {
  it('assertSameDevice refuses another GUID, case-insensitively equal ones pass', () => {
    expect(() => assertSameDevice({ guid: 'abc', hostname: 'h' }, 'ABC')).not.toThrow();
    expect(() => assertSameDevice({ guid: 'abc', hostname: 'h' }, undefined)).not.toThrow();
    expect(() => assertSameDevice({ guid: 'abc', hostname: 'h' }, 'abd')).toThrow(
      expect.objectContaining({ statusCode: 403, code: 'guid_mismatch' }),
    );
  });

  it('clean strips NUL and whitespace and turns blanks into undefined', () => {
    expect(clean(' a\u0000b ')).toBe('ab');
    expect(clean(' \u0000 ')).toBeUndefined();
    expect(clean(undefined)).toBeUndefined();
  });
});
