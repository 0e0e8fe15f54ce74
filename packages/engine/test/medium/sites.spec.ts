// Sites on SQLite and PostgreSQL: the service rules (names unique regardless of case, device
// counts in one query, code rotation, transactional delete) and the /api/sites HTTP surface
// (roles, validation, error codes, audit).
import crypto from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ENROLLMENT_CODE_RE, type Site } from '@borealis/protocol';
import { InstallerCodeRepository } from '../../src/db/repositories/installer-code.repository.js';
import { isUniqueViolation, SiteRepository } from '../../src/db/repositories/site.repository.js';
import type { DB } from '../../src/db/schema.js';
import type { Kysely } from 'kysely';
import { AppError } from '../../src/http/errors.js';
import { InstallerCodeService } from '../../src/services/installer-code.service.js';
import { SiteService } from '../../src/services/site.service.js';
import { apiKeyHeaders, sessionHeaders } from '../support/auth.js';
import { FakeClock } from '../support/fake-clock.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS, makeTestDb, type TestDatabase } from '../support/test-db.js';

async function addDevice(
  db: Kysely<DB>,
  siteId: string | null,
  hostname?: string,
): Promise<string> {
  const guid = crypto.randomUUID();
  await db
    .insertInto('devices')
    .values({
      guid,
      hostname: hostname ?? `host-${guid.slice(0, 8)}`,
      site_id: siteId,
      description: '',
      created_at: Date.now(),
      last_seen: null,
    })
    .execute();
  return guid;
}

async function expectAppError(p: Promise<unknown>, status: number, code: string): Promise<void> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ statusCode: status, code });
}

/** Counts statements executed through a Kysely handle (one result per round trip). */
function queryCounter(): KyselyPlugin & { count: number } {
  const c = {
    count: 0,
    transformQuery<T>(args: { node: T }): T {
      return args.node;
    },
    transformResult<R>(args: { result: R }): Promise<R> {
      c.count += 1;
      return Promise.resolve(args.result);
    },
  };
  return c;
}

