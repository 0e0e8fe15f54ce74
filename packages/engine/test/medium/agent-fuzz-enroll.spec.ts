// Fuzzes the unauthenticated agent endpoints (enroll/request, enroll/poll, token/refresh) on
// SQLite and PostgreSQL with 600+ random and malformed bodies: random JSON, wrong types, huge
// strings, invalid base64, near-valid bodies with one broken field, non-JSON bytes, odd content
// types and garbage DPoP headers. Every answer must be a 4xx JSON {error, message}; never a 500.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite, enroll, ENGINE_HOST, TestAgent } from '../support/trust-agent.js';

const ROUNDS_PER_ENDPOINT = 210;
const ENDPOINTS = [
  '/api/agent/enroll/request',
  '/api/agent/enroll/poll',
  '/api/agent/token/refresh',
] as const;

/** Small deterministic PRNG (mulberry32) so a failure can be replayed from the printed seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '💥'.repeat(40),
  '<img src=x onerror=alert(1)>',
  "'; DROP TABLE devices; --",
  '%%%%====',
  'AAAA====',
  '-_-_',
  '../../etc/passwd',
  '\ud800',
  'null',
  '{"a":1}',
];

function randomString(r: Rng): string {
  switch (r.int(5)) {
    case 0:
      return r.pick(ODD_STRINGS);
    case 1:
      return crypto.randomBytes(r.int(64)).toString('base64');
    case 2:
      return 'x'.repeat(r.pick([255, 256, 257, 4096, 70_000]));
    case 3:
      return Array.from({ length: r.int(30) }, () => String.fromCharCode(r.int(0xffff))).join('');
    default:
      return crypto.randomUUID();
  }
}

function randomValue(r: Rng, depth = 0): unknown {
  const kinds = depth > 3 ? 5 : 8;
  switch (r.int(kinds)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1e308, -1e-308, 2 ** 53 + 1, 3.14]);
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = 0; i < r.int(6); i++)
        o[randomString(r).slice(0, 20)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

interface Valid {
  request: Record<string, unknown>;
  poll: Record<string, unknown>;
  refresh: Record<string, unknown>;
}

/** A body that must be refused: random JSON, or a valid body with one field broken. */
function randomBody(r: Rng, valid: Record<string, unknown>): unknown {
  switch (r.int(6)) {
    case 0:
      return randomValue(r);
    case 1:
      return Object.fromEntries(Object.keys(valid).map((k) => [k, randomValue(r)]));
    default: {
      const body: Record<string, unknown> = { ...valid };
      const key = r.pick(Object.keys(valid));
      const broken = r.pick(['delete', 'type', 'string', 'base64'] as const);
      if (broken === 'delete') delete body[key];
      else if (broken === 'type') body[key] = r.pick([42, true, null, [], {}, [valid[key]]]);
      else if (broken === 'string')
        body[key] = r.pick(ODD_STRINGS.filter(Boolean)) + randomString(r);
      else body[key] = `!${String(valid[key]).slice(1)}`;
      if (r.next() < 0.2) body[randomString(r).slice(0, 10) || 'extra'] = randomValue(r);
      return body;
    }
  }
}

describe.each(DIALECTS)('agent endpoint fuzzing (%s)', (dialect) => {
  let t: TestApp;
  let valid: Valid;
  let agent: TestAgent;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    const admin = await apiKeyHeaders(t, 'Admin');
    const { code } = await createSite(t, admin);
    agent = await enroll(t, admin, code);
    const pendingAgent = new TestAgent(t);
    await pendingAgent.request(code);
    // Near-valid templates: each still fails (wrong code, wrong proof, unknown token) when mutated.
    valid = {
      request: new TestAgent(t).requestBody('AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-0000-1111'),
      poll: pendingAgent.pollBody({ proof_sig: crypto.randomBytes(64).toString('base64') }),
      refresh: {
        guid: agent.tokens!.guid,
        refresh_token: crypto.randomBytes(48).toString('base64url'),
      },
    };
  });
  afterAll(async () => {
    await t.close();
  });

  it(`answers ${ROUNDS_PER_ENDPOINT * ENDPOINTS.length} malformed requests with 4xx JSON and keeps serving`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const r = prng(seed);
    const codes = new Map<string, number>();
    let sent = 0;
    for (const url of ENDPOINTS) {
      const template = url.endsWith('request')
        ? valid.request
        : url.endsWith('poll')
          ? valid.poll
          : valid.refresh;
      for (let i = 0; i < ROUNDS_PER_ENDPOINT; i++) {
        const headers: Record<string, string> = { host: ENGINE_HOST };
        let payload: string | Buffer;
        const mode = r.int(10);
        if (mode === 0) {
          payload = crypto.randomBytes(1 + r.int(200));
          headers['content-type'] = 'application/json';
        } else if (mode === 1) {
          payload = JSON.stringify(randomBody(r, template)).slice(0, 1 + r.int(40));
          headers['content-type'] = r.pick([
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
          ]);
        } else if (mode === 2) {
          payload = JSON.stringify({
            ...template,
            [r.pick(Object.keys(template))]: 'y'.repeat(r.pick([5000, 1_100_000])),
          });
          headers['content-type'] = 'application/json';
        } else {
          payload = JSON.stringify(randomBody(r, template)) ?? 'null';
          headers['content-type'] = 'application/json';
        }
        if (url.endsWith('refresh') && r.next() < 0.7) {
          headers.dpop = r.pick([
            randomString(r),
            agent.dpop('POST', `https://${ENGINE_HOST}${url}`),
            agent.dpop('GET', `https://${ENGINE_HOST}${url}`),
            'a.b.c',
          ]);
        }
        const res = await t.app.inject({
          method: 'POST',
          url,
          headers,
          payload,
          remoteAddress: `10.${r.int(250)}.${r.int(250)}.${1 + r.int(250)}`,
        });
        sent += 1;
        const context = `seed ${seed}, ${url}, round ${i}: ${String(payload).slice(0, 200)}`;
        expect(res.statusCode, context).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, context).toBeLessThan(500);
        expect(res.headers['content-type'], context).toMatch(/^application\/json/);
        const body = res.json<{ error: unknown; message: unknown }>();
        expect(typeof body.error, context).toBe('string');
        expect(typeof body.message, context).toBe('string');
        codes.set(body.error as string, (codes.get(body.error as string) ?? 0) + 1);
      }
    }
    expect(sent).toBeGreaterThanOrEqual(500);
    // The fuzzer reached past the parser into the services' own checks.
    expect(codes.size, JSON.stringify([...codes])).toBeGreaterThanOrEqual(8);
    expect(codes.has('invalid_json')).toBe(true);
    expect(codes.has('invalid_request')).toBe(true);

    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok', database: 'ok' });
    // The enrolled agent still refreshes normally afterwards.
    expect((await agent.refresh()).statusCode).toBe(200);
  });
});
