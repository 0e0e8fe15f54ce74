// Details ingest on SQLite and PostgreSQL: deep merge into the stored inventory (empty values
// never overwrite, non-empty lists replace), summary fields copied to list columns, the software
// inventory rebuilt atomically, the hostname rule, contact/presence, and the HTTP endpoint.
import crypto from 'node:crypto';
import type { Insertable } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DetailsRequest, DeviceDetail } from '@borealis/protocol';
import type { DevicesTable } from '../../src/db/schema.js';
import { AppError } from '../../src/http/errors.js';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite, enroll, type TestAgent } from '../support/trust-agent.js';

const FIRST: DetailsRequest = {
  agent_id: 'web01_GUID_SYSTEM',
  hostname: 'web01',
  agent_build_id: 'b1',
  service_mode: 'system',
  agent_role_health: { device_audit: { status: 'ok' } },
  details: {
    summary: {
      hostname: 'web01',
      operating_system: 'Debian GNU/Linux 12 (bookworm)',
      uptime: 7200,
      last_reboot: '2026-11-22 10:00:00',
      device_type: 'Server',
      internal_ip: '10.0.0.5',
      external_ip: '198.51.100.7',
      last_user: 'alice',
      domain: 'corp.example',
      manufacturer: 'ACME',
      serial_number: 'SN1',
      agent_hash: 'abc123',
    },
    cpu: { name: 'Xeon', physical_cores: 4, logical_cores: 8, base_clock_ghz: 2.4 },
    memory: [{ slot: 'DIMM0', capacity: 8e9 }],
    storage: [
      { drive: '/', filesystem: 'ext4', usage: 40, total: 1e11 },
      { drive: '/data', filesystem: 'xfs', usage: 10, total: 1e12 },
    ],
    network: [{ adapter: 'eth0', ips: ['10.0.0.5'], mac: '00:11:22:33:44:55' }],
    software: [
      { name: 'OpenSSL ', version: '3.0.15', source: 'dpkg' },
      { name: 'curl', version: '7.88' },
    ],
  },
};

