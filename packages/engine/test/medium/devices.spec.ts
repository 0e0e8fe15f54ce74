// Devices API on SQLite and PostgreSQL: server-side paging, sorting and filtering (presence from
// the one last_seen threshold, in SQL), detail with parsed inventory, software and metric series,
// description edits, site assignment, delete (dropping sockets), role checks, audit, and a
// 25,000-device fleet answered quickly.
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  OFFLINE_AFTER_MS,
  type Device,
  type DeviceDetail,
  type DeviceList,
} from '@borealis/protocol';
import type { Insertable } from 'kysely';
import type { DevicesTable } from '../../src/db/schema.js';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

type Headers = Record<string, string>;
const LOAD = JSON.stringify({ cpu_percent: 12.5, memory_percent: 40 });

describe.each(DIALECTS)('devices API (%s)', (dialect) => {
  let t: TestApp;
  let viewer: Headers;
  let operator: Headers;
  let admin: Headers;
  let siteA: string;
  let siteB: string;

  const now = () => t.clock.now();

  async function addDevice(o: Partial<Insertable<DevicesTable>> = {}): Promise<string> {
    const guid = o.guid ?? crypto.randomUUID();
    await t.ctx.db
      .insertInto('devices')
      .values({
        hostname: `host-${guid.slice(0, 8)}`,
        description: '',
        created_at: now(),
        ...o,
        guid,
      })
      .execute();
    return guid;
  }

  const get = (url: string, headers: Headers = viewer) =>
    t.app.inject({ method: 'GET', url, headers });
  const list = async (qs: string): Promise<DeviceList> => {
    const res = await get(`/api/devices?${qs}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<DeviceList>();
  };
  const hostnames = (l: DeviceList) => l.devices.map((d) => d.hostname);
  /** Hostnames of the first page for `qs`, space-separated. */
  const order = async (qs: string) => hostnames(await list(qs)).join(' ');

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    viewer = await apiKeyHeaders(t, 'Viewer');
    operator = await apiKeyHeaders(t, 'Operator');
    admin = await apiKeyHeaders(t, 'Admin');
    siteA = (await t.ctx.services.sites.create({ name: 'Alpha Site', description: '' })).id;
    siteB = (await t.ctx.services.sites.create({ name: 'Beta Site', description: '' })).id;
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.ctx.db.deleteFrom('devices').execute();
  });

  /** Five devices: two Online (one exactly at the threshold), three Offline. */
  async function seedFleet() {
    const n = now();
    // hostname, site, last seen (ms ago), OS, last user, type, created (ms ago)
    type Seed = [string, string | null, number | null, string, string | null, string, number];
    const rows: Seed[] = [
      ['web01', siteA, 1000, 'Debian 12', 'alice', 'Server', 50_000],
      ['web02', siteA, OFFLINE_AFTER_MS + 1, 'Ubuntu 24.04', 'bob', 'Server', 40_000],
      ['db01', siteB, OFFLINE_AFTER_MS, 'Rocky 9', 'carol', 'Virtual Machine', 30_000],
      ['kiosk1', null, null, 'Debian 11', null, 'Workstation', 20_000],
      ['laptop7', null, 5 * 60_000, 'Fedora 40', 'alice', 'Workstation', 10_000],
    ];
    const extra: Record<string, Partial<Insertable<DevicesTable>>> = {
      web01: { internal_ip: '10.0.0.1', description: 'front end', metrics: LOAD },
      web02: { internal_ip: '10.0.0.2' },
      db01: { external_ip: '203.0.113.9', description: '100%_sure' },
      kiosk1: { status: 'quarantined' },
    };
    for (const [hostname, site_id, ago, operating_system, last_user, device_type, age] of rows) {
      await addDevice({
        hostname,
        site_id,
        last_seen: ago === null ? null : n - ago,
        operating_system,
        last_user,
        device_type,
        created_at: n - age,
        ...extra[hostname],
      });
    }
  }

  it('returns rows with every documented field, presence from the threshold', async () => {
    await seedFleet();
    const l = await list('sort=hostname');
    expect(l).toMatchObject({ total: 5, page: 1, page_size: 50 });
    expect(hostnames(l)).toEqual(['db01', 'kiosk1', 'laptop7', 'web01', 'web02']);
    const web01 = l.devices.find((d) => d.hostname === 'web01')!;
    expect(web01).toEqual({
      guid: expect.any(String),
      agent_guid: web01.guid,
      hostname: 'web01',
      description: 'front end',
      site_id: siteA,
      site_name: 'Alpha Site',
      status: 'Online',
      device_status: 'active',
      last_seen: now() - 1000,
      last_seen_iso: new Date(now() - 1000).toISOString(),
      created_at: now() - 50_000,
      created_at_iso: new Date(now() - 50_000).toISOString(),
      operating_system: 'Debian 12',
      last_user: 'alice',
      device_type: 'Server',
      domain: null,
      internal_ip: '10.0.0.1',
      external_ip: null,
      last_reboot: null,
      uptime: null,
      agent_build_id: null,
      agent_id: null,
      cpu_percent: 12.5,
      memory_percent: 40,
    } satisfies Device);
    const status = Object.fromEntries(l.devices.map((d) => [d.hostname, d.status]));
    expect(status).toEqual({
      db01: 'Online',
      web01: 'Online',
      web02: 'Offline',
      kiosk1: 'Offline',
      laptop7: 'Offline',
    });
    expect(l.devices.find((d) => d.hostname === 'kiosk1')).toMatchObject({
      device_status: 'quarantined',
      last_seen: null,
      last_seen_iso: null,
      site_name: null,
    });
  });

  it('pages with a stable total', async () => {
    await seedFleet();
    const pages = [];
    for (let page = 1; page <= 3; page += 1) pages.push(await list(`page=${page}&page_size=2`));
    expect(pages.map((p) => p.total)).toEqual([5, 5, 5]);
    expect(pages.map((p) => p.devices.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap(hostnames)).toEqual(['db01', 'kiosk1', 'laptop7', 'web01', 'web02']);
    expect((await list('page=9&page_size=2')).devices).toEqual([]);
  });

  it('sorts by every column in both directions, nulls last', async () => {
    await seedFleet();
    expect(await order('sort=hostname&order=desc')).toBe('web02 web01 laptop7 kiosk1 db01');
    expect(await order('sort=last_seen&order=desc')).toBe('web01 db01 web02 laptop7 kiosk1');
    expect(await order('sort=last_seen&order=asc')).toBe('laptop7 web02 db01 web01 kiosk1');
    const byStatus = await list('sort=status&order=desc');
    expect(byStatus.devices.map((d) => d.status).join(' ')).toBe(
      'Online Online Offline Offline Offline',
    );
    const bySite = hostnames(await list('sort=site_name'));
    expect(new Set(bySite.slice(0, 2))).toEqual(new Set(['web01', 'web02']));
    expect(bySite[2]).toBe('db01');
    expect(hostnames(await list('sort=created_at&order=desc'))[0]).toBe('laptop7');
    expect(await order('sort=operating_system')).toBe('kiosk1 web01 laptop7 db01 web02');
    const byUser = hostnames(await list('sort=last_user&order=desc'));
    expect(byUser.slice(0, 2)).toEqual(['db01', 'web02']);
    expect(byUser[4]).toBe('kiosk1');
    for (const sort of ['device_type', 'internal_ip', 'external_ip']) {
      expect((await list(`sort=${sort}`)).total).toBe(5);
    }
  });

  it('filters by free text, presence, site and per-column text', async () => {
    await seedFleet();
    expect(await order('q=ALICE')).toBe('laptop7 web01');
    expect(await order('q=10.0.0')).toBe('web01 web02');
    expect(await order('q=debian')).toBe('kiosk1 web01');
    expect(await order('q=front')).toBe('web01');
    expect(await order('q=100%25_')).toBe('db01');
    expect((await list('q=%25')).total).toBe(1);
    expect((await list('q=_')).total).toBe(1);

    expect(await order('status=Online')).toBe('db01 web01');
    expect((await list('status=Online')).total).toBe(2);
    expect(await order('status=Offline')).toBe('kiosk1 laptop7 web02');
    t.clock.advance(1);
    expect(await order('status=Online')).toBe('web01');

    expect(await order(`site_id=${siteA}`)).toBe('web01 web02');
    expect(await order('filter[site_name]=beta')).toBe('db01');
    expect(await order('filter[hostname]=WEB&filter[last_user]=bo')).toBe('web02');
    expect(
      hostnames(await list('filter[device_type]=work&status=Offline&sort=hostname&order=desc')),
    ).toEqual(['laptop7', 'kiosk1']);
    expect((await list('filter[external_ip]=203.')).total).toBe(1);
  });

  it('rejects bad list parameters with 400', async () => {
    for (const qs of [
      'page=0',
      'page_size=501',
      'sort=password',
      'order=up',
      'status=Busy',
      'page=x',
    ]) {
      const res = await get(`/api/devices?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('shows a device with parsed inventory, software and metric series', async () => {
    const guid = await addDevice({
      hostname: 'detail01',
      last_seen: now(),
      summary: JSON.stringify({ hostname: 'detail01', total_ram: 8 }),
      cpu: JSON.stringify({ name: 'Xeon', logical_cores: 8 }),
      memory: JSON.stringify([{ slot: 'A1', capacity: 8 }]),
      storage: JSON.stringify([{ drive: '/', usage: 50 }]),
      network: 'not json',
      agent_role_health: JSON.stringify({ device_audit: { status: 'ok' } }),
    });
    await t.ctx.db
      .insertInto('device_software_inventory')
      .values(
        ['zsh', 'curl', 'Curl-Dev'].map((name) => ({
          device_guid: guid,
          name,
          name_normalized: name.toLowerCase(),
          version: '1',
          source: 'dpkg',
          captured_at: now(),
        })),
      )
      .execute();
    await t.ctx.db
      .insertInto('device_metrics')
      .values([
        { guid, ts: now() - 2 * 3600_000, cpu_percent: 1, memory_percent: 2 },
        { guid, ts: now() - 30 * 60_000, cpu_percent: 3, memory_percent: 4 },
        { guid, ts: now() - 60_000, cpu_percent: 5.5, memory_percent: null },
      ])
      .execute();

    const res = await get(`/api/devices/${guid}`);
    expect(res.statusCode).toBe(200);
    expect(res.json<DeviceDetail>()).toMatchObject({
      guid,
      hostname: 'detail01',
      status: 'Online',
      summary: { hostname: 'detail01', total_ram: 8 },
      cpu: { name: 'Xeon', logical_cores: 8 },
      memory: [{ slot: 'A1', capacity: 8 }],
      storage: [{ drive: '/', usage: 50 }],
      network: null,
      agent_role_health: { device_audit: { status: 'ok' } },
      software_count: 3,
    });

    const sw = await get(`/api/devices/${guid}/software?page_size=2`);
    expect(sw.json()).toMatchObject({ total: 3, page: 1, page_size: 2 });
    expect(sw.json<{ software: { name: string }[] }>().software.map((s) => s.name)).toEqual([
      'curl',
      'Curl-Dev',
    ]);
    const found = await get(`/api/devices/${guid}/software?q=CURL`);
    expect(found.json()).toMatchObject({ total: 2 });

    const series = await get(`/api/devices/${guid}/metrics?minutes=60`);
    expect(series.json()).toEqual({
      guid,
      points: [
        { ts: now() - 30 * 60_000, cpu_percent: 3, memory_percent: 4 },
        { ts: now() - 60_000, cpu_percent: 5.5, memory_percent: null },
      ],
    });
    expect((await get(`/api/devices/${guid}/metrics?minutes=1441`)).statusCode).toBe(400);
  });

  it('answers 404 device_not_found for unknown devices and 400 for malformed GUIDs', async () => {
    const missing = crypto.randomUUID();
    for (const url of [
      `/api/devices/${missing}`,
      `/api/devices/${missing}/software`,
      `/api/devices/${missing}/metrics`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: 'device_not_found' });
    }
    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/devices/${missing}/description`,
      headers: operator,
      payload: { description: 'x' },
    });
    expect(put.statusCode).toBe(404);
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/devices/${missing}`,
      headers: admin,
    });
    expect(del.json()).toMatchObject({ error: 'device_not_found' });
    expect((await get('/api/devices/%00')).statusCode).toBe(400);
    expect((await get(`/api/devices/${'a'.repeat(65)}`)).statusCode).toBe(400);
  });

  it('lets operators edit descriptions (audited) and viewers only read', async () => {
    const guid = await addDevice({ hostname: 'desc01' });
    const put = (headers: Headers, description: unknown) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/devices/${guid}/description`,
        headers,
        payload: { description },
      });
    expect((await put(viewer, 'nope')).statusCode).toBe(403);
    const ok = await put(operator, '  Rack 4, <b>bold</b>  ');
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ guid, description: 'Rack 4, <b>bold</b>' });
    expect((await put(operator, 'x'.repeat(1025))).statusCode).toBe(400);
    expect((await put(operator, 5)).statusCode).toBe(400);
    const audit = await get('/api/audit?action=device.description&page_size=10', admin);
    expect(audit.json<{ entries: { target: string }[] }>().entries[0]).toMatchObject({
      target: guid,
    });
  });

  it('assigns devices to a site by GUID or hostname and unassigns with null', async () => {
    const g1 = await addDevice({ hostname: 'as01' });
    const g2 = await addDevice({ hostname: 'as02' });
    const g3 = await addDevice({ hostname: 'as03', site_id: siteB });
    const post = (headers: Headers, payload: object) =>
      t.app.inject({ method: 'POST', url: '/api/sites/assign', headers, payload });

    const res = await post(operator, { site_id: siteA, guids: [g1], hostnames: ['as02', 'ghost'] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', updated: 2 });
    expect(hostnames(await list(`site_id=${siteA}`))).toEqual(['as01', 'as02']);

    expect((await post(operator, { site_id: null, guids: [g3, g1] })).json()).toEqual({
      status: 'ok',
      updated: 2,
    });
    const rows = await t.ctx.db.selectFrom('devices').select(['guid', 'site_id']).execute();
    expect(Object.fromEntries(rows.map((r) => [r.guid, r.site_id]))).toEqual({
      [g1]: null,
      [g2]: siteA,
      [g3]: null,
    });

    const missing = await post(operator, { site_id: 'no-such-site', guids: [g1] });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'site_not_found' });
    expect((await post(operator, { site_id: siteA })).statusCode).toBe(400);
    expect((await post(operator, { site_id: siteA, guids: [] })).statusCode).toBe(400);
    expect((await post(viewer, { site_id: siteA, guids: [g1] })).statusCode).toBe(403);
  });

  it('deletes a device with its inventory (admin only) and drops its agent sockets', async () => {
    const guid = await addDevice({ hostname: 'gone01', last_seen: now() });
    await t.ctx.db
      .insertInto('device_software_inventory')
      .values({
        device_guid: guid,
        name: 'a',
        name_normalized: 'a',
        version: '',
        source: '',
        captured_at: 1,
      })
      .execute();
    await t.ctx.db
      .insertInto('device_metrics')
      .values({ guid, ts: now(), cpu_percent: 1, memory_percent: 1 })
      .execute();
    const dropped: [string, string][] = [];
    t.ctx.events.attachDevices((g, reason) => dropped.push([g, reason]));
    try {
      expect(
        (await t.app.inject({ method: 'DELETE', url: `/api/devices/${guid}`, headers: operator }))
          .statusCode,
      ).toBe(403);
      const res = await t.app.inject({
        method: 'DELETE',
        url: `/api/devices/${guid}`,
        headers: admin,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: 'ok' });
    } finally {
      t.ctx.events.attachDevices(null);
    }
    expect(dropped).toEqual([[guid, 'device_deleted']]);
    expect((await get(`/api/devices/${guid}`)).statusCode).toBe(404);
    const sw = await t.ctx.db.selectFrom('device_software_inventory').selectAll().execute();
    const mx = await t.ctx.db.selectFrom('device_metrics').selectAll().execute();
    expect([sw.length, mx.length]).toEqual([0, 0]);
  });

  it('requires authentication for every devices endpoint', async () => {
    const guid = await addDevice();
    for (const [method, url] of [
      ['GET', '/api/devices'],
      ['GET', `/api/devices/${guid}`],
      ['GET', `/api/devices/${guid}/software`],
      ['GET', `/api/devices/${guid}/metrics`],
      ['PUT', `/api/devices/${guid}/description`],
      ['POST', '/api/sites/assign'],
      ['DELETE', `/api/devices/${guid}`],
    ] as const) {
      const res = await t.app.inject({ method, url, payload: method === 'GET' ? undefined : {} });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  it('lists a 25,000-device fleet page quickly with any sort and filter', async () => {
    const n = now();
    const rows: Insertable<DevicesTable>[] = [];
    for (let i = 0; i < 25_000; i += 1) {
      rows.push({
        guid: crypto.randomUUID(),
        hostname: `fleet-${String(i).padStart(5, '0')}`,
        description: '',
        created_at: n - i,
        last_seen: i % 3 === 0 ? n - 1000 : n - OFFLINE_AFTER_MS * 2,
        site_id: i % 2 === 0 ? siteA : null,
        operating_system: i % 5 === 0 ? 'Windows 11' : 'Debian 12',
      });
    }
    for (let i = 0; i < rows.length; i += 1000) {
      await t.ctx.db
        .insertInto('devices')
        .values(rows.slice(i, i + 1000))
        .execute();
    }
    const timings: Record<string, number> = {};
    for (const qs of [
      'page=1&page_size=100',
      'page=200&page_size=100&sort=hostname&order=desc',
      'status=Online&sort=last_seen&order=desc&page_size=500',
      'status=Offline&sort=status',
      `site_id=${siteA}&q=windows&sort=site_name`,
      'filter[hostname]=fleet-2&sort=operating_system&order=desc',
    ]) {
      const started = performance.now();
      const l = await list(qs);
      timings[qs] = performance.now() - started;
      expect(l.total).toBeGreaterThan(0);
    }
    expect((await list('status=Online&page_size=1')).total).toBe(8334);
    expect((await list('page=250&page_size=100')).devices[99]?.hostname).toBe('fleet-24999');
    for (const [qs, ms] of Object.entries(timings)) expect(ms, qs).toBeLessThan(1500);
  });
});
