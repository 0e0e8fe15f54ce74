// Token refresh on SQLite and PostgreSQL: rotation on every use within one family, reuse of a
// rotated token revoking the family, the DPoP binding of the refresh call, every error code,
// device status gates, and prune() of expired tokens, jtis and approvals.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenGrantSchema } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import {
  createSite,
  enroll,
  ENGINE_HOST,
  htu,
  makeDeviceProbe,
  PROBE_PATH,
  TestAgent,
} from '../support/trust-agent.js';

const DAY = 86_400_000;
const REFRESH_URL = '/api/agent/token/refresh';

describe.each(DIALECTS)('token refresh (%s)', (dialect) => {
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

  const errorOf = (res: { statusCode: number; json: () => unknown }) => [
    res.statusCode,
    (res.json() as { error: string }).error,
  ];
  const rows = (guid: string) =>
    t.ctx.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('guid', '=', guid)
      .orderBy('created_at')
      .orderBy('id')
      .execute();

  it('rotates the refresh token on every use and issues a working DPoP-bound access token', async () => {
    const agent = await enroll(t, admin, code);
    const first = agent.tokens!;
    t.clock.advance(600_000);
    const res = await agent.refresh();
    expect(res.statusCode).toBe(200);
    const grant = TokenGrantSchema.parse(res.json());
    expect(grant).toMatchObject({ expires_in: 900, token_type: 'DPoP' });
    expect(grant.refresh_token).not.toBe(first.refresh);
    expect(decodeJwt(grant.access_token)).toMatchObject({
      sub: `device:${first.guid}`,
      guid: first.guid,
      ssl_key_fingerprint: agent.fingerprint,
      token_version: 1,
      cnf: { jkt: agent.jkt },
      iat: Math.floor(t.clock.now() / 1000),
    });
    const [old, current] = await rows(first.guid);
    expect(old).toMatchObject({ rotated_at: t.clock.now(), revoked_at: null });
    expect(current).toMatchObject({
      family_id: old!.family_id,
      rotated_at: null,
      revoked_at: null,
      dpop_jkt: agent.jkt,
      expires_at: t.clock.now() + 90 * DAY,
    });
    expect(JSON.stringify(await rows(first.guid))).not.toContain(grant.refresh_token);
    const call = await probe.inject({
      method: 'POST',
      url: PROBE_PATH,
      headers: agent.deviceHeaders('POST', PROBE_PATH),
      payload: {},
    });
    expect(call.statusCode).toBe(200);
    // And again: every use rotates.
    expect((await agent.refresh()).statusCode).toBe(200);
    expect((await rows(first.guid)).filter((r) => r.rotated_at === null)).toHaveLength(1);
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const agent = await enroll(t, admin, code);
    const t1 = agent.tokens!.refresh;
    await agent.refresh();
    const t2 = agent.tokens!.refresh;
    const reuse = await agent.refresh({ token: t1 });
    expect(errorOf(reuse)).toEqual([401, 'refresh_token_reused']);
    expect((await rows(agent.tokens!.guid)).every((r) => r.revoked_at !== null)).toBe(true);
    expect(errorOf(await agent.refresh({ token: t2 }))).toEqual([401, 'refresh_token_revoked']);
    expect(errorOf(await agent.refresh({ token: t1 }))).toEqual([401, 'refresh_token_reused']);
  });

  it('requires a DPoP proof by the enrolled key for the refresh URL', async () => {
    const agent = await enroll(t, admin, code);
    const base = { guid: agent.tokens!.guid, refresh_token: agent.tokens!.refresh };
    const send = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: REFRESH_URL,
        headers: { host: ENGINE_HOST, ...headers },
        payload: base,
      });
    expect(errorOf(await send({}))).toEqual([400, 'dpop_missing']);
    expect(errorOf(await send({ dpop: agent.dpop('POST', htu('/api/agent/heartbeat')) }))).toEqual([
      400,
      'dpop_invalid',
    ]);
    expect(errorOf(await send({ dpop: agent.dpop('GET', htu(REFRESH_URL)) }))).toEqual([
      400,
      'dpop_invalid',
    ]);
    const stale = agent.dpop('POST', htu(REFRESH_URL), {
      iat: Math.floor(t.clock.now() / 1000) - 400,
    });
    expect(errorOf(await send({ dpop: stale }))).toEqual([400, 'dpop_invalid']);
    const thief = new TestAgent(t);
    expect(errorOf(await send({ dpop: thief.dpop('POST', htu(REFRESH_URL)) }))).toEqual([
      400,
      'dpop_invalid',
    ]);
    // None of those consumed the token.
    const proof = agent.dpop('POST', htu(REFRESH_URL));
    expect((await send({ dpop: proof })).statusCode).toBe(200);
  });

  it('answers dpop_replayed for a repeated proof without treating it as token reuse', async () => {
    const agent = await enroll(t, admin, code);
    const proof = agent.dpop('POST', htu(REFRESH_URL));
    const body = { guid: agent.tokens!.guid, refresh_token: agent.tokens!.refresh };
    const first = await t.app.inject({
      method: 'POST',
      url: REFRESH_URL,
      headers: { host: ENGINE_HOST, dpop: proof },
      payload: body,
    });
    expect(first.statusCode).toBe(200);
    const again = await t.app.inject({
      method: 'POST',
      url: REFRESH_URL,
      headers: { host: ENGINE_HOST, dpop: proof },
      payload: body,
    });
    expect(errorOf(again)).toEqual([400, 'dpop_replayed']);
    expect((await rows(agent.tokens!.guid)).every((r) => r.revoked_at === null)).toBe(true);
  });

  it('refuses unknown, foreign, malformed and expired refresh tokens and unknown devices', async () => {
    const agent = await enroll(t, admin, code);
    const other = await enroll(t, admin, code);
    expect(
      errorOf(await agent.refresh({ token: crypto.randomBytes(48).toString('base64url') })),
    ).toEqual([401, 'invalid_refresh_token']);
    expect(errorOf(await agent.refresh({ token: 'short' }))).toEqual([
      401,
      'invalid_refresh_token',
    ]);
    expect(errorOf(await agent.refresh({ token: other.tokens!.refresh }))).toEqual([
      401,
      'invalid_refresh_token',
    ]);
    expect(errorOf(await agent.refresh({ guid: crypto.randomUUID() }))).toEqual([
      404,
      'device_not_found',
    ]);
    expect(errorOf(await agent.refresh({ guid: 'a\u0000b' }))).toEqual([404, 'device_not_found']);
    for (const payload of [
      {},
      { guid: 'x' },
      { guid: 1, refresh_token: 'x' },
      { guid: 'x', refresh_token: 'y'.repeat(300) },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: REFRESH_URL,
        headers: { host: ENGINE_HOST, dpop: agent.dpop('POST', htu(REFRESH_URL)) },
        payload,
      });
      expect(errorOf(res)).toEqual([400, 'invalid_request']);
    }
    t.clock.advance(90 * DAY);
    expect(errorOf(await agent.refresh())).toEqual([401, 'refresh_token_expired']);
  });

  it('refuses revoked and quarantined devices; release restores refreshing', async () => {
    const q = await enroll(t, admin, code);
    await t.app.inject({
      method: 'POST',
      url: `/api/devices/${q.tokens!.guid}/quarantine`,
      headers: admin,
    });
    expect(errorOf(await q.refresh())).toEqual([403, 'device_quarantined']);
    await t.app.inject({
      method: 'POST',
      url: `/api/devices/${q.tokens!.guid}/release`,
      headers: admin,
    });
    expect((await q.refresh()).statusCode).toBe(200);
    expect(decodeJwt(q.tokens!.access).token_version).toBe(2);

    const r = await enroll(t, admin, code);
    await t.app.inject({
      method: 'POST',
      url: `/api/devices/${r.tokens!.guid}/revoke`,
      headers: admin,
    });
    expect(errorOf(await r.refresh())).toEqual([403, 'device_revoked']);
  });

  it('prune() drops expired tokens, jtis and approvals', async () => {
    const agent = await enroll(t, admin, code);
    await agent.refresh(); // one rotated row, kept a day for reuse detection
    await probe.inject({
      method: 'POST',
      url: PROBE_PATH,
      headers: agent.deviceHeaders('POST', PROBE_PATH),
      payload: {},
    });
    const pending = new TestAgent(t);
    await pending.request(code);
    const trust = t.ctx.services.deviceTrust;
    expect(await t.ctx.db.selectFrom('dpop_jti').select('jti_hash').execute()).not.toHaveLength(0);

    t.clock.advance(DAY + 1000);
    const mid = await trust.prune();
    expect(mid.approvalsExpired).toBeGreaterThanOrEqual(1);
    expect(mid.refreshTokensDeleted).toBeGreaterThanOrEqual(1);
    expect(await t.ctx.db.selectFrom('dpop_jti').select('jti_hash').execute()).toHaveLength(0);
    const live = await rows(agent.tokens!.guid);
    expect(live).toHaveLength(1);
    expect(live[0]!.rotated_at).toBeNull();
    const approval = await t.ctx.db
      .selectFrom('device_approvals')
      .select('status')
      .where('approval_reference', '=', pending.reference)
      .executeTakeFirstOrThrow();
    expect(approval.status).toBe('expired');

    t.clock.advance(90 * DAY);
    const late = await trust.prune();
    expect(late.approvalsDeleted).toBeGreaterThanOrEqual(1);
    expect(await rows(agent.tokens!.guid)).toHaveLength(0);
    expect(
      await t.ctx.db
        .selectFrom('device_approvals')
        .select('id')
        .where('approval_reference', '=', pending.reference)
        .execute(),
    ).toHaveLength(0);
  });
});