describe.each(DIALECTS)('details ingest (%s)', (dialect) => {
  let t: TestApp;

  async function addDevice(
    o: Partial<Insertable<DevicesTable>> = {},
  ): Promise<{ guid: string; hostname: string }> {
    const guid = o.guid ?? crypto.randomUUID();
    const hostname = o.hostname ?? 'web01';
    await t.ctx.db
      .insertInto('devices')
      .values({ description: '', created_at: t.clock.now(), ...o, guid, hostname })
      .execute();
    return { guid, hostname };
  }
  const row = (guid: string) =>
    t.ctx.db.selectFrom('devices').selectAll().where('guid', '=', guid).executeTakeFirstOrThrow();
  const software = (guid: string) =>
    t.ctx.db
      .selectFrom('device_software_inventory')
      .select(['name', 'name_normalized', 'version', 'source', 'captured_at'])
      .where('device_guid', '=', guid)
      .orderBy('name_normalized')
      .orderBy('version')
      .execute();

  beforeAll(async () => {
    t = await makeTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.ctx.db.deleteFrom('devices').execute();
  });

  it('stores the first report and copies summary fields into the device columns', async () => {
    const d = await addDevice();
    expect(await t.ctx.services.details.ingest(d, FIRST)).toEqual({
      status: 'ok',
      hostname: 'web01',
    });
    const r = await row(d.guid);
    expect(r).toMatchObject({
      operating_system: 'Debian GNU/Linux 12 (bookworm)',
      last_user: 'alice',
      domain: 'corp.example',
      device_type: 'Server',
      internal_ip: '10.0.0.5',
      external_ip: '198.51.100.7',
      last_reboot: Date.UTC(2026, 10, 22, 10, 0, 0),
      uptime: 7200,
      agent_id: 'web01_GUID_SYSTEM',
      agent_hash: 'abc123',
      agent_build_id: 'b1',
      service_mode: 'system',
    });
    expect(JSON.parse(r.summary!)).toEqual(FIRST.details.summary);
    expect(JSON.parse(r.cpu!)).toEqual(FIRST.details.cpu);
    expect(JSON.parse(r.storage!)).toHaveLength(2);
    expect(await software(d.guid)).toEqual([
      {
        name: 'curl',
        name_normalized: 'curl',
        version: '7.88',
        source: '',
        captured_at: t.clock.now(),
      },
      {
        name: 'OpenSSL',
        name_normalized: 'openssl',
        version: '3.0.15',
        source: 'dpkg',
        captured_at: t.clock.now(),
      },
    ]);
  });

  it('deep-merges later reports: empty values never overwrite, lists replace, software only when sent', async () => {
    const d = await addDevice();
    await t.ctx.services.details.ingest(d, FIRST);
    t.clock.advance(300_000);
    await t.ctx.services.details.ingest(d, {
      hostname: 'web01',
      details: {
        summary: {
          operating_system: '',
          last_user: 'bob',
          domain: '',
          uptime: 0,
          serial_number: 'SN2',
        },
        cpu: { name: '', logical_cores: 16 },
        memory: [],
        storage: [{ drive: '/', filesystem: 'ext4', usage: 55 }],
      },
    });
    const r = await row(d.guid);
    expect(JSON.parse(r.summary!)).toEqual({
      ...FIRST.details.summary,
      last_user: 'bob',
      uptime: 0,
      serial_number: 'SN2',
    });
    expect(r).toMatchObject({
      operating_system: 'Debian GNU/Linux 12 (bookworm)',
      last_user: 'bob',
      domain: 'corp.example',
      uptime: 0,
      agent_build_id: 'b1',
    });
    expect(JSON.parse(r.cpu!)).toEqual({ ...FIRST.details.cpu, logical_cores: 16 });
    expect(JSON.parse(r.memory!)).toEqual(FIRST.details.memory);
    expect(JSON.parse(r.storage!)).toEqual([{ drive: '/', filesystem: 'ext4', usage: 55 }]);
    expect(JSON.parse(r.network!)).toEqual(FIRST.details.network);
    expect(await software(d.guid)).toHaveLength(2);

    await t.ctx.services.details.ingest(d, { hostname: 'web01', details: { software: [] } });
    expect(await software(d.guid)).toHaveLength(2);

    await t.ctx.services.details.ingest(d, {
      hostname: 'web01',
      details: { software: [{ name: 'nginx', version: '1.24', source: 'dpkg' }] },
    });
    expect(await software(d.guid)).toEqual([
      {
        name: 'nginx',
        name_normalized: 'nginx',
        version: '1.24',
        source: 'dpkg',
        captured_at: t.clock.now(),
      },
    ]);
  });

  it('rebuilds a large inventory in one go and serves it paged', async () => {
    const d = await addDevice();
    const big = Array.from({ length: 3000 }, (_, i) => ({
      name: `Package-${String(i).padStart(4, '0')}`,
      version: `${i}.0`,
      source: 'rpm',
    }));
    await t.ctx.services.details.ingest(d, { hostname: 'web01', details: { software: big } });
    expect(await software(d.guid)).toHaveLength(3000);
    const page = await t.ctx.services.devices.software(d.guid, {
      page: 3,
      page_size: 500,
      q: 'package-2',
    });
    expect(page.total).toBe(1000);
    expect(page.software).toEqual([]);
    const first = await t.ctx.services.devices.software(d.guid, {
      page: 1,
      page_size: 2,
      q: 'PACKAGE-2999',
    });
    expect(first).toMatchObject({
      total: 1,
      software: [{ name: 'Package-2999', version: '2999.0' }],
    });
  });

  it('keeps the hostname when another device already uses the reported one', async () => {
    const d = await addDevice({ hostname: 'web01' });
    await addDevice({ hostname: 'web02' });
    const res = await t.ctx.services.details.ingest(d, { ...FIRST, hostname: 'web02' });
    expect(res.hostname).toBe('web01');
    expect((await row(d.guid)).hostname).toBe('web01');
    const moved = await t.ctx.services.details.ingest(d, { ...FIRST, hostname: 'web03' });
    expect(moved.hostname).toBe('web03');
  });

  it('refuses another GUID (403 guid_mismatch) and an unknown device (404 device_not_found)', async () => {
    const d = await addDevice();
    const mismatch = await t.ctx.services.details
      .ingest(d, { ...FIRST, guid: crypto.randomUUID() })
      .catch((e: unknown) => e);
    expect(mismatch).toBeInstanceOf(AppError);
    expect(mismatch).toMatchObject({ statusCode: 403, code: 'guid_mismatch' });
    const ghost = { guid: crypto.randomUUID(), hostname: 'ghost' };
    await expect(t.ctx.services.details.ingest(ghost, FIRST)).rejects.toMatchObject({
      statusCode: 404,
      code: 'device_not_found',
    });
    expect((await row(d.guid)).summary).toBeNull();
  });

  it('counts as contact, and the device detail shows the merged inventory', async () => {
    const d = await addDevice();
    await t.ctx.services.details.ingest(d, FIRST);
    await t.ctx.services.heartbeatBuffer.flush();
    expect((await row(d.guid)).last_seen).toBe(t.clock.now());
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/devices/${d.guid}`,
      headers: await apiKeyHeaders(t, 'Viewer'),
    });
    expect(res.json<DeviceDetail>()).toMatchObject({
      status: 'Online',
      summary: { manufacturer: 'ACME' },
      cpu: { logical_cores: 8 },
      memory: [{ slot: 'DIMM0' }],
      storage: [{ drive: '/' }, { drive: '/data' }],
      network: [{ adapter: 'eth0', ips: ['10.0.0.5'] }],
      agent_role_health: { device_audit: { status: 'ok' } },
      service_mode: 'system',
      agent_hash: 'abc123',
      software_count: 2,
    });
  });
});

describe.each(DIALECTS)('POST /api/agent/details (%s)', (dialect) => {
  let t: TestApp;
  let agent: TestAgent;

  const post = (body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/agent/details',
      headers: agent.deviceHeaders('POST', '/api/agent/details'),
      payload: body as object,
    });

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    const admin = await apiKeyHeaders(t, 'Admin');
    agent = await enroll(t, admin, (await createSite(t, admin)).code);
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores a report sent with the device token', async () => {
    const res = await post({ ...FIRST, hostname: agent.hostname, guid: agent.tokens!.guid });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    const detail = await t.ctx.services.devices.get(agent.tokens!.guid);
    expect(detail).toMatchObject({
      operating_system: FIRST.details.summary!.operating_system,
      software_count: 2,
    });
  });

  it('answers 403 guid_mismatch, 400 for bad bodies and 401 without a token', async () => {
    const mismatch = await post({ ...FIRST, guid: crypto.randomUUID() });
    expect(mismatch.statusCode).toBe(403);
    expect(mismatch.json()).toMatchObject({ error: 'guid_mismatch' });
    const bad = await post({ hostname: 'x', details: { storage: [{ usage: 5 }] } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: 'invalid_request',
      field: 'details.storage.0.drive',
    });
    const anon = await t.app.inject({ method: 'POST', url: '/api/agent/details', payload: FIRST });
    expect(anon.statusCode).toBe(401);
  });
});
