// Operator sign-in on SQLite and PostgreSQL: argon2id at rest, session cookie flags, CSRF on
// cookie writes, MFA setup → verify → login (and replay/wrong-code rejection), lockout back-off
// per username and per IP with a fake clock, logout/expiry, first-admin setup and seeding, audit.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/security/secret-box.js';
import { createUser, sessionHeaders, totpCode } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

const PASSWORD = 'a-very-secret-password-42';

interface LoginOpts {
  ip?: string;
}

function login(t: TestApp, username: string, password: string, o: LoginOpts = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress: o.ip ?? '127.0.0.1',
  });
}

function verify(t: TestApp, pending_token: string, code: string, o: LoginOpts = {}) {
  return t.app.inject({
    method: 'POST',
    url: '/api/auth/mfa/verify',
    payload: { pending_token, code },
    remoteAddress: o.ip ?? '127.0.0.1',
  });
}

function cookieOf(res: { cookies: { name: string; value: string }[] }): string {
  const c = res.cookies.find((x) => x.name === 'borealis_session');
  if (!c) throw new Error('no session cookie');
  return `borealis_session=${c.value}`;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

describe.each(DIALECTS)('operator sign-in (%s)', (dialect) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp(dialect);
  });
  afterEach(async () => {
    await t.close();
  });

  it('stores passwords as argon2id only', async () => {
    await createUser(t, { role: 'Operator', username: 'olga', password: PASSWORD });
    const row = await t.ctx.db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', 'olga')
      .executeTakeFirstOrThrow();
    expect(row.password_hash.startsWith('$argon2id$')).toBe(true);
    expect(JSON.stringify(row)).not.toContain(PASSWORD);
    expect(row.mfa_enabled).toBe(0);
  });

  it('logs in without MFA and sets a hardened session cookie', async () => {
    await createUser(t, { role: 'Operator', username: 'olga', password: PASSWORD });
    const res = await login(t, 'olga', PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      status: 'ok',
      username: 'olga',
      display_name: 'olga',
      role: 'Operator',
    });
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    const raw = String(res.headers['set-cookie']);
    expect(raw).toMatch(/^borealis_session=[A-Za-z0-9_-]{43};/);
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/', 'Max-Age=43200']) {
      expect(raw).toContain(flag);
    }
    const token = res.cookies[0]!.value;
    const sessions = await t.ctx.db.selectFrom('operator_sessions').selectAll().execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.id).toBe(sha256Hex(token));
    expect(JSON.stringify(sessions)).not.toContain(token);
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: cookieOf(res) },
    });
    expect(me.json()).toEqual({
      username: 'olga',
      display_name: 'olga',
      role: 'Operator',
      auth: 'session',
      csrf_token: body.csrf_token,
    });
    const user = await t.ctx.db.selectFrom('users').select('last_login').executeTakeFirstOrThrow();
    expect(user.last_login).toBe(t.clock.now());
  });

  it('rejects bad credentials the same way for unknown users', async () => {
    await createUser(t, { role: 'Viewer', username: 'vera', password: PASSWORD });
    const wrong = await login(t, 'vera', 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: 'invalid_credentials' });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const unknown = await login(t, 'nobody', 'not-the-password');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error).toBe('invalid_credentials');
    expect((await login(t, 'vera', '')).statusCode).toBe(400);
  });

  it('requires the CSRF token on cookie-authenticated writes', async () => {
    const h = await sessionHeaders(t, 'Admin');
    const payload = { username: 'newbie', password: PASSWORD, role: 'Viewer' };
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: h.cookie! },
      payload,
    });
    expect(none.statusCode).toBe(403);
    expect(none.json().error).toBe('csrf_failed');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { cookie: h.cookie!, 'x-csrf-token': 'x'.repeat(43) },
      payload,
    });
    expect(bad.statusCode).toBe(403);
    expect(bad.json().error).toBe('csrf_failed');
    expect(
      await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'newbie').execute(),
    ).toHaveLength(0);
    const good = await t.app.inject({ method: 'POST', url: '/api/users', headers: h, payload });
    expect(good.statusCode).toBe(201);
    const read = await t.app.inject({
      method: 'GET',
      url: '/api/users',
      headers: { cookie: h.cookie! },
    });
    expect(read.statusCode).toBe(200);
  });

  it('enrols TOTP on first login, then asks only for a code', async () => {
    await createUser(t, { role: 'Admin', username: 'alice', password: PASSWORD, mfa: true });
    const first = await login(t, 'alice', PASSWORD);
    expect(first.statusCode).toBe(200);
    expect(first.headers['set-cookie']).toBeUndefined();
    const setup = first.json();
    expect(setup).toMatchObject({
      status: 'mfa_required',
      stage: 'setup',
      username: 'alice',
      role: 'Admin',
    });
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.otpauth_url).toContain(`secret=${setup.secret}`);
    expect(setup.otpauth_url).toContain('issuer=Borealis');
    expect(setup.qr_image.startsWith('data:image/png;base64,')).toBe(true);
    const challenge = await t.ctx.db
      .selectFrom('auth_challenges')
      .selectAll()
      .executeTakeFirstOrThrow();
    expect(challenge.id).toBe(sha256Hex(setup.pending_token));
    expect(JSON.stringify(challenge)).not.toContain(setup.secret);

    const ok = await verify(t, setup.pending_token, totpCode(setup.secret, t.clock.now()));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', username: 'alice', role: 'Admin' });
    expect(String(ok.headers['set-cookie'])).toContain('HttpOnly');
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: cookieOf(ok) },
    });
    expect(me.json().username).toBe('alice');
    const user = await t.ctx.db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user.mfa_secret_enc).toBeTruthy();
    expect(user.mfa_secret_enc).not.toContain(setup.secret);
    expect(t.ctx.secrets.decrypt(user.mfa_secret_enc!, 'totp')).toBe(setup.secret);
    expect(await t.ctx.db.selectFrom('auth_challenges').selectAll().execute()).toHaveLength(0);

    t.clock.advance(60_000);
    const second = await login(t, 'alice', PASSWORD);
    const v = second.json();
    expect(v).toMatchObject({ status: 'mfa_required', stage: 'verify' });
    expect(v.secret).toBeUndefined();
    expect(v.qr_image).toBeUndefined();
    const again = await verify(t, v.pending_token, totpCode(setup.secret, t.clock.now()));
    expect(again.statusCode).toBe(200);
    expect(again.json().status).toBe('ok');
  });

  it('rejects wrong codes, replayed codes, unknown and expired challenges', async () => {
    await createUser(t, { role: 'Operator', username: 'otto', password: PASSWORD, mfa: true });
    const setup = (await login(t, 'otto', PASSWORD)).json();
    const code = totpCode(setup.secret, t.clock.now());
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const bad = await verify(t, setup.pending_token, wrong);
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error).toBe('invalid_code');
    expect((await verify(t, setup.pending_token, code)).statusCode).toBe(200);

    // Same code, new login, same time step: refused as a replay; the next step's code works.
    const v = (await login(t, 'otto', PASSWORD)).json();
    const replay = await verify(t, v.pending_token, code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error).toBe('invalid_code');
    t.clock.advance(30_000);
    expect(
      (await verify(t, v.pending_token, totpCode(setup.secret, t.clock.now()))).statusCode,
    ).toBe(200);

    const unknown = await verify(t, 'no-such-pending-token', '123456');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error).toBe('invalid_session');

    const late = (await login(t, 'otto', PASSWORD)).json();
    t.clock.advance(301_000);
    const expired = await verify(t, late.pending_token, totpCode(setup.secret, t.clock.now()));
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error).toBe('expired');
  });

  it('drops a challenge after five wrong codes and counts them toward the lockout', async () => {
    await createUser(t, { role: 'Operator', username: 'otto', password: PASSWORD, mfa: true });
    const setup = (await login(t, 'otto', PASSWORD, { ip: '10.1.1.1' })).json();
    for (let i = 0; i < 5; i++) {
      const r = await verify(t, setup.pending_token, '000000', { ip: '10.1.1.1' });
      expect(r.json().error).toBe('invalid_code');
    }
    const gone = await verify(t, setup.pending_token, totpCode(setup.secret, t.clock.now()), {
      ip: '10.1.1.1',
    });
    expect(gone.json().error).toBe('invalid_session');
    const locked = await login(t, 'otto', PASSWORD, { ip: '10.9.9.9' });
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: 'rate_limited', retry_after: 30 });
  });

  it('locks a username with doubling back-off, capped at 15 minutes', async () => {
    await createUser(t, { role: 'Operator', username: 'lou', password: PASSWORD });
    // A different IP per attempt isolates the per-username counter.
    let n = 0;
    const attempt = (password: string) => login(t, 'lou', password, { ip: `10.0.0.${++n}` });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong-password')).statusCode).toBe(401);
    const locked = await attempt(PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: 'rate_limited', retry_after: 30 });
    expect(locked.headers['retry-after']).toBe('30');

    t.clock.advance(30_000);
    expect((await attempt('wrong-password')).statusCode).toBe(401); // 6th failure: 60 s
    expect((await attempt(PASSWORD)).json().retry_after).toBe(60);
    t.clock.advance(59_000);
    expect((await attempt(PASSWORD)).statusCode).toBe(429);
    t.clock.advance(1_000);
    for (const expected of [120, 240, 480, 900, 900]) {
      expect((await attempt('wrong-password')).statusCode).toBe(401);
      expect((await attempt(PASSWORD)).json().retry_after).toBe(expected);
      t.clock.advance(expected * 1000);
    }
    const ok = await attempt(PASSWORD);
    expect(ok.statusCode).toBe(200);
    // Success resets the count: four new failures do not lock.
    for (let i = 0; i < 4; i++) expect((await attempt('wrong-password')).statusCode).toBe(401);
    expect((await attempt(PASSWORD)).statusCode).toBe(200);
  });

  it('locks a client IP that keeps failing across usernames', async () => {
    await createUser(t, { role: 'Viewer', username: 'vera', password: PASSWORD });
    for (let i = 0; i < 5; i++) {
      expect((await login(t, `ghost${i}`, 'whatever-pass', { ip: '192.0.2.7' })).statusCode).toBe(
        401,
      );
    }
    const blocked = await login(t, 'vera', PASSWORD, { ip: '192.0.2.7' });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json().error).toBe('rate_limited');
    expect((await login(t, 'vera', PASSWORD, { ip: '192.0.2.8' })).statusCode).toBe(200);
    t.clock.advance(30_000);
    expect((await login(t, 'vera', PASSWORD, { ip: '192.0.2.7' })).statusCode).toBe(200);
  });

  it('logs out and expires sessions', async () => {
    const h = await sessionHeaders(t, 'Viewer');
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: h });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toMatch(
      /borealis_session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/,
    );
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { cookie: h.cookie! },
    });
    expect(after.statusCode).toBe(401);
    expect(after.json().error).toBe('unauthorized');

    const h2 = await sessionHeaders(t, 'Viewer');
    const me = () =>
      t.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: h2.cookie! } });
    t.clock.advance(43_200_000 - 1);
    expect((await me()).statusCode).toBe(200);
    t.clock.advance(1);
    expect((await me()).statusCode).toBe(401);
    await t.ctx.services.auth.prune();
    expect(await t.ctx.db.selectFrom('operator_sessions').selectAll().execute()).toHaveLength(0);
  });

  it('audits logins under the attempted username and keeps secrets out of logs', async () => {
    await createUser(t, { role: 'Operator', username: 'olga', password: PASSWORD });
    await login(t, 'olga', 'wrong-password-here');
    const ok = await login(t, 'olga', PASSWORD);
    // Audit rows are written after the response is sent.
    const rows = await vi.waitFor(async () => {
      const r = await t.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'auth.login')
        .orderBy('seq')
        .execute();
      expect(r.map((x) => [x.username, x.outcome, x.status_code])).toEqual([
        ['olga', 'denied', 401],
        ['olga', 'success', 200],
      ]);
      return r;
    });
    await t.ctx.logs.close();
    const text = filesUnder(t.ctx.logs.dir)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    expect(text).toContain('olga');
    for (const secret of [
      PASSWORD,
      'wrong-password-here',
      ok.json().csrf_token,
      ok.cookies[0]!.value,
    ]) {
      expect(text).not.toContain(secret);
      expect(JSON.stringify(rows)).not.toContain(secret);
    }
  });
});

