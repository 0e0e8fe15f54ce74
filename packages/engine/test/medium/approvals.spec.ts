// Device approvals on SQLite and PostgreSQL: the admin list (fields, conflicts, filters, roles),
// approve/deny transitions, hostname conflicts (same key auto-merges, overwrite reuses the GUID
// and kills its tokens and sockets, coexist gets `<host>-N`), and the audit trail.
import crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeviceApprovalListSchema, type DeviceApproval } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { approve, createSite, enroll, TestAgent } from '../support/trust-agent.js';

const URL = '/api/admin/device-approvals';

describe.each(DIALECTS)('device approvals (%s)', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let site: { id: string; code: string; name?: string };
  const disconnected: [string, string][] = [];

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await apiKeyHeaders(t, 'Admin');
    t.ctx.events.attachDevices((guid, reason) => disconnected.push([guid, reason]));
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    disconnected.length = 0;
    await t.ctx.db.deleteFrom('device_approvals').execute();
    site = await createSite(t, admin);
  });

  async function list(query = ''): Promise<DeviceApproval[]> {
    const res = await t.app.inject({ method: 'GET', url: `${URL}${query}`, headers: admin });
    expect(res.statusCode).toBe(200);
    return DeviceApprovalListSchema.parse(res.json()).approvals;
  }
  const idOf = async (agent: TestAgent) =>
    (
      await t.ctx.db
        .selectFrom('device_approvals')
        .select('id')
        .where('approval_reference', '=', agent.reference)
        .executeTakeFirstOrThrow()
    ).id;
  const post = (url: string, payload?: object) =>
    t.app.inject({ method: 'POST', url, headers: admin, ...(payload ? { payload } : {}) });

  it('lists pending approvals without keys or nonces, and filters by status', async () => {
    const a = new TestAgent(t);
    await a.request(site.code);
    const [row] = await list();
    expect(row).toMatchObject({
      approval_reference: a.reference,
      hostname_claimed: a.hostname,
      ssl_key_fingerprint_claimed: a.fingerprint,
      code_kind: 'site',
      site_id: site.id,
      site_name: expect.any(String),
      status: 'pending',
      guid: null,
      approved_by: null,
      source_ip: a.ip,
      hostname_conflict: null,
      alternate_hostname: null,
      conflict_requires_prompt: false,
      fingerprint_match: false,
    });
    const raw = (await t.app.inject({ method: 'GET', url: URL, headers: admin })).json<{
      approvals: object[];
    }>();
    for (const key of ['agent_pubkey', 'client_nonce', 'server_nonce']) {
      expect(raw.approvals[0]).not.toHaveProperty(key);
    }
    const b = new TestAgent(t);
    await b.request(site.code);
    await post(`${URL}/${await idOf(b)}/deny`);
    expect((await list('?status=pending')).map((r) => r.hostname_claimed)).toEqual([a.hostname]);
    expect((await list('?status=denied')).map((r) => r.hostname_claimed)).toEqual([b.hostname]);
    expect(
      (await t.app.inject({ method: 'GET', url: `${URL}?status=bogus`, headers: admin }))
        .statusCode,
    ).toBe(400);
    // Expiry is reflected in the list.
    t.clock.advance(86_400_001);
    expect((await list('?status=expired')).map((r) => r.hostname_claimed)).toEqual([a.hostname]);
  });

  it('is admin-only', async () => {
    const operator = await apiKeyHeaders(t, 'Operator');
    expect((await t.app.inject({ method: 'GET', url: URL })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: URL, headers: operator })).statusCode).toBe(
      403,
    );
    const res = await t.app.inject({
      method: 'POST',
      url: `${URL}/x/approve`,
      headers: operator,
      payload: {},
    });
    expect(res.statusCode).toBe(403);
  });

  it('approves and denies only pending approvals, with audit rows', async () => {
    const a = new TestAgent(t);
    await a.request(site.code);
    const id = await idOf(a);
    const ok = await post(`${URL}/${id}/approve`);
    expect(ok.json()).toEqual({
      status: 'approved',
      guid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      conflict_resolution: null,
    });
    const again = await post(`${URL}/${id}/approve`, {});
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ error: 'approval_not_pending' });
    expect((await post(`${URL}/${id}/deny`)).json()).toMatchObject({
      error: 'approval_not_pending',
    });
    const missing = await post(`${URL}/${crypto.randomUUID()}/approve`, {});
    expect([missing.statusCode, missing.json().error]).toEqual([404, 'approval_not_found']);
    expect((await post(`${URL}/%00/deny`)).statusCode).toBe(404);
    const bad = await post(`${URL}/${id}/approve`, { conflict_resolution: 'merge' });
    expect(bad.statusCode).toBe(400);

    const late = new TestAgent(t);
    await late.request(site.code);
    t.clock.advance(86_400_001);
    expect((await post(`${URL}/${await idOf(late)}/approve`, {})).json()).toMatchObject({
      error: 'approval_not_pending',
    });

    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action', 'target', 'status_code'])
      .where('action', 'in', ['device_approval.approve', 'device_approval.deny'])
      .where('target', '=', id)
      .orderBy('seq')
      .execute();
    expect(audit.map((r) => [r.action, r.status_code])).toEqual([
      ['device_approval.approve', 200],
      ['device_approval.approve', 409],
      ['device_approval.deny', 409],
      ['device_approval.approve', 400],
    ]);
    const row = await t.ctx.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.approved_by).toMatch(/^admin-/);
  });

  it('same hostname + same key: shown without a prompt and merged into the existing GUID', async () => {
    const first = await enroll(t, admin, site.code);
    const guid = first.tokens!.guid;
    first.clientNonce = crypto.randomBytes(32);
    await first.request(site.code);
    const [row] = await list('?status=pending');
    expect(row).toMatchObject({
      fingerprint_match: true,
      conflict_requires_prompt: false,
      alternate_hostname: null,
      hostname_conflict: {
        guid,
        ssl_key_fingerprint: first.fingerprint,
        site_id: site.id,
        fingerprint_match: true,
        requires_prompt: false,
      },
    });
    expect((await approve(t, admin, first)).json()).toEqual({
      status: 'approved',
      guid,
      conflict_resolution: 'auto_merge_fingerprint',
    });
    expect((await first.poll()).json()).toMatchObject({ status: 'approved', guid });
    const device = await t.ctx.db
      .selectFrom('devices')
      .selectAll()
      .where('guid', '=', guid)
      .executeTakeFirstOrThrow();
    expect(device.token_version).toBe(1);
    expect(disconnected).toEqual([]);
  });

  it('same hostname + other key: prompts; overwrite takes the GUID over and drops the old one', async () => {
    const old = await enroll(t, admin, site.code);
    const guid = old.tokens!.guid;
    const other = new TestAgent(t, old.hostname.toUpperCase());
    await other.request(site.code);
    const [row] = await list('?status=pending');
    expect(row).toMatchObject({
      fingerprint_match: false,
      conflict_requires_prompt: true,
      alternate_hostname: `${old.hostname.toUpperCase()}-1`,
      hostname_conflict: { guid, fingerprint_match: false, requires_prompt: true },
    });
    const refused = await approve(t, admin, other);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      error: 'conflict_resolution_required',
      field: 'conflict_resolution',
    });
    expect(refused.json().message).toContain(old.hostname.toUpperCase());
    expect((await approve(t, admin, other, { conflict_resolution: 'overwrite' })).json()).toEqual({
      status: 'approved',
      guid,
      conflict_resolution: 'overwrite',
    });
    expect(disconnected).toEqual([[guid, 'token_version_mismatch']]);
    const before = await t.ctx.db
      .selectFrom('devices')
      .selectAll()
      .where('guid', '=', guid)
      .executeTakeFirstOrThrow();
    expect(before.token_version).toBe(2);
    const live = await t.ctx.db
      .selectFrom('refresh_tokens')
      .select('id')
      .where('guid', '=', guid)
      .where('revoked_at', 'is', null)
      .execute();
    expect(live).toEqual([]);
    expect((await old.refresh()).json()).toMatchObject({ error: 'refresh_token_revoked' });
    await other.poll();
    expect(other.tokens!.guid).toBe(guid);
  });

  it('coexist: a new GUID and the first free `<host>-N`', async () => {
    const old = await enroll(t, admin, site.code);
    const taken = await enroll(t, admin, site.code, new TestAgent(t, `${old.hostname}-1`));
    expect(taken.tokens).not.toBeNull();
    const other = new TestAgent(t, old.hostname);
    await other.request(site.code);
    const [row] = await list('?status=pending');
    expect(row?.alternate_hostname).toBe(`${old.hostname}-2`);
    const res = (await approve(t, admin, other, { conflict_resolution: 'coexist' })).json();
    expect(res).toMatchObject({ status: 'approved', conflict_resolution: 'coexist' });
    expect(res.guid).not.toBe(old.tokens!.guid);
    await other.poll();
    const device = await t.ctx.db
      .selectFrom('devices')
      .selectAll()
      .where('guid', '=', other.tokens!.guid)
      .executeTakeFirstOrThrow();
    expect(device.hostname).toBe(`${old.hostname}-2`);
    const untouched = await t.ctx.db
      .selectFrom('devices')
      .selectAll()
      .where('guid', '=', old.tokens!.guid)
      .executeTakeFirstOrThrow();
    expect(untouched).toMatchObject({
      hostname: old.hostname,
      token_version: 1,
      ssl_key_fingerprint: old.fingerprint,
    });
    expect(disconnected).toEqual([]);
  });

  it('coexist refuses when all 50 suffixes are taken', async () => {
    const host = `full-${crypto.randomBytes(2).toString('hex')}`;
    const now = t.clock.now();
    const rows = [host, ...Array.from({ length: 50 }, (_, i) => `${host}-${i + 1}`)].map(
      (hostname) => ({
        guid: crypto.randomUUID(),
        hostname,
        site_id: null,
        description: '',
        created_at: now,
        last_seen: null,
        ssl_key_fingerprint: 'f'.repeat(64),
      }),
    );
    await t.ctx.db.insertInto('devices').values(rows).execute();
    const other = new TestAgent(t, host);
    await other.request(site.code);
    expect((await list('?status=pending'))[0]?.alternate_hostname).toBeNull();
    const res = await approve(t, admin, other, { conflict_resolution: 'coexist' });
    expect([res.statusCode, res.json().error]).toEqual([409, 'no_free_hostname']);
  });

  it('binds to an operator-chosen GUID when there is no conflict', async () => {
    const agent = new TestAgent(t);
    await agent.request(site.code);
    const guid = crypto.randomUUID();
    expect((await approve(t, admin, agent, { guid })).json()).toEqual({
      status: 'approved',
      guid,
      conflict_resolution: null,
    });
    await agent.poll();
    expect(agent.tokens!.guid).toBe(guid);
    expect((await approve(t, admin, agent, { guid: 'not-a-uuid' })).statusCode).toBe(400);
  });
});
