// Fuzzes POST /api/agent/heartbeat and /api/agent/details with a valid device token: random
// JSON, mutated valid bodies, huge strings, wrong types, deep nesting, odd Unicode and broken
// JSON. Every answer must be 200 or a 4xx JSON error, never a 500, and the engine keeps serving
// (the coalesced flush still succeeds afterwards).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite, enroll, type TestAgent } from '../support/trust-agent.js';

/** Small seeded PRNG (mulberry32) so a failure can be replayed from the printed seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '😀'.repeat(50),
  '<img src=x onerror=alert(1)>',
  "'; DROP TABLE devices; --",
  '%_\\',
  '__proto__',
  'constructor',
  '\r\n\t',
  '9'.repeat(400),
];
const WEIRD_NUMBERS = [
  0,
  -0,
  -1,
  1e308,
  -1e308,
  1e300,
  2 ** 63,
  0.1,
  100,
  100.0001,
  3.5e9,
  Number.MAX_SAFE_INTEGER,
];

function randomString(r: Rng): string {
  switch (r.int(4)) {
    case 0:
      return r.pick(WEIRD_STRINGS);
    case 1:
      return 'x'.repeat(r.pick([1, 64, 255, 256, 1024, 70_000]));
    case 2:
      return String.fromCharCode(...Array.from({ length: r.int(40) }, () => r.int(0x10000)));
    default:
      return Math.random().toString(36).slice(2);
  }
}

function randomValue(r: Rng, depth = 0): unknown {
  const k = r.int(depth > 3 ? 4 : 7);
  switch (k) {
    case 0:
      return randomString(r);
    case 1:
      return r.pick(WEIRD_NUMBERS);
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return r.int(2) ? [] : {};
    case 4:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < r.int(6); i += 1)
        o[r.pick([randomString(r), 'guid', 'hostname', 'metrics'])] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Deeply nested JSON text, built as text (JSON.stringify itself would overflow the stack). */
function nestedJson(depth: number): string {
  const open: string[] = [];
  for (let i = 0; i < depth; i += 1) open.push(i % 2 ? '[' : '{"a":');
  const close = open.map((o) => (o === '[' ? ']' : '}')).reverse();
  return `${open.join('')}"leaf"${close.join('')}`;
}

const DEEP = '\u0001deep\u0001';

/** Sets a random (possibly new) path in a copy of `body` to a random value; returns JSON text. */
function mutate(r: Rng, body: Record<string, unknown>): string {
  const copy = structuredClone(body);
  let target: Record<string, unknown> = copy;
  const path = r.int(3);
  for (let i = 0; i < path; i += 1) {
    const keys = Object.keys(target).filter(
      (key) => typeof target[key] === 'object' && target[key] !== null,
    );
    if (keys.length === 0) break;
    target = target[r.pick(keys)] as Record<string, unknown>;
  }
  const keys = Object.keys(target);
  const key = keys.length > 0 && r.int(4) > 0 ? r.pick(keys) : randomString(r).slice(0, 20);
  const deep = r.int(5) === 0;
  target[key] = deep ? DEEP : randomValue(r);
  const text = JSON.stringify(copy);
  return deep ? text.replace(JSON.stringify(DEEP), nestedJson(r.pick([50, 500, 5000]))) : text;
}

function validHeartbeat(guid: string, hostname: string): Record<string, unknown> {
  return {
    guid,
    hostname,
    metrics: {
      cpu_percent: 12,
      memory_percent: 34,
      uptime: 100,
      username: 'root',
      operating_system: 'Linux',
    },
    internal_ip: '10.1.2.3',
    agent_build_id: 'fuzz',
    agent_role_health: { device_audit: { status: 'ok' } },
    service_mode: 'system',
  };
}