describe.each(DIALECTS)('first admin (%s)', (dialect) => {
  let t: TestApp;
  afterEach(async () => {
    await t.close();
  });

  it('creates the first Admin with the one-time setup token', async () => {
    t = await makeTestApp(dialect);
    const status = () => t.app.inject({ method: 'GET', url: '/api/auth/setup' });
    expect((await status()).json()).toEqual({ setup_required: true });
    const { setupToken, seededAdmin } = await t.ctx.services.auth.bootstrap();
    expect(seededAdmin).toBeUndefined();
    expect(setupToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = await t.ctx.db.selectFrom('setup_tokens').selectAll().execute();
    expect(stored.map((r) => r.id)).toEqual([sha256Hex(setupToken!)]);

    const body = { token: setupToken!, username: 'root', display_name: 'Root', password: PASSWORD };
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/auth/setup',
      payload: { ...body, token: 'nope' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_setup_token');
    const weak = await t.app.inject({
      method: 'POST',
      url: '/api/auth/setup',
      payload: { ...body, password: 'short' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().field).toBe('password');

    const ok = await t.app.inject({ method: 'POST', url: '/api/auth/setup', payload: body });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      username: 'root',
      display_name: 'Root',
      role: 'Admin',
      mfa_enabled: true,
    });
    expect((await status()).json()).toEqual({ setup_required: false });
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/auth/setup',
      payload: { ...body, username: 'root2' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toBe('setup_complete');
    expect(await t.ctx.services.auth.bootstrap()).toEqual({});
    const first = (await login(t, 'root', PASSWORD)).json();
    expect(first).toMatchObject({ status: 'mfa_required', stage: 'setup' });
    const audit = await vi.waitFor(async () => {
      const rows = await t.ctx.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'auth.setup')
        .orderBy('seq')
        .execute();
      expect(rows.map((r) => [r.username, r.outcome])).toEqual([
        ['root', 'denied'],
        [null, 'failure'], // schema rejection happens before the handler names the actor
        ['root', 'success'],
        ['root2', 'failure'],
      ]);
      return rows;
    });
    expect(JSON.stringify(audit)).not.toContain(setupToken!);
  });

  it('refuses an expired setup token and replaces tokens on restart', async () => {
    t = await makeTestApp(dialect);
    const a = (await t.ctx.services.auth.bootstrap()).setupToken!;
    const b = (await t.ctx.services.auth.bootstrap()).setupToken!;
    const post = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/setup',
        payload: { token, username: 'root', password: PASSWORD },
      });
    expect((await post(a)).json().error).toBe('invalid_setup_token');
    t.clock.advance(24 * 3600_000);
    expect((await post(b)).json().error).toBe('invalid_setup_token');
    await t.ctx.services.auth.prune();
    expect(await t.ctx.db.selectFrom('setup_tokens').selectAll().execute()).toHaveLength(0);
  });

  it('seeds the configured admin with MFA on and no setup token', async () => {
    t = await makeTestApp(dialect, {
      BOREALIS_ADMIN_USERNAME: 'seed-admin',
      BOREALIS_ADMIN_PASSWORD: PASSWORD,
    });
    expect(await t.ctx.services.auth.bootstrap()).toEqual({ seededAdmin: 'seed-admin' });
    expect(await t.ctx.services.auth.bootstrap()).toEqual({});
    expect(await t.ctx.db.selectFrom('setup_tokens').selectAll().execute()).toHaveLength(0);
    const users = await t.ctx.db.selectFrom('users').selectAll().execute();
    expect(users.map((u) => [u.username, u.role, u.mfa_enabled])).toEqual([
      ['seed-admin', 'Admin', 1],
    ]);
    expect(users[0]!.password_hash.startsWith('$argon2id$')).toBe(true);
    const first = (await login(t, 'seed-admin', PASSWORD)).json();
    expect(first).toMatchObject({ status: 'mfa_required', stage: 'setup', role: 'Admin' });
  });
});
