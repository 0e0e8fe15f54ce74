// Device filters (reference §2.4, §10) on both dialects with identical expectations: every field
// family and every operator (case-insensitive, NULL as empty), AND/OR precedence inside and across
// groups, site scope, LIKE wildcards and SQL injection attempts taken literally, CRUD with match
// counts, and the preview (count + first 20 by hostname).
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_AFTER_MS } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite } from '../support/trust-agent.js';

type Cond = { field: string; operator: string; value?: string; join_with?: 'AND' | 'OR' };
type Group = { join_with?: 'AND' | 'OR'; conditions: Cond[] };

const REBOOT = Date.UTC(2026, 0, 15, 8, 30, 0);
/** Stands for site A's name, which only exists once beforeAll ran. */
const SITE_A = '<site A>';

describe.each(DIALECTS)('device filters (%s)', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let siteA: string;
  let siteAName: string;
  let siteB: string;
  const guid: Record<string, string> = {};

  async function device(hostname: string, over: Record<string, unknown>): Promise<void> {
    guid[hostname] = crypto.randomUUID();
    await t.ctx.db
      .insertInto('devices')
      .values({
        guid: guid[hostname],
        hostname,
        description: '',
        created_at: t.clock.now(),
        ...over,
      })
      .execute();
  }

  const preview = (groups: Group[], extra: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/device_filters/preview',
      headers: viewer,
      payload: { site_scope: 'global', groups, ...extra },
    });

  async function matches(groups: Group[], extra: Record<string, unknown> = {}): Promise<string[]> {
    const res = await preview(groups, extra);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ count: number; devices: { guid: string; hostname: string }[] }>();
    expect(body.count).toBe(body.devices.length);
    for (const d of body.devices) expect(guid[d.hostname]).toBe(d.guid);
    return body.devices.map((d) => d.hostname).sort();
  }

  const one = (field: string, operator: string, value = '') => [
    { conditions: [{ field, operator, value }] },
  ];

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await apiKeyHeaders(t, 'Admin');
    operator = await apiKeyHeaders(t, 'Operator');
    viewer = await apiKeyHeaders(t, 'Viewer');
    siteAName = `Site-A-${dialect}`;
    siteA = (await createSite(t, admin, { name: siteAName })).id;
    siteB = (await createSite(t, admin)).id;
    const now = t.clock.now();
    await device('web-01', {
      description: 'Front 50%_off',
      operating_system: 'Debian GNU/Linux 12',
      device_type: 'Server',
      agent_build_id: '1.4.0',
      last_user: 'alice',
      internal_ip: '10.0.0.5',
      external_ip: '203.0.113.7',
      domain: 'corp.example',
      agent_id: 'web-01_SYSTEM',
      site_id: siteA,
      last_seen: now,
      last_reboot: REBOOT,
    });
    await device('WEB-02', {
      description: 'Back office',
      operating_system: 'Ubuntu 24.04 LTS',
      device_type: 'Virtual Machine',
      agent_build_id: '1.3.2',
      last_user: 'BOB',
      internal_ip: '10.0.0.6',
      site_id: siteA,
      last_seen: now - OFFLINE_AFTER_MS - 1,
    });
    await device('db-01', {
      operating_system: 'Debian GNU/Linux 11',
      device_type: 'Server',
      agent_build_id: '1.4.0',
      internal_ip: '192.168.1.10',
      site_id: siteB,
    });
    await device("o'brien-laptop", {
      description: "x' OR '1'='1",
      operating_system: 'Windows 11 Pro',
      device_type: 'Workstation',
      agent_build_id: '1.4.1',
      last_user: 'Carol',
      external_ip: '198.51.100.9',
      last_seen: now - OFFLINE_AFTER_MS,
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const ALL = ['WEB-02', 'db-01', "o'brien-laptop", 'web-01'];
  const operatorCases: [string, string, string, string[]][] = [
    ['hostname', 'contains', 'web', ['WEB-02', 'web-01']],
    ['hostname', 'contains', 'WeB', ['WEB-02', 'web-01']],
    ['hostname', 'not_contains', 'web', ['db-01', "o'brien-laptop"]],
    ['hostname', 'begins_with', 'DB', ['db-01']],
    ['hostname', 'not_begins_with', 'web', ['db-01', "o'brien-laptop"]],
    ['hostname', 'ends_with', '-02', ['WEB-02']],
    ['hostname', 'not_ends_with', '01', ['WEB-02', "o'brien-laptop"]],
    ['hostname', 'equals', 'web-02', ['WEB-02']],
    ['hostname', 'not_equals', 'WEB-01', ['WEB-02', 'db-01', "o'brien-laptop"]],
    ['lastUser', 'empty', '', ['db-01']],
    ['lastUser', 'not_empty', 'ignored', ['WEB-02', "o'brien-laptop", 'web-01']],
    ['lastUser', 'equals', 'bob', ['WEB-02']],
    ['lastUser', 'not_equals', 'bob', ['db-01', "o'brien-laptop", 'web-01']],
    ['description', 'empty', '', ['db-01']],
    ['externalIp', 'empty', '', ['WEB-02', 'db-01']],
    ['status', 'equals', 'online', ["o'brien-laptop", 'web-01']],
    ['status', 'equals', 'Offline', ['WEB-02', 'db-01']],
    ['site', 'equals', SITE_A, ['WEB-02', 'web-01']],
    ['site', 'empty', '', ["o'brien-laptop"]],
    ['os', 'contains', 'debian', ['db-01', 'web-01']],
    ['type', 'equals', 'server', ['db-01', 'web-01']],
    ['agentVersion', 'begins_with', '1.4', ['db-01', "o'brien-laptop", 'web-01']],
    ['internalIp', 'begins_with', '10.0.0.', ['WEB-02', 'web-01']],
    ['domain', 'ends_with', '.EXAMPLE', ['web-01']],
    ['agentId', 'contains', '_system', ['web-01']],
    ['lastReboot', 'begins_with', '2026-01-15', ['web-01']],
    ['lastReboot', 'equals', '2026-01-15 08:30:00', ['web-01']],
    ['lastSeen', 'empty', '', ['db-01']],
    // LIKE wildcards and the escape character are literal text.
    ['description', 'contains', '%', ['web-01']],
    ['description', 'contains', '_', ['web-01']],
    ['description', 'contains', '50%_o', ['web-01']],
    ['description', 'contains', '\\', []],
    ['hostname', 'equals', '%', []],
    // Injection attempts are just values.
    ['description', 'contains', "' OR '1'='1", ["o'brien-laptop"]],
    ['hostname', 'equals', "x'; DROP TABLE devices; --", []],
    ['hostname', 'contains', "o'brien", ["o'brien-laptop"]],
    ['hostname', 'contains', '" OR 1=1 --', []],
    ['hostname', 'equals', 'web-\u000001', ['web-01']],
  ];

  it.each(operatorCases)('%s %s %j', async (field, op, value, expected) => {
    const v = value === SITE_A ? siteAName.toLowerCase() : value;
    expect(await matches(one(field, op, v))).toEqual([...expected].sort());
  });

  it('matches a device by its GUID in any case', async () => {
    expect(await matches(one('agentGuid', 'equals', guid['db-01']!.toUpperCase()))).toEqual([
      'db-01',
    ]);
    const count = await t.ctx.db
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(4);
  });

  it('combines conditions and groups with AND binding tighter than OR', async () => {
    expect(await matches([])).toEqual([...ALL].sort());
    expect(await matches([{ conditions: [] }])).toEqual([...ALL].sort());
    const web = { field: 'hostname', operator: 'contains', value: 'web' };
    const online = { field: 'status', operator: 'equals', value: 'Online' };
    const windows = { field: 'os', operator: 'contains', value: 'windows' };
    expect(await matches([{ conditions: [web, { ...online, join_with: 'AND' }] }])).toEqual([
      'web-01',
    ]);
    expect(
      await matches([
        {
          conditions: [
            { field: 'hostname', operator: 'begins_with', value: 'db' },
            { field: 'lastUser', operator: 'equals', value: 'CAROL', join_with: 'OR' },
          ],
        },
      ]),
    ).toEqual(['db-01', "o'brien-laptop"]);
    // web AND online OR windows = (web AND online) OR windows
    expect(
      await matches([
        { conditions: [web, { ...online, join_with: 'AND' }, { ...windows, join_with: 'OR' }] },
      ]),
    ).toEqual(["o'brien-laptop", 'web-01']);
    // windows OR web AND online = windows OR (web AND online): same set
    expect(
      await matches([
        { conditions: [windows, { ...web, join_with: 'OR' }, { ...online, join_with: 'AND' }] },
      ]),
    ).toEqual(["o'brien-laptop", 'web-01']);
    expect(
      await matches([{ conditions: [web] }, { join_with: 'OR', conditions: [windows] }]),
    ).toEqual(['WEB-02', "o'brien-laptop", 'web-01'].sort());
    const server = { field: 'type', operator: 'equals', value: 'Server' };
    expect(
      await matches([{ conditions: [web] }, { join_with: 'AND', conditions: [server] }]),
    ).toEqual(['web-01']);
    const db = { field: 'hostname', operator: 'begins_with', value: 'db' };
    expect(
      await matches([
        { conditions: [web] },
        { join_with: 'AND', conditions: [server] },
        { join_with: 'OR', conditions: [db] },
      ]),
    ).toEqual(['db-01', 'web-01']);
    // An empty group is skipped, not "match nothing".
    expect(await matches([{ conditions: [web] }, { join_with: 'AND', conditions: [] }])).toEqual([
      'WEB-02',
      'web-01',
    ]);
  });

  it('limits a scoped filter to its site', async () => {
    const dash = one('hostname', 'contains', '-0');
    expect(await matches(dash)).toEqual(['WEB-02', 'db-01', 'web-01']);
    expect(await matches(dash, { site_scope: 'scoped', site_id: siteA })).toEqual([
      'WEB-02',
      'web-01',
    ]);
    expect(await matches(dash, { site_scope: 'scoped', site_id: siteB })).toEqual(['db-01']);
    // A global filter ignores a stray site_id.
    expect(await matches(dash, { site_scope: 'global', site_id: siteB })).toHaveLength(3);
    const missing = await preview(dash, { site_scope: 'scoped' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error: 'site_required', field: 'site_id' });
    const unknown = await preview(dash, { site_scope: 'scoped', site_id: 'no-such-site' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'site_not_found' });
  });

  it('rejects unknown fields and operators', async () => {
    for (const bad of [
      one('password', 'equals', 'x'),
      one('hostname', 'matches', 'x'),
      one('hostname', 'equals', 'x'.repeat(300)),
    ]) {
      const res = await preview(bad);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('creates, lists with match counts, updates and deletes saved filters', async () => {
    const body = {
      name: 'Debian servers',
      site_scope: 'global',
      groups: one('os', 'contains', 'debian'),
    };
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/device_filters',
          headers: viewer,
          payload: body,
        })
      ).statusCode,
    ).toBe(403);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/device_filters',
      headers: operator,
      payload: body,
    });
    expect(created.statusCode, created.body).toBe(201);
    const filter = created.json<{ id: string }>();
    expect(filter).toMatchObject({
      name: 'Debian servers',
      site_scope: 'global',
      site_id: null,
      match_count: 2,
      groups: [
        {
          join_with: 'AND',
          conditions: [{ field: 'os', operator: 'contains', value: 'debian', join_with: 'AND' }],
        },
      ],
    });
    const dup = await t.app.inject({
      method: 'POST',
      url: '/api/device_filters',
      headers: operator,
      payload: { ...body, name: 'DEBIAN SERVERS' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'filter_exists' });

    const scoped = await t.app.inject({
      method: 'POST',
      url: '/api/device_filters',
      headers: operator,
      payload: { name: 'Site A', site_scope: 'scoped', site_id: siteA, groups: [] },
    });
    expect(scoped.statusCode).toBe(201);
    expect(scoped.json()).toMatchObject({ match_count: 2, site_id: siteA, site_name: siteAName });

    const list = await t.app.inject({ method: 'GET', url: '/api/device_filters', headers: viewer });
    expect(list.statusCode).toBe(200);
    expect(
      list
        .json<{ filters: { name: string; match_count: number }[] }>()
        .filters.map((f) => [f.name, f.match_count]),
    ).toEqual([
      ['Debian servers', 2],
      ['Site A', 2],
    ]);

    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/device_filters/${filter.id}`,
      headers: operator,
      payload: { ...body, groups: one('os', 'contains', 'debian GNU/Linux 12') },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ match_count: 1 });
    const got = await t.app.inject({
      method: 'GET',
      url: `/api/device_filters/${filter.id}`,
      headers: viewer,
    });
    expect(got.json()).toMatchObject({ id: filter.id, match_count: 1 });

    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/device_filters/${filter.id}`,
      headers: operator,
    });
    expect(del.json()).toEqual({ status: 'ok' });
    const gone = await t.app.inject({
      method: 'GET',
      url: `/api/device_filters/${filter.id}`,
      headers: viewer,
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ error: 'filter_not_found' });
  });

  it('previews the count and only the first 20 matches, by hostname', async () => {
    for (let i = 25; i >= 1; i -= 1) await device(`bulk-${String(i).padStart(2, '0')}`, {});
    const res = await preview(one('hostname', 'begins_with', 'bulk-'));
    expect(res.statusCode).toBe(200);
    const body = res.json<{ count: number; devices: { hostname: string }[] }>();
    expect(body.count).toBe(25);
    expect(body.devices.map((d) => d.hostname)).toEqual(
      Array.from({ length: 20 }, (_, i) => `bulk-${String(i + 1).padStart(2, '0')}`),
    );
    const none = (await preview(one('hostname', 'equals', 'nobody'))).json();
    expect(none).toEqual({ count: 0, devices: [] });
  });
});
