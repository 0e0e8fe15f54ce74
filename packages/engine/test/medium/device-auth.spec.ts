// Device authentication on SQLite and PostgreSQL through the real guard (a test-only `device`
// route): token checks (missing, invalid, expired, claims, fingerprint, token_version, device
// status), DPoP rules (missing, htu, htm, iat, key, ath, replay — also across a new app on the same
// database), the per-fingerprint rate limit, and the Socket.IO handshake verification.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import type { EngineContext } from '../../src/context.js';
import { buildServices } from '../../src/services/index.js';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import {
  createSite,
  enroll,
  ENGINE_HOST,
  htu,
  makeDeviceProbe,
  ORIGIN,
  PROBE_PATH,
  TestAgent,
} from '../support/trust-agent.js';

describe.each(DIALECTS)('device auth (%s)', (dialect) => {
  let t: TestApp;
  let probe: FastifyInstance;
  let admin: Record<string, string>;
  let code: string;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    probe = await makeDeviceProbe(t.ctx);
    admin = await apiKeyHeaders(t, 'Admin');
    code = (await createSite(t, admin)).code;
  });
  afterAll(async () => {
    await probe.close();
    await t.close();
  });

  const call = (headers: Record<string, string>, app: FastifyInstance = probe) =>
    app.inject({ method: 'POST', url: PROBE_PATH, headers, payload: {} });
  const errorOf = async (headers: Record<string, string>) => {
    const res = await call(headers);
    return [res.statusCode, res.json<{ error: string }>().error];
  };

  it('admits an enrolled agent (DPoP or Bearer scheme) and exposes req.device', async () => {
    const agent = await enroll(t, admin, code);
    const res = await call(agent.deviceHeaders('POST', PROBE_PATH));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      device: {
        guid: agent.tokens!.guid,
        hostname: agent.hostname,
        fingerprint: agent.fingerprint,
        tokenVersion: 1,
        jkt: agent.jkt,
        exp: Math.floor(t.clock.now() / 1000) + 900,
      },
    });
    const bearer = {
      ...agent.deviceHeaders('POST', PROBE_PATH),
      authorization: `Bearer ${agent.tokens!.access}`,
    };
    expect((await call(bearer)).statusCode).toBe(200);
    // A query string does not change the htu.
    const q = await probe.inject({
      method: 'POST',
      url: `${PROBE_PATH}?x=1`,
      headers: agent.deviceHeaders('POST', PROBE_PATH),
      payload: {},
    });
    expect(q.statusCode).toBe(200);
  });

  it('refuses missing, malformed, foreign and expired tokens', async () => {
    const agent = await enroll(t, admin, code);
    const h = agent.deviceHeaders('POST', PROBE_PATH);
    expect(await errorOf({ host: ENGINE_HOST, dpop: h.dpop! })).toEqual([
      401,
      'missing_authorization',
    ]);
    expect(await errorOf({ ...h, authorization: 'Basic abc' })).toEqual([
      401,
      'missing_authorization',
    ]);
    expect(await errorOf({ ...h, authorization: 'DPoP not-a-jwt' })).toEqual([
      401,
      'invalid_token',
    ]);
    const foreign = crypto.generateKeyPairSync('ed25519').privateKey;
    const forged = await new SignJWT({
      guid: agent.tokens!.guid,
      ssl_key_fingerprint: agent.fingerprint,
      token_version: 1,
      cnf: { jkt: agent.jkt },
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: t.ctx.services.engineKeys.jwtKey().kid })
      .setSubject(`device:${agent.tokens!.guid}`)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(foreign);
    expect(await errorOf(agent.deviceHeaders('POST', PROBE_PATH, forged))).toEqual([
      401,
      'invalid_token',
    ]);
    const noCnf = await new SignJWT({
      guid: agent.tokens!.guid,
      ssl_key_fingerprint: agent.fingerprint,
      token_version: 1,
    })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject(`device:${agent.tokens!.guid}`)
      .setIssuedAt(Math.floor(t.clock.now() / 1000))
      .setExpirationTime(Math.floor(t.clock.now() / 1000) + 600)
      .sign(t.ctx.services.engineKeys.jwtKey().privateKey);
    expect(await errorOf(agent.deviceHeaders('POST', PROBE_PATH, noCnf))).toEqual([
      401,
      'invalid_claims',
    ]);
    t.clock.advance(901_000);
    expect(await errorOf(agent.deviceHeaders('POST', PROBE_PATH))).toEqual([401, 'token_expired']);
    const gone = await enroll(t, admin, code);
    await t.ctx.db.deleteFrom('devices').where('guid', '=', gone.tokens!.guid).execute();
    expect(await errorOf(gone.deviceHeaders('POST', PROBE_PATH))).toEqual([401, 'invalid_token']);
  });

  it('refuses a fingerprint or token_version that no longer matches the device row', async () => {
    const agent = await enroll(t, admin, code);
    const guid = agent.tokens!.guid;
    await t.ctx.db
      .updateTable('devices')
      .set({ ssl_key_fingerprint: 'e'.repeat(64) })
      .where('guid', '=', guid)
      .execute();
    expect(await errorOf(agent.deviceHeaders('POST', PROBE_PATH))).toEqual([
      403,
      'fingerprint_mismatch',
    ]);
    await t.ctx.db
      .updateTable('devices')
      .set({ ssl_key_fingerprint: agent.fingerprint, token_version: 2 })
      .where('guid', '=', guid)
      .execute();
    expect(await errorOf(agent.deviceHeaders('POST', PROBE_PATH))).toEqual([
      403,
      'token_version_mismatch',
    ]);
    // A refresh picks up the new version.
    expect((await agent.refresh()).statusCode).toBe(200);
    expect((await call(agent.deviceHeaders('POST', PROBE_PATH))).statusCode).toBe(200);
  });

  it('refuses revoked and quarantined devices', async () => {
    const q = await enroll(t, admin, code);
    await t.app.inject({
      method: 'POST',
      url: `/api/devices/${q.tokens!.guid}/quarantine`,
      headers: admin,
    });
    expect(await errorOf(q.deviceHeaders('POST', PROBE_PATH))).toEqual([403, 'device_quarantined']);
    const r = await enroll(t, admin, code);
    await t.app.inject({
      method: 'POST',
      url: `/api/devices/${r.tokens!.guid}/revoke`,
      headers: admin,
    });
    expect(await errorOf(r.deviceHeaders('POST', PROBE_PATH))).toEqual([403, 'device_revoked']);
  });

  it('enforces every DPoP rule', async () => {
    const agent = await enroll(t, admin, code);
    const access = agent.tokens!.access;
    const auth = { host: ENGINE_HOST, authorization: `DPoP ${access}` };
    const now = Math.floor(t.clock.now() / 1000);
    const proof = (
      method: string,
      url: string,
      opts: Parameters<TestAgent['dpop']>[2] = { accessToken: access },
    ) => agent.dpop(method, url, opts);
    const cases: [string | undefined, string][] = [
      [undefined, 'dpop_missing'],
      [proof('POST', htu('/api/agent/other')), 'dpop_invalid'], // wrong htu
      [proof('POST', `https://elsewhere.test:5000${PROBE_PATH}`), 'dpop_invalid'], // wrong origin
      [proof('GET', htu(PROBE_PATH)), 'dpop_invalid'], // wrong htm
      [proof('POST', htu(PROBE_PATH), { accessToken: access, iat: now - 301 }), 'dpop_invalid'], // stale
      [proof('POST', htu(PROBE_PATH), { accessToken: access, iat: now + 301 }), 'dpop_invalid'], // future
      [proof('POST', htu(PROBE_PATH), {}), 'dpop_invalid'], // no ath
      [proof('POST', htu(PROBE_PATH), { accessToken: 'another-token' }), 'dpop_invalid'], // wrong ath
      [new TestAgent(t).dpop('POST', htu(PROBE_PATH), { accessToken: access }), 'dpop_invalid'], // wrong key
      ['garbage', 'dpop_invalid'],
    ];
    for (const [dpop, expected] of cases) {
      const res = await call(dpop === undefined ? auth : { ...auth, dpop });
      expect([res.statusCode, res.json().error], expected).toEqual([400, expected]);
      expect(res.json().message).toEqual(expect.any(String));
    }
    const once = proof('POST', htu(PROBE_PATH));
    expect((await call({ ...auth, dpop: once })).statusCode).toBe(200);
    expect(await errorOf({ ...auth, dpop: once })).toEqual([400, 'dpop_replayed']);
    const row = await t.ctx.db.selectFrom('dpop_jti').selectAll().execute();
    expect(row.length).toBeGreaterThan(0);
    expect(JSON.stringify(row)).not.toContain('"jti"');
  });

  it('remembers DPoP jtis across a new engine instance on the same database', async () => {
    const agent = await enroll(t, admin, code);
    const headers = agent.deviceHeaders('POST', PROBE_PATH);
    expect((await call(headers)).statusCode).toBe(200);
    // A second engine: fresh services (fresh in-memory state), same database and key files.
    const ctx2: EngineContext = {
      ...t.ctx,
      services: buildServices({
        db: t.ctx.db,
        clock: t.clock,
        logs: t.ctx.logs,
        secrets: t.ctx.secrets,
        config: t.ctx.config,
        events: t.ctx.events,
      }),
    };
    const engine2 = await createApp(ctx2);
    const probe2 = await makeDeviceProbe(ctx2);
    try {
      expect(ctx2.services.deviceAuth).not.toBe(t.ctx.services.deviceAuth);
      const replay = await call(headers, probe2);
      expect([replay.statusCode, replay.json().error]).toEqual([400, 'dpop_replayed']);
      expect((await call(agent.deviceHeaders('POST', PROBE_PATH), probe2)).statusCode).toBe(200);
      expect((await engine2.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await probe2.close();
      await engine2.app.close();
    }
  });

  it('limits each device key to 60 requests a minute', async () => {
    const agent = await enroll(t, admin, code);
    for (let i = 0; i < 60; i++) {
      expect((await call(agent.deviceHeaders('POST', PROBE_PATH))).statusCode).toBe(200);
    }
    const res = await call(agent.deviceHeaders('POST', PROBE_PATH));
    expect(res.statusCode).toBe(429);
    expect(res.json()).toMatchObject({ error: 'rate_limited', retry_after: 60 });
    expect(res.headers['retry-after']).toBe('60');
    // Other devices are unaffected; after the window the device is admitted again.
    const other = await enroll(t, admin, code);
    expect((await call(other.deviceHeaders('POST', PROBE_PATH))).statusCode).toBe(200);
    t.clock.advance(60_000);
    await agent.refresh();
    expect((await call(agent.deviceHeaders('POST', PROBE_PATH))).statusCode).toBe(200);
  });

  it('verifies the Socket.IO handshake: GET proof for <origin>/socket.io/', async () => {
    const agent = await enroll(t, admin, code);
    const access = agent.tokens!.access;
    const auth = t.ctx.services.deviceAuth;
    const socketProof = () => agent.dpop('GET', `${ORIGIN}/socket.io/`, { accessToken: access });
    const principal = await auth.authenticateSocket({
      token: access,
      dpop: socketProof(),
      host: ENGINE_HOST,
    });
    expect(principal).toMatchObject({
      guid: agent.tokens!.guid,
      fingerprint: agent.fingerprint,
      jkt: agent.jkt,
    });
    const fail = (input: { token: unknown; dpop: unknown; host?: string }) =>
      auth.authenticateSocket({ host: ENGINE_HOST, ...input }).then(
        () => 'accepted',
        (e: { code?: string }) => e.code,
      );
    expect(await fail({ token: undefined, dpop: socketProof() })).toBe('missing_authorization');
    expect(await fail({ token: access, dpop: undefined })).toBe('dpop_missing');
    expect(
      await fail({
        token: access,
        dpop: agent.dpop('POST', `${ORIGIN}/socket.io/`, { accessToken: access }),
      }),
    ).toBe('dpop_invalid');
    expect(
      await fail({
        token: access,
        dpop: agent.dpop('GET', `${ORIGIN}/api/x`, { accessToken: access }),
      }),
    ).toBe('dpop_invalid');
    expect(await fail({ token: access, dpop: socketProof(), host: 'other.test' })).toBe(
      'dpop_invalid',
    );
    expect(await fail({ token: 'junk', dpop: socketProof() })).toBe('invalid_token');
    const used = socketProof();
    expect(await fail({ token: access, dpop: used })).toBe('accepted');
    expect(await fail({ token: access, dpop: used })).toBe('dpop_replayed');
  });
});

