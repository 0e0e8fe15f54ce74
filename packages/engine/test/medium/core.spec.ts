// The app's cross-cutting contract: every route declares its auth, errors are JSON with the
// right status, /health answers, mutating requests are audited and logged to api.log.
import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installAuthGuard } from '../../src/http/auth-guard.js';
import { DIALECTS } from '../support/test-db.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';

/** Routes that are deliberately reachable without a session or API key. */
const PUBLIC_ROUTES = [
  'GET /health',
  'POST /api/auth/login',
  'POST /api/auth/mfa/verify',
  'GET /api/auth/setup',
  'POST /api/auth/setup',
  'POST /api/agent/enroll/request',
  'POST /api/agent/enroll/poll',
  'POST /api/agent/token/refresh',
].sort();

const fillParams = (url: string) => url.replace(/:[A-Za-z_]+/g, 'x');

describe('route auth declarations', () => {
  it('refuses to register a route without config.auth', async () => {
    const app = Fastify();
    installAuthGuard(app, { authenticate: async () => null });
    expect(() => app.get('/api/naked', async () => ({}))).toThrow(/does not declare config.auth/);
  });
});

describe.each(DIALECTS)('engine core (%s)', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('has exactly the expected public routes', () => {
    const open = t.routeTable.filter((r) => r.auth === 'none').map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual(PUBLIC_ROUTES);
  });

  it('answers 401 JSON on every protected route without credentials', async () => {
    const protectedRoutes = t.routeTable.filter((r) => r.auth !== 'none');
    expect(protectedRoutes.length).toBeGreaterThan(15);
    for (const r of protectedRoutes) {
      const res = await t.app.inject({
        method: r.method as 'GET',
        url: fillParams(r.url),
        ...(r.method === 'GET' || r.method === 'DELETE' ? {} : { payload: {} }),
      });
      expect(res.statusCode, `${r.method} ${r.url}`).toBe(401);
      // Agent (device) routes ask for an access token; operator routes for a session or API key.
      const error = r.auth === 'device' ? 'missing_authorization' : 'unauthorized';
      expect(res.json(), `${r.method} ${r.url}`).toMatchObject({
        error,
        message: expect.any(String),
      });
    }
  });

  it('rejects a garbage bearer token and a garbage cookie', async () => {
    for (const headers of [{ authorization: 'Bearer nope' }, { cookie: 'borealis_session=nope' }]) {
      const res = await t.app.inject({ method: 'GET', url: '/api/users', headers });
      expect(res.statusCode).toBe(401);
    }
  });

  it('serves /health', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', version: '0.0.0-test', database: 'ok' });
  });

  it('answers unknown /api routes with a JSON 404', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/does-not-exist' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'not_found' });
  });

  it('maps malformed and oversize bodies to 4xx JSON', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_json' });

    const huge = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'a', password: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: 'payload_too_large' });

    const wrongType = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 42, password: ['x'] },
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ error: 'invalid_request', field: 'username' });
    expect(wrongType.body).not.toMatch(/at .*\.js/);
  });

  it('audits a mutating request and logs it to api.log', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login?next=/x',
      payload: { username: 'nobody', password: 'wrong-password-123' },
    });
    expect(res.statusCode).toBe(401);
    const rows = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('path', '=', '/api/auth/login')
      .where('status_code', '=', 401)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ method: 'POST', outcome: 'denied', status_code: 401 });
    await t.ctx.logs.close();
    const apiLog = fs.readFileSync(path.join(t.ctx.config.engineDir, 'Logs', 'api.log'), 'utf8');
    expect(apiLog).toMatch(
      /client=\S+ method=POST path=\/api\/auth\/login status=401 success=false duration_ms=\d/,
    );
    expect(apiLog).not.toContain('wrong-password-123');
    expect(apiLog).not.toContain('next=');
  });
});
