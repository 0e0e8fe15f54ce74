// Heartbeat ingest on SQLite and PostgreSQL: beats coalesce in memory and reach the database as
// one multi-row UPDATE per flush (plus one INSERT of samples), last_seen never moves backwards,
// samples are kept ~24 h, the hostname-collision rule, presence/metrics events to UIs, and the
// HTTP endpoint with a real device token.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Insertable, KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HEARTBEAT_INTERVAL_MS, OFFLINE_AFTER_MS, type HeartbeatRequest } from '@borealis/protocol';
import type { DevicesTable } from '../../src/db/schema.js';
import { AppError } from '../../src/http/errors.js';
import { buildDeviceServices } from '../../src/services/devices.factory.js';
import { SwitchableEventSink } from '../../src/services/events.js';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite, enroll, ENGINE_HOST, type TestAgent } from '../support/trust-agent.js';

/** Records every statement: builder queries by node kind, raw SQL by its text. */
function statementLog(): KyselyPlugin & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    transformQuery(args: { node: RootOperationNode }) {
      const n = args.node as RootOperationNode & { sqlFragments?: readonly string[] };
      statements.push(n.kind === 'RawNode' ? (n.sqlFragments ?? []).join('?') : n.kind);
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
}

const beat = (
  guid: string,
  hostname: string,
  extra: Partial<HeartbeatRequest> = {},
): HeartbeatRequest => ({
  guid,
  hostname,
  metrics: {},
  ...extra,
});