describe.each(DIALECTS)('site service (%s)', (dialect) => {
  let database: TestDatabase;
  let clock: FakeClock;
  let sites: SiteService;
  let codes: InstallerCodeService;

  beforeAll(async () => {
    database = await makeTestDb(dialect);
    clock = new FakeClock();
    const repo = new SiteRepository(database.db);
    sites = new SiteService(repo, clock);
    codes = new InstallerCodeService(new InstallerCodeRepository(database.db), repo, clock);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('devices').execute();
    await database.db.deleteFrom('enrollment_install_codes').execute();
    await database.db.deleteFrom('sites').execute();
  });

  it('creates a site with a generated enrollment code and lists sites sorted by name', async () => {
    const created = await sites.create({ name: '  charlie ', description: 'third' });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'charlie',
      description: 'third',
      created_at: clock.now(),
      device_count: 0,
      enrollment_code: expect.stringMatching(ENROLLMENT_CODE_RE),
      auto_approve: false,
    });
    await sites.create({ name: 'Alpha', description: '' });
    await sites.create({ name: 'bravo', description: '' });
    const list = await sites.list();
    expect(list.map((s) => s.name)).toEqual(['Alpha', 'bravo', 'charlie']);
    expect(new Set(list.map((s) => s.enrollment_code)).size).toBe(3);
    expect(await sites.get(created.id)).toEqual(created);
  });

  it('refuses a duplicate name regardless of case', async () => {
    const a = await sites.create({ name: 'Main Office', description: '' });
    await expectAppError(
      sites.create({ name: 'main office', description: '' }),
      409,
      'site_exists',
    );
    const b = await sites.create({ name: 'Branch', description: '' });
    await expectAppError(sites.rename(b.id, 'MAIN OFFICE'), 409, 'site_exists');
    await expectAppError(sites.update(b.id, { name: 'main Office' }), 409, 'site_exists');
    // A site may change the case of its own name.
    expect((await sites.rename(a.id, 'MAIN OFFICE')).name).toBe('MAIN OFFICE');
    expect(await sites.list()).toHaveLength(2);
  });

  it('recognises the driver’s unique-violation error (the race fallback for duplicate names)', async () => {
    const s = await sites.create({ name: 'Once', description: '' });
    const repo = new SiteRepository(database.db);
    const row = (await repo.findByName('once'))!;
    const err: unknown = await repo.insert({ ...row, id: 'other-id' }).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(isUniqueViolation(new Error('boom'))).toBe(false);
    expect((await sites.list()).map((x) => x.id)).toEqual([s.id]);
  });

  it('counts devices per site in a single query', async () => {
    const a = await sites.create({ name: 'A', description: '' });
    const b = await sites.create({ name: 'B', description: '' });
    const c = await sites.create({ name: 'C', description: '' });
    for (let i = 0; i < 3; i++) await addDevice(database.db, a.id);
    await addDevice(database.db, b.id);
    await addDevice(database.db, null);

    const counter = queryCounter();
    const counted = new SiteService(new SiteRepository(database.db.withPlugin(counter)), clock);
    const list = await counted.list();
    expect(counter.count).toBe(1);
    expect(Object.fromEntries(list.map((s) => [s.id, s.device_count]))).toEqual({
      [a.id]: 3,
      [b.id]: 1,
      [c.id]: 0,
    });
    expect((await sites.get(a.id)).device_count).toBe(3);
  });

  it('updates name and description, and 404s an unknown site', async () => {
    const s = await sites.create({ name: 'Old', description: 'before' });
    clock.advance(1000);
    const u = await sites.update(s.id, { description: 'after' });
    expect(u).toMatchObject({ name: 'Old', description: 'after', created_at: s.created_at });
    expect(await sites.update(s.id, { name: 'New' })).toMatchObject({
      name: 'New',
      description: 'after',
    });
    expect((await sites.rename(s.id, 'Newer')).enrollment_code).toBe(s.enrollment_code);
    await expectAppError(sites.get('missing'), 404, 'site_not_found');
    await expectAppError(sites.update('missing', { name: 'x' }), 404, 'site_not_found');
    await expectAppError(sites.rename('missing', 'x'), 404, 'site_not_found');
    await expectAppError(sites.rotateCode('missing'), 404, 'site_not_found');
  });

  it('rotates the enrollment code: the new one matches (any case), the old one no longer does', async () => {
    const s = await sites.create({ name: 'Rotating', description: '' });
    expect((await sites.findByEnrollmentCode(s.enrollment_code))?.id).toBe(s.id);
    expect((await sites.findByEnrollmentCode(s.enrollment_code.toLowerCase()))?.id).toBe(s.id);
    const rotated = await sites.rotateCode(s.id);
    expect(rotated.enrollment_code).toMatch(ENROLLMENT_CODE_RE);
    expect(rotated.enrollment_code).not.toBe(s.enrollment_code);
    expect(rotated).toMatchObject({ id: s.id, name: s.name });
    expect(await sites.findByEnrollmentCode(s.enrollment_code)).toBeNull();
    expect((await sites.findByEnrollmentCode(rotated.enrollment_code))?.id).toBe(s.id);
    expect(
      (await sites.findByEnrollmentCode(rotated.enrollment_code.replaceAll('-', '').toLowerCase()))
        ?.id,
    ).toBe(s.id);
    expect(await sites.findByEnrollmentCode('not-a-code')).toBeNull();
  });

  it('deletes sites in one go: devices stay unassigned, the sites’ installer codes go', async () => {
    const a = await sites.create({ name: 'A', description: '' });
    const b = await sites.create({ name: 'B', description: '' });
    const keep = await sites.create({ name: 'Keep', description: '' });
    const devA = await addDevice(database.db, a.id);
    const devKeep = await addDevice(database.db, keep.id);
    const codeA = await codes.create({ ttl_hours: 1, max_uses: 1, site_id: a.id }, 'admin');
    const codeKeep = await codes.create({ ttl_hours: 1, max_uses: 1, site_id: keep.id }, 'admin');
    const codeGlobal = await codes.create({ ttl_hours: 1, max_uses: 1 }, 'admin');

    expect(await sites.delete([a.id, b.id, a.id, 'unknown'])).toBe(2);

    expect((await sites.list()).map((s) => s.id)).toEqual([keep.id]);
    const devices = await database.db.selectFrom('devices').select(['guid', 'site_id']).execute();
    expect(Object.fromEntries(devices.map((d) => [d.guid, d.site_id]))).toEqual({
      [devA]: null,
      [devKeep]: keep.id,
    });
    const left = (await codes.list()).map((c) => c.id).sort();
    expect(left).toEqual([codeKeep.id, codeGlobal.id].sort());
    expect(left).not.toContain(codeA.id);
    expect(await sites.delete(['unknown'])).toBe(0);
  });
});

