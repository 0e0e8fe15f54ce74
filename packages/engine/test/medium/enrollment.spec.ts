// Enrollment on SQLite and PostgreSQL: request validation codes, code kinds (site / installer with
// max uses), pending-approval reuse, poll answers and proof checks, single-use finalisation
// (proof_replayed), auto-approve sites, key changes on an existing GUID, and rate limits.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EnrollPendingSchema, EnrollPollResponseSchema } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';
import { approve, createSite, enroll, TestAgent } from '../support/trust-agent.js';

const DAY = 86_400_000;

describe.each(DIALECTS)('agent enrollment (%s)', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let site: { id: string; code: string };

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await apiKeyHeaders(t, 'Admin');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    site = await createSite(t, admin);
  });

  const codeOf = (res: { statusCode: number; json: () => unknown }) => [
    res.statusCode,
    (res.json() as { error?: string }).error,
  ];

  it('answers a valid request with a pending approval, nonce, CA and signing key', async () => {
    const agent = new TestAgent(t);
    const res = await agent.request(site.code.toLowerCase());
    expect(res.statusCode).toBe(200);
    const body = EnrollPendingSchema.parse(res.json());
    expect(body).toMatchObject({ status: 'pending', poll_after_ms: 3000, server_certificate: '' });
    expect(body.approval_reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(Buffer.from(body.server_nonce, 'base64')).toHaveLength(32);
    expect(body.signing_key).toBe(t.ctx.services.engineKeys.signingKeyB64());
    const row = await t.ctx.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('approval_reference', '=', body.approval_reference)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'pending',
      hostname_claimed: agent.hostname,
      ssl_key_fingerprint_claimed: agent.fingerprint,
      code_kind: 'site',
      site_id: site.id,
      source_ip: agent.ip,
      expires_at: t.clock.now() + DAY,
    });
    // The CA is read when present (makeTestApp has none until we write one).
    const caFile = path.join(t.ctx.config.engineDir, 'Certificates', 'borealis-root-ca.pem');
    fs.mkdirSync(path.dirname(caFile), { recursive: true });
    fs.writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
    try {
      const again = (await agent.request(site.code)).json<{ server_certificate: string }>();
      expect(again.server_certificate).toContain('BEGIN CERTIFICATE');
    } finally {
      fs.rmSync(caFile);
    }
  });

  it('refuses bad requests with the reference codes', async () => {
    const agent = new TestAgent(t);
    const cases: [Record<string, unknown>, string][] = [
      [{ hostname: undefined }, 'hostname_required'],
      [{ hostname: '   ' }, 'hostname_required'],
      [{ enrollment_code: '' }, 'enrollment_code_required'],
      [{ agent_pubkey: null }, 'agent_pubkey_required'],
      [{ client_nonce: undefined }, 'client_nonce_required'],
      [{ agent_pubkey: 'not base64!' }, 'invalid_agent_pubkey'],
      [{ agent_pubkey: Buffer.from('nope').toString('base64') }, 'invalid_agent_pubkey'],
      [
        {
          agent_pubkey: crypto
            .generateKeyPairSync('ec', { namedCurve: 'P-256' })
            .publicKey.export({ format: 'der', type: 'spki' })
            .toString('base64'),
        },
        'invalid_agent_pubkey',
      ],
      [{ client_nonce: crypto.randomBytes(15).toString('base64') }, 'invalid_client_nonce'],
      [{ client_nonce: '%%%%' }, 'invalid_client_nonce'],
      [{ enrollment_code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-0000-1111' }, 'invalid_enrollment_code'],
      [{ enrollment_code: 'garbage' }, 'invalid_enrollment_code'],
      [{ hostname: 42 }, 'invalid_request'],
      [{ hostname: 'bad\u0000host' }, 'invalid_hostname'],
      [{ hostname: 'line\nbreak' }, 'invalid_hostname'],
    ];
    for (const [over, code] of cases) {
      const res = await agent.request(site.code, over);
      expect(codeOf(res), JSON.stringify(over)).toEqual([400, code]);
      expect(res.json()).toMatchObject({ message: expect.any(String) });
    }
    // URL-safe base64 of the key is accepted.
    const urlSafe = await agent.request(site.code, {
      agent_pubkey: agent.spki.toString('base64url'),
    });
    expect(urlSafe.statusCode).toBe(200);
  });

  it('reuses the pending approval of a key with fresh nonces', async () => {
    const agent = new TestAgent(t);
    await agent.request(site.code);
    const first = { ref: agent.reference, nonce: agent.serverNonce, client: agent.clientNonce };
    const staleProof = agent.proofSig();
    agent.clientNonce = crypto.randomBytes(32);
    await agent.request(site.code);
    expect(agent.reference).toBe(first.ref);
    expect(agent.serverNonce.equals(first.nonce)).toBe(false);
    const rows = await t.ctx.db
      .selectFrom('device_approvals')
      .select('id')
      .where('ssl_key_fingerprint_claimed', '=', agent.fingerprint)
      .execute();
    expect(rows).toHaveLength(1);
    // The old nonce and the old proof no longer work.
    expect(codeOf(await agent.poll({ client_nonce: first.client.toString('base64') }))).toEqual([
      400,
      'nonce_mismatch',
    ]);
    expect(codeOf(await agent.poll({ proof_sig: staleProof }))).toEqual([400, 'invalid_proof']);
    expect((await agent.poll()).json()).toEqual({ status: 'pending', poll_after_ms: 5000 });
  });

  it('checks every poll: unknown reference, nonce, proof encoding and signature', async () => {
    const agent = new TestAgent(t);
    await agent.request(site.code);
    const unknown = await agent.poll({ approval_reference: crypto.randomUUID() });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({
      status: 'unknown',
      error: 'approval_not_found',
      message: expect.any(String),
    });
    expect((await agent.poll({ approval_reference: 'x\u0000y' })).statusCode).toBe(404);
    expect(
      codeOf(await agent.poll({ client_nonce: crypto.randomBytes(32).toString('base64') })),
    ).toEqual([400, 'nonce_mismatch']);
    expect(codeOf(await agent.poll({ client_nonce: '***' }))).toEqual([400, 'nonce_mismatch']);
    expect(codeOf(await agent.poll({ proof_sig: '!!not base64!!' }))).toEqual([
      400,
      'invalid_proof_sig',
    ]);
    expect(
      codeOf(await agent.poll({ proof_sig: crypto.randomBytes(10).toString('base64') })),
    ).toEqual([400, 'invalid_proof_sig']);
    const other = new TestAgent(t);
    Object.assign(other, {
      reference: agent.reference,
      serverNonce: agent.serverNonce,
      clientNonce: agent.clientNonce,
    });
    expect(codeOf(await agent.poll({ proof_sig: other.proofSig() }))).toEqual([
      400,
      'invalid_proof',
    ]);
    expect(
      codeOf(await agent.poll({ proof_sig: crypto.randomBytes(64).toString('base64') })),
    ).toEqual([400, 'invalid_proof']);
    expect((await agent.poll()).json()).toEqual({ status: 'pending', poll_after_ms: 5000 });
  });

  it('finalises once: device, key, refresh token hash, completed approval; replay is 409', async () => {
    const agent = new TestAgent(t);
    await agent.request(site.code);
    expect((await approve(t, admin, agent)).statusCode).toBe(200);
    const res = await agent.poll();
    expect(res.statusCode).toBe(200);
    const body = EnrollPollResponseSchema.parse(res.json());
    if (body.status !== 'approved') throw new Error('not approved');
    expect(body).toMatchObject({
      expires_in: 900,
      token_type: 'DPoP',
      signing_key: t.ctx.services.engineKeys.signingKeyB64(),
    });
    const device = await t.ctx.db
      .selectFrom('devices')
      .selectAll()
      .where('guid', '=', body.guid)
      .executeTakeFirstOrThrow();
    expect(device).toMatchObject({
      hostname: agent.hostname,
      site_id: site.id,
      ssl_key_fingerprint: agent.fingerprint,
      key_added_at: t.clock.now(),
      status: 'active',
      token_version: 1,
    });
    const keys = await t.ctx.db
      .selectFrom('device_keys')
      .selectAll()
      .where('guid', '=', body.guid)
      .execute();
    expect(keys).toEqual([
      expect.objectContaining({
        ssl_key_fingerprint: agent.fingerprint,
        public_key: agent.spki.toString('base64'),
        retired_at: null,
      }),
    ]);
    const tokens = await t.ctx.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('guid', '=', body.guid)
      .execute();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({
      token_hash: crypto.createHash('sha256').update(body.refresh_token).digest('hex'),
      dpop_jkt: agent.jkt,
      expires_at: t.clock.now() + 90 * DAY,
    });
    const approval = await t.ctx.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('approval_reference', '=', agent.reference)
      .executeTakeFirstOrThrow();
    expect(approval).toMatchObject({
      status: 'completed',
      guid: body.guid,
      finalized_at: t.clock.now(),
    });

    const replay = await agent.poll();
    expect(codeOf(replay)).toEqual([409, 'proof_replayed']);
    expect(
      await t.ctx.db
        .selectFrom('refresh_tokens')
        .select('id')
        .where('guid', '=', body.guid)
        .execute(),
    ).toHaveLength(1);
  });

  it('answers denied and expired approvals', async () => {
    const denied = new TestAgent(t);
    await denied.request(site.code);
    const row = await t.ctx.db
      .selectFrom('device_approvals')
      .select('id')
      .where('approval_reference', '=', denied.reference)
      .executeTakeFirstOrThrow();
    const deny = await t.app.inject({
      method: 'POST',
      url: `/api/admin/device-approvals/${row.id}/deny`,
      headers: admin,
    });
    expect(deny.json()).toEqual({ status: 'denied' });
    expect((await denied.poll()).json()).toEqual({ status: 'denied', reason: 'operator_denied' });

    const late = new TestAgent(t);
    await late.request(site.code);
    t.clock.advance(DAY + 1);
    expect((await late.poll()).json()).toEqual({ status: 'expired' });
    // A new request after expiry opens a new approval.
    await late.request(site.code);
    expect((await late.poll()).json()).toEqual({ status: 'pending', poll_after_ms: 5000 });
  });

  it('counts installer-code uses at finalisation and refuses an exhausted or expired code', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/admin/enrollment-codes',
      headers: admin,
      payload: { ttl_hours: 1, max_uses: 1, site_id: site.id },
    });
    const code = created.json<{ id: string; code: string }>();
    const a = new TestAgent(t);
    const b = new TestAgent(t);
    expect((await a.request(code.code)).statusCode).toBe(200);
    expect((await b.request(code.code)).statusCode).toBe(200);
    await approve(t, admin, a);
    await approve(t, admin, b);
    expect((await a.poll()).statusCode).toBe(200);
    const row = await t.ctx.db
      .selectFrom('enrollment_install_codes')
      .selectAll()
      .where('id', '=', code.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ use_count: 1, used_by_guid: a.tokens!.guid });
    const device = await t.ctx.db
      .selectFrom('devices')
      .select('site_id')
      .where('guid', '=', a.tokens!.guid)
      .executeTakeFirstOrThrow();
    expect(device.site_id).toBe(site.id);
    // b was approved but the code is spent by the time it finalises: nothing is created.
    expect(codeOf(await b.poll())).toEqual([400, 'invalid_enrollment_code']);
    expect(
      await t.ctx.db
        .selectFrom('devices')
        .select('guid')
        .where('hostname', '=', b.hostname)
        .execute(),
    ).toEqual([]);
    expect(codeOf(await new TestAgent(t).request(code.code))).toEqual([
      400,
      'invalid_enrollment_code',
    ]);

    const short = (
      await t.app.inject({
        method: 'POST',
        url: '/api/admin/enrollment-codes',
        headers: admin,
        payload: { ttl_hours: 1, max_uses: 5 },
      })
    ).json<{ code: string }>();
    t.clock.advance(3_600_001);
    expect(codeOf(await new TestAgent(t).request(short.code))).toEqual([
      400,
      'invalid_enrollment_code',
    ]);
  });

  it('auto-approves on an auto-approve site unless the hostname belongs to another key', async () => {
    const auto = await createSite(t, admin, { autoApprove: true });
    const agent = new TestAgent(t);
    await agent.request(auto.code);
    const row = await t.ctx.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('approval_reference', '=', agent.reference)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      status: 'approved',
      approved_by: 'auto-approve',
      conflict_resolution: null,
    });
    expect((await agent.poll()).json()).toMatchObject({ status: 'approved', guid: row.guid });

    // Same hostname, different key: waits for an operator.
    const impostor = new TestAgent(t, agent.hostname);
    await impostor.request(auto.code);
    const pending = await t.ctx.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('approval_reference', '=', impostor.reference)
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');

    // Same hostname, same key (a reinstall): merged into the existing GUID automatically.
    agent.clientNonce = crypto.randomBytes(32);
    await agent.request(auto.code);
    const merged = await t.ctx.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('approval_reference', '=', agent.reference)
      .executeTakeFirstOrThrow();
    expect(merged).toMatchObject({
      status: 'approved',
      guid: row.guid,
      conflict_resolution: 'auto_merge_fingerprint',
    });
    expect((await agent.poll()).json()).toMatchObject({ status: 'approved', guid: row.guid });
  });

  it('a new key for an existing GUID bumps token_version and revokes its refresh tokens', async () => {
    const old = await enroll(t, admin, site.code);
    const guid = old.tokens!.guid;
    const fresh = new TestAgent(t, old.hostname);
    await fresh.request(site.code);
    expect((await approve(t, admin, fresh, { conflict_resolution: 'overwrite' })).json()).toEqual({
      status: 'approved',
      guid,
      conflict_resolution: 'overwrite',
    });
    await fresh.poll();
    expect(fresh.tokens!.guid).toBe(guid);
    const device = await t.ctx.db
      .selectFrom('devices')
      .selectAll()
      .where('guid', '=', guid)
      .executeTakeFirstOrThrow();
    expect(device.ssl_key_fingerprint).toBe(fresh.fingerprint);
    expect(device.token_version).toBe(3); // once at overwrite approval, once for the key change
    const tokens = await t.ctx.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('guid', '=', guid)
      .orderBy('created_at')
      .execute();
    expect(tokens.filter((r) => r.revoked_at === null).map((r) => r.dpop_jkt)).toEqual([fresh.jkt]);
    const keys = await t.ctx.db
      .selectFrom('device_keys')
      .selectAll()
      .where('guid', '=', guid)
      .execute();
    expect(keys.find((k) => k.ssl_key_fingerprint === old.fingerprint)?.retired_at).toBe(
      t.clock.now(),
    );
    expect(keys.find((k) => k.ssl_key_fingerprint === fresh.fingerprint)?.retired_at).toBeNull();
  });

  it('rate-limits 40 requests/min per IP and 12/min per key with Retry-After', async () => {
    const ip = '198.51.100.7';
    for (let i = 0; i < 40; i++) {
      const r = await new TestAgent(t, `burst-${i}`, ip).request(site.code);
      expect(r.statusCode).toBe(200);
    }
    const limited = await new TestAgent(t, 'burst-x', ip).request(site.code);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({
      error: 'rate_limited',
      retry_after: 60,
      message: expect.any(String),
    });
    expect(limited.headers['retry-after']).toBe('60');
    // Malformed bodies from that IP are counted and limited too.
    const junk = await t.app.inject({
      method: 'POST',
      url: '/api/agent/enroll/request',
      remoteAddress: ip,
      payload: {},
    });
    expect(junk.statusCode).toBe(429);
    t.clock.advance(60_000);
    expect((await new TestAgent(t, 'burst-y', ip).request(site.code)).statusCode).toBe(200);

    const agent = new TestAgent(t);
    for (let i = 0; i < 12; i++) {
      Object.assign(agent, { ip: `203.0.113.${i + 1}` });
      expect((await agent.request(site.code)).statusCode).toBe(200);
    }
    Object.assign(agent, { ip: '203.0.113.99' });
    const perKey = await agent.request(site.code);
    expect(codeOf(perKey)).toEqual([429, 'rate_limited']);
    expect(Number(perKey.headers['retry-after'])).toBeGreaterThan(0);
    t.clock.advance(60_000);
  });

  it('keeps agent traffic out of the audit log and secrets out of the logs', async () => {
    const agent = await enroll(t, admin, site.code);
    const audited = await t.ctx.db
      .selectFrom('audit_log')
      .select('path')
      .where('path', 'like', '/api/agent/%')
      .execute();
    expect(audited).toEqual([]);
    await t.ctx.logs.close();
    const dir = path.join(t.ctx.config.engineDir, 'Logs');
    const all = fs
      .readdirSync(dir)
      .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
      .join('\n');
    expect(all).toContain(agent.tokens!.guid);
    expect(all).not.toContain(site.code);
    expect(all).not.toContain(agent.tokens!.refresh);
    expect(all).not.toContain(agent.tokens!.access);
  });
});