describe.each(DIALECTS)('heartbeat ingest (%s)', (dialect) => {
  let t: TestApp;
  let svc: ReturnType<typeof buildDeviceServices>;
  let log: ReturnType<typeof statementLog>;
  let emitted: { event: string; payload: any }[];

  async function addDevice(
    o: Partial<Insertable<DevicesTable>> = {},
  ): Promise<{ guid: string; hostname: string }> {
    const guid = o.guid ?? crypto.randomUUID();
    const hostname = o.hostname ?? `hb-${guid.slice(0, 8)}`;
    await t.ctx.db
      .insertInto('devices')
      .values({ description: '', created_at: t.clock.now(), ...o, guid, hostname })
      .execute();
    return { guid, hostname };
  }
  const row = (guid: string) =>
    t.ctx.db.selectFrom('devices').selectAll().where('guid', '=', guid).executeTakeFirstOrThrow();
  const updates = () =>
    log.statements.filter((s) => /UPDATE devices/.test(s) || s === 'UpdateQueryNode');

  beforeAll(async () => {
    t = await makeTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.ctx.db.deleteFrom('devices').execute();
    log = statementLog();
    emitted = [];
    const events = new SwitchableEventSink();
    events.attachUi((event, payload) => emitted.push({ event, payload }));
    svc = buildDeviceServices({
      db: t.ctx.db.withPlugin(log),
      clock: t.clock,
      logs: t.ctx.logs,
      secrets: t.ctx.secrets,
      config: t.ctx.config,
      events,
    });
  });

  it('coalesces many beats from many devices into one UPDATE at flush', async () => {
    const devices = await Promise.all([1, 2, 3, 4, 5].map(() => addDevice()));
    const t0 = t.clock.now();
    for (let i = 0; i < 40; i += 1) {
      const d = devices[i % 5]!;
      t.clock.advance(10);
      const res = await svc.heartbeats.ingest(
        d,
        beat(d.guid, d.hostname, {
          internal_ip: `10.0.0.${i}`,
          agent_build_id: `build-${i}`,
          metrics: { cpu_percent: i, memory_percent: 50, uptime: 3600.4, username: 'alice' },
        }),
      );
      expect(res).toEqual({
        status: 'ok',
        poll_after_ms: HEARTBEAT_INTERVAL_MS,
        hostname: d.hostname,
      });
    }
    log.statements.length = 0;
    expect((await row(devices[0]!.guid)).last_seen).toBeNull();
    expect(svc.heartbeatBuffer.size).toBe(5);

    log.statements.length = 0;
    await svc.heartbeatBuffer.flush();
    expect(updates()).toHaveLength(1);
    expect(log.statements.filter((s) => /INSERT INTO device_metrics/.test(s))).toHaveLength(1);
    expect(log.statements.length).toBeLessThanOrEqual(3);

    const last = await row(devices[4]!.guid);
    expect(last).toMatchObject({
      last_seen: t0 + 400,
      internal_ip: '10.0.0.39',
      agent_build_id: 'build-39',
      last_user: 'alice',
      uptime: 3600,
    });
    expect(JSON.parse(last.metrics!)).toMatchObject({ cpu_percent: 39, memory_percent: 50 });
    const samples = await t.ctx.db.selectFrom('device_metrics').selectAll().execute();
    // One stored sample per device per minute: the first beat of each.
    expect(samples).toHaveLength(5);
    expect(samples.map((s) => Number(s.cpu_percent)).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });

  it('keeps stored columns for fields a beat omits and never moves last_seen backwards', async () => {
    const d = await addDevice({ operating_system: 'Debian 12', last_seen: t.clock.now() + 60_000 });
    await svc.heartbeats.ingest(
      d,
      beat(d.guid, d.hostname, {
        device_type: 'Server',
        service_mode: 'system',
        agent_role_health: { device_audit: { status: 'ok' } },
        metrics: { operating_system: '', last_user: '' },
      }),
    );
    await svc.heartbeatBuffer.flush();
    const r = await row(d.guid);
    expect(r).toMatchObject({
      operating_system: 'Debian 12',
      device_type: 'Server',
      service_mode: 'system',
      last_seen: t.clock.now() + 60_000,
      last_user: null,
    });
    expect(JSON.parse(r.agent_role_health!)).toEqual({ device_audit: { status: 'ok' } });
  });

  it('survives a device deleted between its beat and the flush', async () => {
    const gone = await addDevice();
    const kept = await addDevice();
    await svc.heartbeats.ingest(
      gone,
      beat(gone.guid, gone.hostname, { metrics: { cpu_percent: 1 } }),
    );
    await svc.heartbeats.ingest(
      kept,
      beat(kept.guid, kept.hostname, { metrics: { cpu_percent: 2 } }),
    );
    await t.ctx.db.deleteFrom('devices').where('guid', '=', gone.guid).execute();
    await svc.heartbeatBuffer.flush();
    expect((await row(kept.guid)).last_seen).toBe(t.clock.now());
    const samples = await t.ctx.db.selectFrom('device_metrics').select('guid').execute();
    expect(samples.map((s) => s.guid)).toEqual([kept.guid]);
  });

  it('keeps about 24 hours of samples and serves them as a series', async () => {
    const d = await addDevice();
    const t0 = t.clock.now();
    for (let i = 0; i < 3; i += 1) {
      await svc.heartbeats.ingest(
        d,
        beat(d.guid, d.hostname, { metrics: { cpu_percent: i * 10, memory_percent: 5 } }),
      );
      await svc.heartbeatBuffer.flush();
      t.clock.advance(60_000);
    }
    const series = await svc.devices.metrics(d.guid, 60);
    expect(series.points).toEqual([
      { ts: t0, cpu_percent: 0, memory_percent: 5 },
      { ts: t0 + 60_000, cpu_percent: 10, memory_percent: 5 },
      { ts: t0 + 120_000, cpu_percent: 20, memory_percent: 5 },
    ]);
    t.clock.set(t0 + 24 * 3600_000 + 60_001);
    await svc.heartbeats.ingest(d, beat(d.guid, d.hostname, { metrics: { cpu_percent: 99 } }));
    await svc.heartbeatBuffer.flush();
    const left = await t.ctx.db.selectFrom('device_metrics').select('ts').orderBy('ts').execute();
    expect(left.map((s) => Number(s.ts))).toEqual([t0 + 120_000, t.clock.now()]);
  });

  it('emits device_metrics on every beat and device_status_changed when a device comes Online', async () => {
    const d = await addDevice();
    await svc.heartbeats.ingest(d, beat(d.guid, d.hostname, { metrics: { cpu_percent: 7.5 } }));
    t.clock.advance(HEARTBEAT_INTERVAL_MS);
    await svc.heartbeats.ingest(d, beat(d.guid, d.hostname, { metrics: { memory_percent: 30 } }));
    const t1 = t.clock.now() - HEARTBEAT_INTERVAL_MS;
    expect(emitted).toEqual([
      {
        event: 'device_status_changed',
        payload: { guid: d.guid, hostname: d.hostname, status: 'Online', last_seen: t1 },
      },
      {
        event: 'device_metrics',
        payload: { guid: d.guid, ts: t1, cpu_percent: 7.5, memory_percent: null },
      },
      {
        event: 'device_metrics',
        payload: { guid: d.guid, ts: t.clock.now(), cpu_percent: null, memory_percent: 30 },
      },
    ]);
    emitted.length = 0;
    t.clock.advance(OFFLINE_AFTER_MS + 1);
    await svc.presence.sweep();
    expect(emitted).toEqual([
      {
        event: 'device_status_changed',
        payload: {
          guid: d.guid,
          hostname: d.hostname,
          status: 'Offline',
          last_seen: t.clock.now() - OFFLINE_AFTER_MS - 1,
        },
      },
    ]);
  });

  it('applies a free hostname and keeps the old one (with a warning) when another device has it', async () => {
    const a = await addDevice({ hostname: 'alpha' });
    await addDevice({ hostname: 'bravo' });
    const renamed = await svc.heartbeats.ingest(a, beat(a.guid, 'alpha-new'));
    expect(renamed.hostname).toBe('alpha-new');
    expect((await row(a.guid)).hostname).toBe('alpha-new');

    const clash = await svc.heartbeats.ingest(
      { guid: a.guid, hostname: 'alpha-new' },
      beat(a.guid, 'bravo'),
    );
    expect(clash.hostname).toBe('alpha-new');
    expect((await row(a.guid)).hostname).toBe('alpha-new');
    await t.ctx.logs.close(); // flush
    const agentsLog = fs.readFileSync(path.join(t.ctx.logs.dir, 'agents.log'), 'utf8');
    expect(agentsLog).toMatch(
      new RegExp(
        `\\[WARNING\\]\\[CONTEXT-SYSTEM\\] device ${a.guid} reported hostname bravo, already used by`,
      ),
    );
  });

  it('refuses a body naming another device with 403 guid_mismatch', async () => {
    const d = await addDevice();
    const err = await svc.heartbeats
      .ingest(d, beat(crypto.randomUUID(), d.hostname))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ statusCode: 403, code: 'guid_mismatch' });
    expect(svc.heartbeatBuffer.size).toBe(0);
  });

  it('writes what is pending when closed', async () => {
    const d = await addDevice();
    await svc.heartbeats.ingest(d, beat(d.guid, d.hostname));
    await svc.heartbeatBuffer.close();
    expect((await row(d.guid)).last_seen).toBe(t.clock.now());
  });
});