describe.each(DIALECTS)('/api/sites (%s)', (dialect) => {
  let t: TestApp;
  let admin: Record<string, string>;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await apiKeyHeaders(t, 'Admin');
    operator = await apiKeyHeaders(t, 'Operator');
    viewer = await apiKeyHeaders(t, 'Viewer');
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (url: string, headers: Record<string, string>, payload: unknown) =>
    t.app.inject({ method: 'POST', url, headers, payload: payload as object });

  async function createSite(name: string, description = ''): Promise<Site> {
    const res = await post('/api/sites', admin, { name, description });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Site>();
  }

  it('creates, lists, updates, renames, rotates and deletes sites', async () => {
    const s = await createSite('HQ', 'Head office');
    expect(s).toMatchObject({ name: 'HQ', description: 'Head office', device_count: 0 });
    expect(s.enrollment_code).toMatch(ENROLLMENT_CODE_RE);
    const guids = [
      await addDevice(t.ctx.db, s.id, 'pc-1'),
      await addDevice(t.ctx.db, s.id, 'pc-2'),
    ];

    const list = await t.app.inject({ method: 'GET', url: '/api/sites', headers: viewer });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ sites: Site[] }>().sites.find((x) => x.id === s.id)).toEqual({
      ...s,
      device_count: 2,
    });

    const put = await t.app.inject({
      method: 'PUT',
      url: `/api/sites/${s.id}`,
      headers: admin,
      payload: { description: 'Main office' },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      id: s.id,
      name: 'HQ',
      description: 'Main office',
      device_count: 2,
    });

    const renamed = await post('/api/sites/rename', admin, { id: s.id, new_name: 'Headquarters' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: s.id, name: 'Headquarters' });

    const rotated = await post('/api/sites/rotate_code', admin, { site_id: s.id });
    expect(rotated.statusCode).toBe(200);
    const newCode = rotated.json<Site>().enrollment_code;
    expect(newCode).toMatch(ENROLLMENT_CODE_RE);
    expect(newCode).not.toBe(s.enrollment_code);
    expect(await t.ctx.services.sites.findByEnrollmentCode(s.enrollment_code)).toBeNull();

    const other = await createSite('Branch');
    const del = await post('/api/sites/delete', admin, { ids: [s.id, other.id] });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ status: 'ok', deleted: 2 });
    const after = await t.app.inject({ method: 'GET', url: '/api/sites', headers: viewer });
    expect(after.json<{ sites: Site[] }>().sites.map((x) => x.id)).not.toContain(s.id);
    const kept = await t.ctx.db
      .selectFrom('devices')
      .select(['guid', 'site_id'])
      .where('guid', 'in', guids)
      .execute();
    expect(kept).toHaveLength(2);
    expect(kept.every((d) => d.site_id === null)).toBe(true);
  });

  it('answers 409 site_exists for a duplicate name and 404 site_not_found for an unknown site', async () => {
    await createSite('Warehouse');
    const dup = await post('/api/sites', admin, { name: 'WAREHOUSE', description: '' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'site_exists', message: expect.any(String) });

    for (const [url, body] of [
      ['/api/sites/rename', { id: 'nope', new_name: 'x' }],
      ['/api/sites/rotate_code', { site_id: 'nope' }],
    ] as const) {
      const res = await post(url, admin, body);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: 'site_not_found' });
    }
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/sites/nope',
      headers: admin,
      payload: { name: 'x' },
    });
    expect(put.statusCode).toBe(404);
    expect(put.json()).toMatchObject({ error: 'site_not_found' });
  });

  it('rejects bad bodies with 400 and the offending field', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/sites', { name: '', description: '' }, 'name'],
      ['/api/sites', { name: '   ', description: '' }, 'name'],
      ['/api/sites', { name: 'x'.repeat(129) }, 'name'],
      ['/api/sites', { name: 'ok', description: 7 }, 'description'],
      ['/api/sites/rename', { id: 'a', new_name: '' }, 'new_name'],
      ['/api/sites/delete', { ids: [] }, 'ids'],
      ['/api/sites/delete', { ids: 'abc' }, 'ids'],
      ['/api/sites/rotate_code', {}, 'site_id'],
    ];
    for (const [url, body, field] of cases) {
      const res = await post(url, admin, body);
      expect(res.statusCode, `${url} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request', field });
    }
  });

  it('lets viewers read but only admins change sites', async () => {
    const s = await createSite('Guarded');
    for (const headers of [viewer, operator]) {
      expect((await t.app.inject({ method: 'GET', url: '/api/sites', headers })).statusCode).toBe(
        200,
      );
      const attempts = [
        post('/api/sites', headers, { name: 'Nope', description: '' }),
        t.app.inject({
          method: 'PUT',
          url: `/api/sites/${s.id}`,
          headers,
          payload: { name: 'Nope' },
        }),
        post('/api/sites/rename', headers, { id: s.id, new_name: 'Nope' }),
        post('/api/sites/rotate_code', headers, { site_id: s.id }),
        post('/api/sites/delete', headers, { ids: [s.id] }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ error: 'forbidden' });
      }
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/sites' })).statusCode).toBe(401);
    expect(await t.ctx.services.sites.get(s.id)).toMatchObject({
      name: 'Guarded',
      enrollment_code: s.enrollment_code,
    });
  });

  it('accepts an admin session write only with its CSRF token', async () => {
    const session = await sessionHeaders(t, 'Admin');
    const ok = await post('/api/sites', session, { name: 'Via Session', description: '' });
    expect(ok.statusCode).toBe(201);
    const noCsrf = await post('/api/sites', { cookie: session.cookie ?? '' }, { name: 'No CSRF' });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json()).toMatchObject({ error: 'csrf_failed' });
  });

  it('writes an audit row for site creation, with the site id and not the code', async () => {
    const s = await createSite('Audited');
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/audit?action=site.create&page_size=100',
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    const entries = res.json<{ entries: Record<string, unknown>[] }>().entries;
    const row = entries.find((e) => e.target === s.id);
    expect(row).toMatchObject({
      action: 'site.create',
      method: 'POST',
      path: '/api/sites',
      outcome: 'success',
      status_code: 201,
      auth: 'api_key',
    });
    expect(JSON.stringify(entries)).not.toContain(s.enrollment_code);
  });
});