function validDetails(guid: string, hostname: string): Record<string, unknown> {
  return {
    guid,
    hostname,
    agent_id: 'fuzz_SYSTEM',
    details: {
      summary: {
        hostname,
        operating_system: 'Linux',
        uptime: 5,
        last_reboot: '2026-01-01 00:00:00',
      },
      cpu: { name: 'cpu', logical_cores: 2 },
      memory: [{ slot: 'A', capacity: 1 }],
      storage: [{ drive: '/', usage: 5 }],
      network: [{ adapter: 'eth0', ips: ['10.1.2.3'] }],
      software: [{ name: 'pkg', version: '1' }],
    },
  };
}

const BROKEN_JSON = [
  '{',
  '{"guid":',
  'nul',
  '[1,2',
  '{"a":1}}',
  '"\\ud800',
  '\u0000',
  '{"guid": NaN}',
  ' ',
];

describe.each(DIALECTS)('agent ingest fuzzing (%s)', (dialect) => {
  let t: TestApp;
  let agent: TestAgent;
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    const admin = await apiKeyHeaders(t, 'Admin');
    agent = await enroll(t, admin, (await createSite(t, admin)).code);
  });
  afterAll(async () => {
    await t.close();
  });

  it(`never answers 500 to 600 hostile bodies (seed ${seed})`, async () => {
    const r = prng(seed);
    const guid = agent.tokens!.guid;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 600; i += 1) {
      if (i % 50 === 0) {
        // Stay under the per-device rate limit and keep the access token fresh.
        t.clock.advance(61_000);
        expect((await agent.refresh()).statusCode).toBe(200);
      }
      const url = i % 2 === 0 ? '/api/agent/heartbeat' : '/api/agent/details';
      const valid = url.endsWith('heartbeat')
        ? validHeartbeat(guid, agent.hostname)
        : validDetails(guid, agent.hostname);
      const kind = r.int(10);
      let payload: string;
      let contentType = 'application/json';
      if (kind < 4) payload = mutate(r, valid);
      else if (kind < 6) payload = JSON.stringify(randomValue(r));
      else if (kind === 6) payload = r.pick(BROKEN_JSON);
      else if (kind === 7)
        payload = JSON.stringify({
          ...valid,
          hostname: 'h'.repeat(r.pick([255, 300_000, 1_100_000])),
        });
      else if (kind === 8) payload = nestedJson(r.pick([1000, 20_000, 100_000]));
      else {
        payload = JSON.stringify(valid);
        contentType = r.pick([
          'application/json',
          'text/plain',
          'application/x-www-form-urlencoded',
        ]);
      }
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...agent.deviceHeaders('POST', url), 'content-type': contentType },
        payload,
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const context = `#${i} ${url} ${res.statusCode} ${payload.slice(0, 120)}`;
      expect(
        res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500),
        context,
      ).toBe(true);
      const body = res.json<{ error?: unknown; message?: unknown; status?: unknown }>();
      if (res.statusCode === 200) expect(body.status, context).toBe('ok');
      else {
        expect(typeof body.error, context).toBe('string');
        expect(typeof body.message, context).toBe('string');
        expect(body.error, context).not.toBe('rate_limited');
      }
    }
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20);
    expect([...statuses.keys()].filter((s) => s >= 400).length).toBeGreaterThan(2);

    // Whatever was accepted must still flush cleanly, and the engine keeps serving.
    await t.ctx.services.heartbeatBuffer.flush();
    expect(t.ctx.services.heartbeatBuffer.size).toBe(0);
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const row = await t.ctx.db
      .selectFrom('devices')
      .select(['guid', 'hostname'])
      .where('guid', '=', guid)
      .executeTakeFirstOrThrow();
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/agent/heartbeat',
      headers: agent.deviceHeaders('POST', '/api/agent/heartbeat'),
      payload: validHeartbeat(guid, row.hostname),
    });
    expect(ok.statusCode).toBe(200);
    await t.ctx.services.heartbeatBuffer.flush();
    const after = await t.ctx.db
      .selectFrom('devices')
      .select('last_seen')
      .where('guid', '=', guid)
      .executeTakeFirstOrThrow();
    expect(after.last_seen).toBe(t.clock.now());
    const detail = await t.ctx.services.devices.get(guid);
    expect(detail.guid).toBe(guid);
  });
});