describe.each(DIALECTS)('POST /api/agent/heartbeat (%s)', (dialect) => {
  let t: TestApp;
  let agent: TestAgent;
  let admin: Record<string, string>;

  const post = (body: unknown, headers = agent.deviceHeaders('POST', '/api/agent/heartbeat')) =>
    t.app.inject({ method: 'POST', url: '/api/agent/heartbeat', headers, payload: body as object });

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await apiKeyHeaders(t, 'Admin');
    const site = await createSite(t, admin);
    agent = await enroll(t, admin, site.code);
  });
  afterAll(async () => {
    await t.close();
  });

  it('accepts a beat from the device token and records it at the next flush, unaudited', async () => {
    const guid = agent.tokens!.guid;
    const res = await post({
      guid,
      hostname: agent.hostname,
      metrics: { cpu_percent: 3, memory_percent: 4, uptime: 10 },
      internal_ip: '192.0.2.10',
      agent_build_id: 'rest-1',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', poll_after_ms: HEARTBEAT_INTERVAL_MS });
    await t.ctx.services.heartbeatBuffer.flush();
    const row = await t.ctx.db
      .selectFrom('devices')
      .selectAll()
      .where('guid', '=', guid)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      last_seen: t.clock.now(),
      internal_ip: '192.0.2.10',
      agent_build_id: 'rest-1',
    });
    const audit = await t.ctx.db.selectFrom('audit_log').select('path').execute();
    expect(audit.map((a) => a.path)).not.toContain('/api/agent/heartbeat');
  });

  it('answers 403 guid_mismatch for a body naming another device', async () => {
    const res = await post({ guid: crypto.randomUUID(), hostname: agent.hostname });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: 'guid_mismatch' });
  });

  it('refuses callers without a device token, and operators too', async () => {
    const body = { guid: agent.tokens!.guid, hostname: agent.hostname };
    const none = await post(body, { host: ENGINE_HOST });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ error: 'missing_authorization' });
    const operator = await post(body, { host: ENGINE_HOST, ...(await apiKeyHeaders(t, 'Admin')) });
    expect(operator.statusCode).toBe(401);
    const replayed = agent.deviceHeaders('POST', '/api/agent/heartbeat');
    expect((await post(body, replayed)).statusCode).toBe(200);
    const again = await post(body, replayed);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ error: 'dpop_replayed' });
  });

  it('rejects malformed bodies with 400 invalid_request', async () => {
    for (const body of [
      {},
      { guid: agent.tokens!.guid },
      { guid: agent.tokens!.guid, hostname: 'h', metrics: { cpu_percent: 101 } },
      { guid: agent.tokens!.guid, hostname: 'x'.repeat(256) },
    ]) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });
});

describe.each(DIALECTS)('heartbeats pending at shutdown (%s)', (dialect) => {
  it('are written when the app closes', async () => {
    const t = await makeTestApp(dialect);
    try {
      const admin = await apiKeyHeaders(t, 'Admin');
      const agent = await enroll(t, admin, (await createSite(t, admin)).code);
      const guid = agent.tokens!.guid;
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/agent/heartbeat',
        headers: agent.deviceHeaders('POST', '/api/agent/heartbeat'),
        payload: { guid, hostname: agent.hostname },
      });
      expect(res.statusCode).toBe(200);
      expect(t.ctx.services.heartbeatBuffer.size).toBe(1);
      await t.app.close();
      const row = await t.ctx.db
        .selectFrom('devices')
        .select('last_seen')
        .where('guid', '=', guid)
        .executeTakeFirstOrThrow();
      expect(row.last_seen).toBe(t.clock.now());
    } finally {
      await t.close();
    }
  });
});
