// Operator accounts on SQLite and PostgreSQL through /api/users: create (audited, unique names,
// password policy), delete (not yourself, not the last Admin; sessions and API keys go with the
// user), reset password (signs out everywhere), role changes, MFA toggles, and Viewer/Operator 403s.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../src/http/errors.js';
import { apiKeyHeaders, createUser, sessionHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

const PASSWORD = 'another-long-password-7';

describe.each(DIALECTS)('users (%s)', (dialect) => {
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
  const login = (username: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  const adminName = async () =>
    (await req('GET', '/api/auth/me', { cookie: admin.cookie! })).json().username as string;

  it('creates users (MFA on by default), lists them and audits the creation', async () => {
    const res = await req('POST', '/api/users', admin, {
      username: 'carol',
      display_name: '  Carol C ',
      password: PASSWORD,
      role: 'Operator',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      username: 'carol',
      display_name: 'Carol C',
      role: 'Operator',
      mfa_enabled: true,
      last_login: null,
      created_at: t.clock.now(),
      updated_at: t.clock.now(),
    });
    expect(JSON.stringify(res.json())).not.toContain(PASSWORD);
    const list = await req('GET', '/api/users', admin);
    expect(list.json().users.map((u: { username: string }) => u.username)).toContain('carol');
    expect(JSON.stringify(list.json())).not.toMatch(/password|secret/);

    const name = await adminName();
    await vi.waitFor(async () => {
      const audit = await req('GET', '/api/audit?action=users.create', admin);
      expect(audit.json().entries).toEqual([
        expect.objectContaining({
          username: name,
          auth: 'session',
          target: 'carol',
          outcome: 'success',
          status_code: 201,
          method: 'POST',
          path: '/api/users',
        }),
      ]);
    });
    const first = (await login('carol', PASSWORD)).json();
    expect(first).toMatchObject({ status: 'mfa_required', stage: 'setup' });
  });

  it('rejects duplicate names (ignoring case), bad names and weak passwords', async () => {
    await createUser(t, { role: 'Viewer', username: 'dave' });
    for (const username of ['dave', 'DAVE']) {
      const dup = await req('POST', '/api/users', admin, {
        username,
        password: PASSWORD,
        role: 'Viewer',
      });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error).toBe('username_taken');
    }
    const weak = await req('POST', '/api/users', admin, {
      username: 'erin',
      password: 'short',
      role: 'Viewer',
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ error: 'invalid_request', field: 'password' });
    const badName = await req('POST', '/api/users', admin, {
      username: 'a b',
      password: PASSWORD,
      role: 'Viewer',
    });
    expect(badName.statusCode).toBe(400);
    expect(badName.json().field).toBe('username');
    const badRole = await req('POST', '/api/users', admin, {
      username: 'erin',
      password: PASSWORD,
      role: 'Root',
    });
    expect(badRole.statusCode).toBe(400);
  });

  it('deletes a user with their sessions and API keys, never yourself or the last Admin', async () => {
    const victim = await sessionHeaders(t, 'Admin');
    const victimName = (await req('GET', '/api/auth/me', victim)).json().username as string;
    const key = (
      await req('POST', '/api/api_keys', victim, { name: 'ci', role: 'Operator' })
    ).json().key as string;
    const bearer = { authorization: `Bearer ${key}` };
    expect((await req('GET', '/api/auth/me', bearer)).statusCode).toBe(200);

    const self = await req('DELETE', `/api/users/${await adminName()}`, admin);
    expect(self.statusCode).toBe(409);
    expect(self.json().error).toBe('cannot_delete_self');

    const del = await req('DELETE', `/api/users/${victimName}`, admin);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ status: 'ok' });
    expect((await req('GET', '/api/auth/me', { cookie: victim.cookie! })).statusCode).toBe(401);
    expect((await req('GET', '/api/auth/me', bearer)).statusCode).toBe(401);
    const keyRow = await t.ctx.db.selectFrom('api_keys').selectAll().executeTakeFirstOrThrow();
    expect(keyRow.revoked_at).toBe(t.clock.now());
    const missing = await req('DELETE', `/api/users/${victimName}`, admin);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toBe('user_not_found');

    // The last Admin cannot be deleted (only reachable through the service: the actor is an Admin).
    const err = await t.ctx.services.users
      .remove('someone-else', await adminName())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ statusCode: 409, code: 'last_admin' });
  });

  it('resets a password and signs the user out everywhere', async () => {
    const { username, password } = await createUser(t, { role: 'Operator' });
    const s = await login(username, password);
    const cookie = `borealis_session=${s.cookies[0]!.value}`;
    const res = await req('POST', `/api/users/${username}/reset_password`, admin, {
      password: PASSWORD,
    });
    expect(res.statusCode).toBe(200);
    expect((await req('GET', '/api/auth/me', { cookie })).statusCode).toBe(401);
    expect((await login(username, password)).statusCode).toBe(401);
    expect((await login(username, PASSWORD)).statusCode).toBe(200);
    const weak = await req('POST', `/api/users/${username}/reset_password`, admin, {
      password: 'short',
    });
    expect(weak.statusCode).toBe(400);
    const missing = await req('POST', '/api/users/ghost/reset_password', admin, {
      password: PASSWORD,
    });
    expect(missing.json().error).toBe('user_not_found');
  });

  it('changes roles, live for existing sessions, but never demotes the last Admin', async () => {
    const me = await adminName();
    const last = await req('POST', `/api/users/${me}/role`, admin, { role: 'Operator' });
    expect(last.statusCode).toBe(409);
    expect(last.json().error).toBe('last_admin');

    const op = await sessionHeaders(t, 'Operator');
    const opName = (await req('GET', '/api/auth/me', op)).json().username as string;
    expect((await req('GET', '/api/users', op)).statusCode).toBe(403);
    const up = await req('POST', `/api/users/${opName}/role`, admin, { role: 'Admin' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ username: opName, role: 'Admin' });
    expect((await req('GET', '/api/users', op)).statusCode).toBe(200);
    const down = await req('POST', `/api/users/${me}/role`, admin, { role: 'Viewer' });
    expect(down.json().role).toBe('Viewer');
    expect((await req('GET', '/api/users', admin)).statusCode).toBe(403);
    const missing = await req('POST', '/api/users/ghost/role', op, { role: 'Viewer' });
    expect(missing.statusCode).toBe(404);
  });

  it('turns MFA off and on, and resets the enrolled secret', async () => {
    const { username, password } = await createUser(t, { role: 'Viewer', mfa: true });
    expect((await login(username, password)).json().status).toBe('mfa_required');
    const off = await req('POST', `/api/users/${username}/mfa`, admin, { enabled: false });
    expect(off.json()).toMatchObject({ username, mfa_enabled: false });
    expect((await login(username, password)).json().status).toBe('ok');

    await t.ctx.db
      .updateTable('users')
      .set({ mfa_secret_enc: 'v1.sealed' })
      .where('username', '=', username)
      .execute();
    await req('POST', `/api/users/${username}/mfa`, admin, { enabled: true });
    expect((await login(username, password)).json()).toMatchObject({ stage: 'verify' });
    const reset = await req('POST', `/api/users/${username}/mfa`, admin, {
      enabled: true,
      reset_secret: true,
    });
    expect(reset.json().mfa_enabled).toBe(true);
    const row = await t.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirstOrThrow();
    expect(row.mfa_secret_enc).toBeNull();
    expect((await login(username, password)).json()).toMatchObject({ stage: 'setup' });
    expect((await req('POST', '/api/users/ghost/mfa', admin, { enabled: true })).statusCode).toBe(
      404,
    );
  });

  it('refuses every users route to Viewers and Operators (session or API key)', async () => {
    const target = await createUser(t, { role: 'Viewer', username: 'target' });
    const callers = [
      await sessionHeaders(t, 'Viewer'),
      await apiKeyHeaders(t, 'Viewer'),
      await sessionHeaders(t, 'Operator'),
      await apiKeyHeaders(t, 'Operator'),
    ];
    const routes: ['GET' | 'POST' | 'DELETE', string, object?][] = [
      ['GET', '/api/users'],
      ['POST', '/api/users', { username: 'mallory', password: PASSWORD, role: 'Admin' }],
      ['DELETE', `/api/users/${target.username}`],
      ['POST', `/api/users/${target.username}/reset_password`, { password: PASSWORD }],
      ['POST', `/api/users/${target.username}/role`, { role: 'Admin' }],
      ['POST', `/api/users/${target.username}/mfa`, { enabled: false }],
    ];
    for (const h of callers) {
      for (const [method, url, payload] of routes) {
        const res = await req(method, url, h, payload);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().error).toBe('forbidden');
      }
    }
    expect((await req('GET', '/api/users', {})).statusCode).toBe(401);
    const rows = await t.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('username', 'in', ['target', 'mallory'])
      .execute();
    expect(rows.map((r) => [r.username, r.role])).toEqual([['target', 'Viewer']]);
  });
});
