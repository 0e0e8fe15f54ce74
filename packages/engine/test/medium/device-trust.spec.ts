// Operator trust actions on SQLite and PostgreSQL: revoke, quarantine and release (token_version,
// refresh tokens, status, dropped sockets, audit, roles, error codes) and the per-site
// auto-approve switch.
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SiteSchema } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite, enroll, TestAgent } from '../support/trust-agent.js';

describe.each(DIALECTS)('device trust (%s)', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let code: string;
  const dropped: [string, string][] = [];

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await apiKeyHeaders(t, 'Admin');
    code = (await createSite(t, admin)).code;
    t.ctx.events.attachDevices((guid, reason) => dropped.push([guid, reason]));
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(() => {
    dropped.length = 0;
  });

  const act = (guid: string, action: string, headers = admin) =>
    t.app.inject({ method: 'POST', url: `/api/devices/${guid}/${action}`, headers });
  const device = (guid: string) =>
    t.ctx.db.selectFrom('devices').selectAll().where('guid', '=', guid).executeTakeFirstOrThrow();
  const liveTokens = async (guid: string) =>
    (
      await t.ctx.db
        .selectFrom('refresh_tokens')
        .select('id')
        .where('guid', '=', guid)
        .where('revoked_at', 'is', null)
        .execute()
    ).length;

  it('revoke: new token_version, refresh tokens revoked, sockets dropped, audited', async () => {
    const agent = await enroll(t, admin, code);
    const guid = agent.tokens!.guid;
    const res = await act(guid, 'revoke');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ guid, status: 'revoked', token_version: 2 });
    expect(await device(guid)).toMatchObject({ status: 'revoked', token_version: 2 });
    expect(await liveTokens(guid)).toBe(0);
    expect(dropped).toEqual([[guid, 'device_revoked']]);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'device.revoke')
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({ target: guid, status_code: 200, outcome: 'success' }),
    ]);
    // Revoked is terminal: no quarantine, no release; revoking again is harmless.
    expect((await act(guid, 'quarantine')).json()).toMatchObject({ error: 'device_revoked' });
    expect((await act(guid, 'release')).json()).toMatchObject({ error: 'device_not_quarantined' });
    expect((await act(guid, 'revoke')).json()).toMatchObject({
      status: 'revoked',
      token_version: 3,
    });
  });

  it('quarantine keeps the refresh family for release; release makes the device active again', async () => {
    const agent = await enroll(t, admin, code);
    const guid = agent.tokens!.guid;
    expect((await act(guid, 'quarantine')).json()).toEqual({
      guid,
      status: 'quarantined',
      token_version: 2,
    });
    expect(dropped).toEqual([[guid, 'device_quarantined']]);
    expect(await liveTokens(guid)).toBe(1);
    expect((await agent.refresh()).json()).toMatchObject({ error: 'device_quarantined' });
    const released = await act(guid, 'release');
    expect(released.json()).toEqual({ guid, status: 'active', token_version: 2 });
    expect(await device(guid)).toMatchObject({ status: 'active' });
    expect((await act(guid, 'release')).statusCode).toBe(409);
    expect((await agent.refresh()).statusCode).toBe(200);
    const actions = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('target', '=', guid)
      .orderBy('seq')
      .execute();
    expect(actions.map((a) => a.action)).toEqual([
      'device.quarantine',
      'device.release',
      'device.release',
    ]);
  });

  it('answers 404 for unknown devices and needs the Admin role', async () => {
    for (const unknown of [crypto.randomUUID(), '%00']) {
      for (const action of ['revoke', 'quarantine', 'release']) {
        const res = await act(unknown, action);
        expect([res.statusCode, res.json().error]).toEqual([404, 'device_not_found']);
      }
    }
    const agent = await enroll(t, admin, code);
    const operator = await apiKeyHeaders(t, 'Operator');
    expect((await act(agent.tokens!.guid, 'revoke', operator)).statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: `/api/devices/${agent.tokens!.guid}/revoke` }))
        .statusCode,
    ).toBe(401);
    expect((await device(agent.tokens!.guid)).status).toBe('active');
    expect(dropped).toEqual([]);
  });

  it('a revoked device can come back only through a new, approved enrollment', async () => {
    const agent = await enroll(t, admin, code);
    const guid = agent.tokens!.guid;
    await act(guid, 'revoke');
    agent.clientNonce = crypto.randomBytes(32);
    await enroll(t, admin, code, agent);
    expect(agent.tokens!.guid).toBe(guid);
    expect(await device(guid)).toMatchObject({ status: 'active' });
    expect((await agent.refresh()).statusCode).toBe(200);
  });

  it('switches a site to auto-approve (admin, audited) and never auto-approves onto a revoked device', async () => {
    const site = await createSite(t, admin);
    const url = `/api/sites/${site.id}/auto_approve`;
    const on = await t.app.inject({
      method: 'POST',
      url,
      headers: admin,
      payload: { enabled: true },
    });
    expect(SiteSchema.parse(on.json()).auto_approve).toBe(true);
    const list = await t.app.inject({ method: 'GET', url: '/api/sites', headers: admin });
    expect(list.json().sites.find((s: { id: string }) => s.id === site.id).auto_approve).toBe(true);
    const operator = await apiKeyHeaders(t, 'Operator');
    expect(
      (await t.app.inject({ method: 'POST', url, headers: operator, payload: { enabled: false } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url, headers: admin, payload: { enabled: 'yes' } }))
        .statusCode,
    ).toBe(400);
    const missing = await t.app.inject({
      method: 'POST',
      url: `/api/sites/${crypto.randomUUID()}/auto_approve`,
      headers: admin,
      payload: { enabled: true },
    });
    expect([missing.statusCode, missing.json().error]).toEqual([404, 'site_not_found']);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['target', 'status_code'])
      .where('action', '=', 'site.auto_approve')
      .orderBy('seq')
      .execute();
    expect(audit[0]).toEqual({ target: site.id, status_code: 200 });

    const agent = new TestAgent(t);
    await agent.request(site.code);
    expect((await agent.poll()).json()).toMatchObject({ status: 'approved' });
    await act(agent.tokens!.guid, 'revoke');
    agent.clientNonce = crypto.randomBytes(32);
    await agent.request(site.code);
    expect((await agent.poll()).json()).toEqual({ status: 'pending', poll_after_ms: 5000 });

    const off = await t.app.inject({
      method: 'POST',
      url,
      headers: admin,
      payload: { enabled: false },
    });
    expect(off.json().auto_approve).toBe(false);
    const later = new TestAgent(t);
    await later.request(site.code);
    expect((await later.poll()).json()).toEqual({ status: 'pending', poll_after_ms: 5000 });
  });
});