describe.each(DIALECTS)('device auth behind BOREALIS_PUBLIC_URL (%s)', (dialect) => {
  let t: TestApp;
  let probe: FastifyInstance;
  beforeAll(async () => {
    t = await makeTestApp(dialect, { BOREALIS_PUBLIC_URL: 'https://rmm.example.com/' });
    probe = await makeDeviceProbe(t.ctx);
  });
  afterAll(async () => {
    await probe.close();
    await t.close();
  });

  it('expects htu on the public URL, not the Host header', async () => {
    const admin = await apiKeyHeaders(t, 'Admin');
    const agent = await enroll(t, admin, (await createSite(t, admin)).code);
    const refresh = await t.app.inject({
      method: 'POST',
      url: '/api/agent/token/refresh',
      headers: {
        host: ENGINE_HOST,
        dpop: agent.dpop('POST', 'https://rmm.example.com/api/agent/token/refresh'),
      },
      payload: { guid: agent.tokens!.guid, refresh_token: agent.tokens!.refresh },
    });
    expect(refresh.statusCode).toBe(200);
    const access = refresh.json<{ access_token: string }>().access_token;
    const headers = { host: ENGINE_HOST, authorization: `DPoP ${access}` };
    const viaHost = await probe.inject({
      method: 'POST',
      url: PROBE_PATH,
      headers: { ...headers, dpop: agent.dpop('POST', htu(PROBE_PATH), { accessToken: access }) },
      payload: {},
    });
    expect(viaHost.json()).toMatchObject({ error: 'dpop_invalid' });
    const viaPublic = await probe.inject({
      method: 'POST',
      url: PROBE_PATH,
      headers: {
        ...headers,
        dpop: agent.dpop('POST', `https://rmm.example.com${PROBE_PATH}`, { accessToken: access }),
      },
      payload: {},
    });
    expect(viaPublic.statusCode).toBe(200);
    const socket = await t.ctx.services.deviceAuth.authenticateSocket({
      token: access,
      dpop: agent.dpop('GET', 'https://rmm.example.com/socket.io/', { accessToken: access }),
      host: 'ignored.test',
    });
    expect(socket.guid).toBe(agent.tokens!.guid);
  });
});
