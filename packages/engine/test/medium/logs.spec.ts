// Log management API on SQLite and PostgreSQL: families and rotations, the parsed tail, the
// retention policy (prunes rotated files only), truncate/delete, admin-only access, and that no name
// reaches a path outside Engine/Logs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LogEntriesSchema, LogListSchema, RetentionResultSchema } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

/** 2026-06-30 12:00 local time: the fake "now" of these tests. */
const NOW = new Date(2026, 5, 30, 12, 0, 0).getTime();
const APP_FILES = new Set(['api.log', 'engine.log', 'error.log']);

const ENGINE_LINES = [
  '2026-06-30 08:00:00,001-engine-INFO: Borealis Engine listening',
  '2026-06-30 08:00:01,250-device_enrollment-WARNING: slow request',
  'a line in no known format',
];
const SERVICE_LINES = [
  '[2026-06-30 09:15:00] [INFO][CONTEXT-SYSTEM] enrollment request received',
  '[2026-06-30 09:15:02] [ERROR][CONTEXT-CURRENTUSER] proof rejected',
];

describe.each(DIALECTS)('log management API (%s)', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let viewer: Record<string, string>;
  let dir: string;
  const file = (name: string) => path.join(dir, name);
  const put = (name: string, text: string) => fs.writeFileSync(file(name), text);

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await apiKeyHeaders(t, 'Admin');
    viewer = await apiKeyHeaders(t, 'Viewer');
    dir = t.ctx.logs.dir;
  });
  afterAll(() => t.close());
  beforeEach(() => {
    t.clock.set(NOW);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of fs.readdirSync(dir))
      if (!APP_FILES.has(f)) fs.rmSync(file(f), { recursive: true });
    put('fixture.log', `${ENGINE_LINES.join('\n')}\n`);
    put('device_enrollment.log', `${SERVICE_LINES.join('\n')}\n`);
    put('device_enrollment.log.2026-06-01', 'old\n');
    put('device_enrollment.log.2026-06-25', 'recent\n');
    put('device_enrollment.log.2026-06-29', 'yesterday\n');
    put('fixture.log.2026-05-01', 'very old\n');
  });

  const call = (
    method: 'GET' | 'PUT' | 'DELETE',
    url: string,
    headers = admin,
    payload?: Record<string, unknown>,
  ) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });

  it('lists families with live size, rotations (newest first) and retention', async () => {
    put('notes.txt', 'not a log');
    fs.mkdirSync(file('VPN_Tunnel'));
    const res = await call('GET', '/api/server/logs');
    expect(res.statusCode).toBe(200);
    const body = LogListSchema.parse(res.json());
    expect(body.default_retention_days).toBeNull();
    const dev = body.logs.find((l) => l.name === 'device_enrollment')!;
    expect(dev).toMatchObject({
      file: 'device_enrollment.log',
      size_bytes: fs.statSync(file('device_enrollment.log')).size,
      retention_days: null,
    });
    expect(dev.modified_at).toEqual(expect.any(Number));
    expect(dev.rotations).toEqual([
      { file: 'device_enrollment.log.2026-06-29', date: '2026-06-29', size_bytes: 10 },
      { file: 'device_enrollment.log.2026-06-25', date: '2026-06-25', size_bytes: 7 },
      { file: 'device_enrollment.log.2026-06-01', date: '2026-06-01', size_bytes: 4 },
    ]);
    const names = body.logs.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['fixture', 'device_enrollment']));
    expect(names).not.toContain('notes');
    expect(names).not.toContain('VPN_Tunnel');
  });

  it('is for admins only: a viewer gets 403 and an anonymous caller 401', async () => {
    const urls: ['GET' | 'PUT' | 'DELETE', string, Record<string, unknown>?][] = [
      ['GET', '/api/server/logs'],
      ['GET', '/api/server/logs/fixture/entries'],
      ['PUT', '/api/server/logs/retention', { default_days: 1 }],
      ['DELETE', '/api/server/logs/fixture?scope=family'],
    ];
    for (const [method, url, body] of urls) {
      const denied = await call(method, url, viewer, body);
      expect(denied.statusCode, `${method} ${url}`).toBe(403);
      expect(denied.json()).toMatchObject({ error: 'forbidden' });
      expect((await call(method, url, {}, body)).statusCode).toBe(401);
    }
    // Nothing was pruned or truncated by the refused calls.
    expect(fs.readFileSync(file('fixture.log'), 'utf8')).toContain('listening');
    expect(fs.existsSync(file('device_enrollment.log.2026-06-01'))).toBe(true);
  });

  it('parses engine-style and service-style lines of the tail', async () => {
    const engine = LogEntriesSchema.parse(
      (await call('GET', '/api/server/logs/fixture/entries')).json(),
    );
    expect(engine.name).toBe('fixture');
    expect(engine.entries).toEqual([
      {
        timestamp: '2026-06-30 08:00:00,001',
        level: 'INFO',
        scope: null,
        service: 'engine',
        message: 'Borealis Engine listening',
        raw: ENGINE_LINES[0],
      },
      {
        timestamp: '2026-06-30 08:00:01,250',
        level: 'WARNING',
        scope: null,
        service: 'device_enrollment',
        message: 'slow request',
        raw: ENGINE_LINES[1],
      },
      {
        timestamp: null,
        level: null,
        scope: null,
        service: 'fixture',
        message: ENGINE_LINES[2],
        raw: ENGINE_LINES[2],
      },
    ]);
    const svc = (await call('GET', '/api/server/logs/device_enrollment.log/entries')).json();
    expect(svc.entries).toEqual([
      {
        timestamp: '2026-06-30 09:15:00',
        level: 'INFO',
        scope: 'SYSTEM',
        service: 'device_enrollment',
        message: 'enrollment request received',
        raw: SERVICE_LINES[0],
      },
      {
        timestamp: '2026-06-30 09:15:02',
        level: 'ERROR',
        scope: 'CURRENTUSER',
        service: 'device_enrollment',
        message: 'proof rejected',
        raw: SERVICE_LINES[1],
      },
    ]);
    const rotated = (
      await call('GET', '/api/server/logs/device_enrollment.log.2026-06-25/entries')
    ).json();
    expect(rotated.entries.map((e: { raw: string }) => e.raw)).toEqual(['recent']);
  });

  it('returns only the last `limit` lines (≤ 2000) of a large file', async () => {
    const lines = Array.from(
      { length: 30_000 },
      (_, i) => `[2026-06-30 10:00:00] [INFO][CONTEXT-SYSTEM] line ${i} ${'x'.repeat(60)}`,
    );
    put('big.log', `${lines.join('\n')}\n`);
    const last5 = (await call('GET', '/api/server/logs/big/entries?limit=5')).json();
    expect(
      last5.entries.map((e: { message: string }) => e.message.split(' ').slice(0, 2).join(' ')),
    ).toEqual(['line 29995', 'line 29996', 'line 29997', 'line 29998', 'line 29999']);
    const max = (await call('GET', '/api/server/logs/big/entries?limit=2000')).json();
    expect(max.entries).toHaveLength(2000);
    expect(max.entries[0].message).toMatch(/^line 28000 /);
    expect((await call('GET', '/api/server/logs/big/entries')).json().entries).toHaveLength(200);
    const tooMany = await call('GET', '/api/server/logs/big/entries?limit=2001');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answers 404 log_not_found for an unknown log or rotation', async () => {
    for (const url of [
      '/api/server/logs/nothing/entries',
      '/api/server/logs/fixture.log.2020-01-01/entries',
    ]) {
      const res = await call('GET', url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: 'log_not_found' });
    }
    const del = await call('DELETE', '/api/server/logs/nothing');
    expect(del.statusCode).toBe(404);
    expect(del.json()).toMatchObject({ error: 'log_not_found' });
  });

  it('keeps everything by default; a retention policy prunes old ROTATED files only', async () => {
    // Live files older than any policy are never touched.
    const old = (NOW - 400 * 86_400_000) / 1000;
    fs.utimesSync(file('fixture.log'), old, old);
    expect(await t.ctx.services.logs.pruneRotated()).toEqual([]);

    const res = await call('PUT', '/api/server/logs/retention', admin, { default_days: 7 });
    expect(res.statusCode).toBe(200);
    expect(RetentionResultSchema.parse(res.json())).toEqual({
      default_retention_days: 7,
      overrides: {},
      pruned: ['device_enrollment.log.2026-06-01', 'fixture.log.2026-05-01'],
    });
    expect(
      fs
        .readdirSync(dir)
        .filter((f) => /^(fixture|device_enrollment)/.test(f))
        .sort(),
    ).toEqual([
      'device_enrollment.log',
      'device_enrollment.log.2026-06-25',
      'device_enrollment.log.2026-06-29',
      'fixture.log',
    ]);
    expect(JSON.parse(fs.readFileSync(file('retention_policy.json'), 'utf8'))).toEqual({
      default_days: 7,
      overrides: {},
    });
    const list = LogListSchema.parse((await call('GET', '/api/server/logs')).json());
    expect(list.default_retention_days).toBe(7);
    expect(list.logs.find((l) => l.name === 'device_enrollment')?.retention_days).toBe(7);

    const audit = await t.ctx.services.audit.page({
      page: 1,
      page_size: 10,
      action: 'log.retention',
      outcome: 'success',
    });
    expect(audit.total).toBe(1);
  });

  it('per-family overrides win over the default, and the daily prune applies the saved policy', async () => {
    const res = await call('PUT', '/api/server/logs/retention', admin, {
      default_days: 2,
      overrides: { 'device_enrollment.log': null },
    });
    expect(res.json()).toEqual({
      default_retention_days: 2,
      overrides: { device_enrollment: null },
      pruned: ['fixture.log.2026-05-01'],
    });
    expect(fs.existsSync(file('device_enrollment.log.2026-06-01'))).toBe(true);

    // Replacing the overrides drops the old one, so the default now applies to device_enrollment.
    const replaced = await call('PUT', '/api/server/logs/retention', admin, {
      overrides: { fixture: 30 },
    });
    expect(replaced.json()).toEqual({
      default_retention_days: 2,
      overrides: { fixture: 30 },
      pruned: ['device_enrollment.log.2026-06-01', 'device_enrollment.log.2026-06-25'],
    });
    // The daily prune, three days later, applies the saved policy again.
    t.clock.set(NOW + 3 * 86_400_000);
    expect(await t.ctx.services.logs.pruneRotated()).toEqual(['device_enrollment.log.2026-06-29']);
    expect(fs.existsSync(file('device_enrollment.log'))).toBe(true);

    const bad = await call('PUT', '/api/server/logs/retention', admin, {
      overrides: { '../etc': 1 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_log_name', field: 'overrides' });
    const zero = await call('PUT', '/api/server/logs/retention', admin, { default_days: 0 });
    expect(zero.statusCode).toBe(400);
  });

  it('DELETE scope=file truncates the live file; scope=family also deletes its rotations', async () => {
    const one = await call('DELETE', '/api/server/logs/device_enrollment?scope=file');
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ deleted: [], truncated: ['device_enrollment.log'] });
    expect(fs.statSync(file('device_enrollment.log')).size).toBe(0);
    expect(fs.existsSync(file('device_enrollment.log.2026-06-01'))).toBe(true);

    const rotated = await call('DELETE', '/api/server/logs/device_enrollment.log.2026-06-01');
    expect(rotated.json()).toEqual({
      deleted: ['device_enrollment.log.2026-06-01'],
      truncated: [],
    });
    expect(fs.existsSync(file('device_enrollment.log.2026-06-25'))).toBe(true);

    const family = await call('DELETE', '/api/server/logs/device_enrollment?scope=family');
    expect(family.json()).toEqual({
      deleted: ['device_enrollment.log.2026-06-29', 'device_enrollment.log.2026-06-25'],
      truncated: ['device_enrollment.log'],
    });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('device_enrollment'))).toEqual([
      'device_enrollment.log',
    ]);

    // The engine keeps writing to its own (truncated) live file.
    await call('DELETE', '/api/server/logs/api.log?scope=file');
    t.ctx.logs.engine.info('after truncation');
    await t.ctx.logs.close();
    expect(fs.readFileSync(file('engine.log'), 'utf8')).toContain('after truncation');
  });

  it('never reaches outside Engine/Logs, whatever the name', async () => {
    const outside = path.join(t.root, 'Engine', 'secret.log');
    fs.writeFileSync(outside, 'do not touch\n');
    fs.symlinkSync(outside, file('evil.log'));
    fs.symlinkSync(outside, file('evil.log.2026-06-01'));
    const names = [
      '..%2Fsecret',
      '..%2Fsecret.log',
      '..',
      '...',
      '%2E%2E',
      '..%5Csecret',
      'evil',
      'evil.log.2026-06-01',
      '.log',
      '%2Fetc%2Fpasswd',
    ];
    for (const name of names) {
      for (const [method, url] of [
        ['GET', `/api/server/logs/${name}/entries`],
        ['DELETE', `/api/server/logs/${name}?scope=family`],
      ] as const) {
        const res = await call(method, url);
        expect([400, 404], `${method} ${url} → ${res.statusCode}`).toContain(res.statusCode);
        expect(res.body).not.toContain('do not touch');
      }
    }
    expect(fs.readFileSync(outside, 'utf8')).toBe('do not touch\n');
    expect(fs.lstatSync(file('evil.log')).isSymbolicLink()).toBe(true);
    const listed = LogListSchema.parse((await call('GET', '/api/server/logs')).json());
    expect(listed.logs.map((l) => l.name)).not.toContain('evil');
  });
});
