// API keys on SQLite and PostgreSQL: minted once (brl_ + 32 random bytes), stored only as SHA-256,
// usable as `Authorization: Bearer` without CSRF, last use recorded at most once a minute, capped
// at the creator's current role, revocable (then 401), and admin-only to manage.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/security/secret-box.js';
import { apiKeyHeaders, sessionHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

describe.each(DIALECTS)('API keys (%s)', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  beforeEach(async () => {
    t = await makeTestApp(dialect);
    admin = await sessionHeaders(t, 'Admin');
  });
  afterEach(async () => {
    await t.close();
  });

  const req = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    payload?: object,
  ) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const mint = async (role: string, headers = admin) => {
    const res = await req('POST', '/api/api_keys', headers, { name: ` ${role} script `, role });
    expect(res.statusCode).toBe(201);
    return res.json<{ id: string; key: string; prefix: string; name: string; role: string }>();
  };

  it('shows the key once and stores only its hash', async () => {
    const adminName = (await req('GET', '/api/auth/me', admin)).json().username;
    const created = await mint('Operator');
    expect(created.key).toMatch(/^brl_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({
      name: 'Operator script',
      role: 'Operator',
      prefix: created.key.slice(4, 12),
      created_by: adminName,
      created_at: t.clock.now(),
      last_used_at: null,
    });
    const row = await t.ctx.db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(sha256Hex(created.key));
    expect(JSON.stringify(row)).not.toContain(created.key.slice(4));
    const list = (await req('GET', '/api/api_keys', admin)).json();
    expect(list.api_keys).toHaveLength(1);
    expect(list.api_keys[0]).toEqual({
      id: created.id,
      name: 'Operator script',
      role: 'Operator',
      prefix: created.prefix,
      created_by: adminName,
      created_at: t.clock.now(),
      last_used_at: null,
    });
    const audit = await vi.waitFor(async () => {
      const entries = (await req('GET', '/api/audit?action=api_keys.create', admin)).json().entries;
      expect(entries).toHaveLength(1);
      return entries;
    });
    expect(JSON.stringify(audit)).not.toContain(created.key);
  });

  it('authenticates as the creator with the key role, without CSRF, tracking last use per minute', async () => {
    const created = await mint('Admin');
    const bearer = { authorization: `Bearer ${created.key}` };
    const me = await req('GET', '/api/auth/me', bearer);
    expect(me.statusCode).toBe(200);
    const adminName = (await req('GET', '/api/auth/me', admin)).json().username;
    expect(me.json()).toEqual({
      username: adminName,
      display_name: adminName,
      role: 'Admin',
      auth: 'api_key',
    });
    const write = await req('POST', '/api/users', bearer, {
      username: 'scripted',
      password: 'scripted-password-1',
      role: 'Viewer',
    });
    expect(write.statusCode).toBe(201);
    await vi.waitFor(async () => {
      const entries = (await req('GET', '/api/audit?action=users.create', admin)).json().entries;
      expect(entries[0]).toMatchObject({
        username: adminName,
        auth: 'api_key',
        target: 'scripted',
      });
    });

    const lastUsed = async () =>
      (await t.ctx.db.selectFrom('api_keys').select('last_used_at').executeTakeFirstOrThrow())
        .last_used_at;
    const start = t.clock.now();
    expect(await lastUsed()).toBe(start);
    t.clock.advance(30_000);
    await req('GET', '/api/auth/me', bearer);
    expect(await lastUsed()).toBe(start);
    t.clock.advance(30_000);
    await req('GET', '/api/auth/me', bearer);
    expect(await lastUsed()).toBe(start + 60_000);
  });

  it('limits a key to its own role and to its creator’s current role', async () => {
    const viewerKey = { authorization: `Bearer ${(await mint('Viewer')).key}` };
    expect((await req('GET', '/api/server/time', viewerKey)).statusCode).toBe(200);
    expect((await req('GET', '/api/api_keys', viewerKey)).statusCode).toBe(403);

    const other = await sessionHeaders(t, 'Admin');
    const otherName = (await req('GET', '/api/auth/me', other)).json().username;
    const adminKey = { authorization: `Bearer ${(await mint('Admin', other)).key}` };
    expect((await req('GET', '/api/api_keys', adminKey)).statusCode).toBe(200);
    await req('POST', `/api/users/${otherName}/role`, admin, { role: 'Viewer' });
    const demoted = await req('GET', '/api/auth/me', adminKey);
    expect(demoted.json().role).toBe('Viewer');
    expect((await req('GET', '/api/api_keys', adminKey)).statusCode).toBe(403);
  });

  it('revokes keys: the key stops working at once', async () => {
    const created = await mint('Operator');
    const bearer = { authorization: `Bearer ${created.key}` };
    expect((await req('GET', '/api/auth/me', bearer)).statusCode).toBe(200);
    const del = await req('DELETE', `/api/api_keys/${created.id}`, admin);
    expect(del.statusCode).toBe(200);
    const after = await req('GET', '/api/auth/me', bearer);
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toBe('unauthorized');
    expect((await req('GET', '/api/api_keys', admin)).json().api_keys).toEqual([]);
    const again = await req('DELETE', `/api/api_keys/${created.id}`, admin);
    expect(again.statusCode).toBe(404);
    expect(again.json().error).toBe('api_key_not_found');
    for (const h of ['Bearer brl_not-a-real-key', 'Bearer something-else', 'Basic abc']) {
      expect((await req('GET', '/api/auth/me', { authorization: h })).statusCode).toBe(401);
    }
  });

  it('refuses every API-key route to Viewers and Operators', async () => {
    const created = await mint('Viewer');
    const callers = [
      await sessionHeaders(t, 'Viewer'),
      await apiKeyHeaders(t, 'Viewer'),
      await sessionHeaders(t, 'Operator'),
      await apiKeyHeaders(t, 'Operator'),
    ];
    for (const h of callers) {
      for (const [method, url, payload] of [
        ['GET', '/api/api_keys'],
        ['POST', '/api/api_keys', { name: 'x', role: 'Admin' }],
        ['DELETE', `/api/api_keys/${created.id}`],
      ] as const) {
        const res = await req(method, url, h, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error).toBe('forbidden');
      }
    }
    const live = await t.ctx.db
      .selectFrom('api_keys')
      .select('id')
      .where('revoked_at', 'is', null)
      .execute();
    expect(live.map((r) => r.id)).toContain(created.id);
    expect(live).toHaveLength(3);
  });
});
