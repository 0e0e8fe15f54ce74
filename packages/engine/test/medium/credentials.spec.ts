// Credentials store on SQLite and PostgreSQL: admin-only CRUD, secrets sealed at rest and
// replaced only when sent, resolveSecret() for the dispatcher, and proof that a secret never
// appears in an API response, the stored row, the audit log or any log file.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Credential } from '@borealis/protocol';
import { AppError } from '../../src/http/errors.js';
import { apiKeyHeaders, sessionHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp, injectJson, type InjectMethod } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

type Headers = Record<string, string>;

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

describe.each(DIALECTS)('/api/credentials (%s)', (dialect) => {
  let t: TestApp;
  let admin: Headers;
  let operator: Headers;
  let viewer: Headers;

  beforeAll(async () => {
    // Debug logging on: the most verbose the engine gets must still not log a secret.
    t = await makeTestApp(dialect, { BOREALIS_DEBUG: 'true' });
    [admin, operator, viewer] = await Promise.all([
      apiKeyHeaders(t, 'Admin'),
      apiKeyHeaders(t, 'Operator'),
      apiKeyHeaders(t, 'Viewer'),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const req = (method: InjectMethod, url: string, headers: Headers, payload?: unknown) =>
    injectJson(t, method, url, headers, payload);

  it('creates, lists, updates and deletes credentials without ever returning the secret', async () => {
    const res = await req('POST', '/api/credentials', admin, {
      name: 'Backup Account',
      description: 'rsync target',
      credential_type: 'password',
      username: 'backup',
      secret: 'hunter2-initial',
    });
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json<Credential>();
    expect(c).toEqual({
      id: expect.any(String),
      name: 'Backup Account',
      description: 'rsync target',
      credential_type: 'password',
      username: 'backup',
      site_id: null,
      has_secret: true,
      created_by: expect.any(String),
      created_at: t.clock.now(),
      updated_at: t.clock.now(),
    });
    expect(await t.ctx.services.credentials.resolveSecret(c.id)).toBe('hunter2-initial');

    const list = await req('GET', '/api/credentials', admin);
    expect(list.json<{ credentials: Credential[] }>().credentials).toContainEqual(c);

    t.clock.advance(1000);
    const rename = await req('PUT', `/api/credentials/${c.id}`, admin, {
      name: 'Backup',
      username: null,
    });
    expect(rename.statusCode).toBe(200);
    expect(rename.json()).toMatchObject({
      name: 'Backup',
      username: null,
      updated_at: c.created_at + 1000,
    });
    expect(await t.ctx.services.credentials.resolveSecret(c.id)).toBe('hunter2-initial');
    const rotate = await req('PUT', `/api/credentials/${c.id}`, admin, {
      secret: 'hunter3-rotated',
    });
    expect(rotate.statusCode).toBe(200);
    expect(await t.ctx.services.credentials.resolveSecret(c.id)).toBe('hunter3-rotated');

    expect((await req('DELETE', `/api/credentials/${c.id}`, admin)).json()).toEqual({
      status: 'ok',
    });
    for (const res2 of [
      await req('DELETE', `/api/credentials/${c.id}`, admin),
      await req('PUT', `/api/credentials/${c.id}`, admin, { description: 'x' }),
    ]) {
      expect(res2.statusCode).toBe(404);
      expect(res2.json()).toMatchObject({ error: 'credential_not_found' });
    }
    const err: unknown = await t.ctx.services.credentials
      .resolveSecret(c.id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ statusCode: 404, code: 'credential_not_found' });
  });

  it('answers 409 for a taken name, 400 for an unknown site and bad bodies', async () => {
    const site = await t.ctx.services.sites.create({ name: `Site ${dialect}`, description: '' });
    const ok = await req('POST', '/api/credentials', admin, {
      name: 'Deploy Key',
      credential_type: 'ssh_key',
      secret: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n',
      site_id: site.id,
    });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json()).toMatchObject({ site_id: site.id, username: null, description: '' });
    const cases: [unknown, number, string, string | undefined][] = [
      [
        { name: 'deploy key', credential_type: 'token', secret: 's' },
        409,
        'credential_exists',
        undefined,
      ],
      [
        { name: 'Other', credential_type: 'token', secret: 's', site_id: 'nope' },
        400,
        'site_not_found',
        'site_id',
      ],
      [
        { name: 'Other', credential_type: 'certificate', secret: 's' },
        400,
        'invalid_request',
        'credential_type',
      ],
      [{ name: 'Other', credential_type: 'token', secret: '' }, 400, 'invalid_request', 'secret'],
      [{ name: 'Other', credential_type: 'token' }, 400, 'invalid_request', 'secret'],
      [{ name: '', credential_type: 'token', secret: 's' }, 400, 'invalid_request', 'name'],
    ];
    for (const [payload, status, error, field] of cases) {
      const res = await req('POST', '/api/credentials', admin, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.json()).toMatchObject({ error, ...(field ? { field } : {}) });
    }
    const other = await req('POST', '/api/credentials', admin, {
      name: 'Other',
      credential_type: 'token',
      secret: 't',
    });
    const taken = await req('PUT', `/api/credentials/${other.json<Credential>().id}`, admin, {
      name: 'DEPLOY KEY',
    });
    expect(taken.statusCode).toBe(409);
  });

  it('is admin-only, reads included', async () => {
    const c = (
      await req('POST', '/api/credentials', admin, {
        name: `Guarded`,
        credential_type: 'token',
        secret: 'tok',
      })
    ).json<Credential>();
    for (const headers of [operator, viewer]) {
      const attempts = await Promise.all([
        req('GET', '/api/credentials', headers),
        req('POST', '/api/credentials', headers, {
          name: 'x',
          credential_type: 'token',
          secret: 'y',
        }),
        req('PUT', `/api/credentials/${c.id}`, headers, { secret: 'stolen' }),
        req('DELETE', `/api/credentials/${c.id}`, headers),
      ]);
      for (const res of attempts) {
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ error: 'forbidden' });
      }
    }
    expect((await req('GET', '/api/credentials', {})).statusCode).toBe(401);
    expect(await t.ctx.services.credentials.resolveSecret(c.id)).toBe('tok');
  });

  it('never lets a secret reach a response, the stored row, the audit log or a log file', async () => {
    const first = `pw-${crypto.randomBytes(12).toString('hex')}`;
    const second = `pw-${crypto.randomBytes(12).toString('hex')}`;
    const session = await sessionHeaders(t, 'Admin');
    const bodies: string[] = [];
    const keep = async (p: ReturnType<typeof req>) => {
      const res = await p;
      bodies.push(res.body, JSON.stringify(res.headers));
      return res;
    };
    const created = await keep(
      req('POST', '/api/credentials', session, {
        name: `Secret ${dialect}`,
        credential_type: 'password',
        username: 'root',
        secret: first,
      }),
    );
    expect(created.statusCode).toBe(201);
    const id = created.json<Credential>().id;
    await keep(
      req('POST', '/api/credentials', admin, {
        name: `Secret ${dialect}`,
        credential_type: 'password',
        secret: first,
      }),
    );
    await keep(
      req('POST', '/api/credentials', admin, {
        name: 'Bad',
        credential_type: 'nope',
        secret: first,
      }),
    );
    await keep(
      req('POST', '/api/credentials', admin, {
        name: 'Long',
        credential_type: 'token',
        secret: first.repeat(2000),
      }),
    );
    await keep(
      req('PUT', `/api/credentials/${id}`, session, { secret: second, description: 'rotated' }),
    );
    await keep(req('PUT', `/api/credentials/${id}`, admin, { description: 'again' }));
    await keep(req('GET', '/api/credentials', admin));
    await keep(req('GET', '/api/audit?page_size=500', admin));
    expect(bodies.length).toBeGreaterThan(10);
    for (const b of bodies) {
      expect(b).not.toContain(first);
      expect(b).not.toContain(second);
    }
    expect(await t.ctx.services.credentials.resolveSecret(id)).toBe(second);

    const row = await t.ctx.db
      .selectFrom('credentials')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.secret_enc).toMatch(/^v1\./);
    const rowText = JSON.stringify(row);
    for (const s of [first, second]) {
      expect(rowText).not.toContain(s);
      expect(rowText).not.toContain(Buffer.from(s).toString('base64'));
      expect(rowText).not.toContain(Buffer.from(s).toString('base64url'));
    }
    const audit = JSON.stringify(await t.ctx.db.selectFrom('audit_log').selectAll().execute());
    expect(audit).toContain('credential.create');
    expect(audit).toContain('credential.update');
    expect(audit).not.toContain(first);
    expect(audit).not.toContain(second);

    await t.ctx.logs.close(); // flush every open log stream
    const files = filesUnder(t.root);
    const logText = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(files.some((f) => f.endsWith('assemblies.log'))).toBe(true);
    expect(logText).toContain(`credential ${id} updated by`);
    expect(logText).toContain('/api/credentials');
    expect(logText).not.toContain(first);
    expect(logText).not.toContain(second);
  });
});
