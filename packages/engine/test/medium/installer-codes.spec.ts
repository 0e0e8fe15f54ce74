// Installer codes on SQLite and PostgreSQL: status rules under a fake clock, findUsable and
// recordUse (the enrollment hooks, including concurrent use), delete rules, and the
// /api/admin/enrollment-codes HTTP surface (admin only, validation, error codes).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ENROLLMENT_CODE_RE,
  InstallerCodeCreateSchema,
  type InstallerCode,
  type Site,
} from '@borealis/protocol';
import { InstallerCodeRepository } from '../../src/db/repositories/installer-code.repository.js';
import { SiteRepository } from '../../src/db/repositories/site.repository.js';
import { AppError } from '../../src/http/errors.js';
import {
  InstallerCodeService,
  installerCodeStatus,
} from '../../src/services/installer-code.service.js';
import { SiteService } from '../../src/services/site.service.js';
import { apiKeyHeaders, sessionHeaders } from '../support/auth.js';
import { FakeClock } from '../support/fake-clock.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS, makeTestDb, type TestDatabase } from '../support/test-db.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

async function expectAppError(p: Promise<unknown>, status: number, code: string): Promise<void> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({ statusCode: status, code });
}

describe('installerCodeStatus', () => {
  const now = 1_000_000;
  it.each([
    [{ use_count: 0, max_uses: 2, expires_at: now + 1 }, 'active'],
    [{ use_count: 1, max_uses: 2, expires_at: now + 1 }, 'active'],
    [{ use_count: 0, max_uses: 2, expires_at: now }, 'expired'],
    [{ use_count: 1, max_uses: 2, expires_at: now - 1 }, 'expired'],
    [{ use_count: 2, max_uses: 2, expires_at: now + HOUR }, 'used'],
    [{ use_count: 2, max_uses: 2, expires_at: now - HOUR }, 'used'],
  ] as const)('%o → %s', (c, status) => {
    expect(installerCodeStatus(c, now)).toBe(status);
  });
});

describe.each(DIALECTS)('installer code service (%s)', (dialect) => {
  let database: TestDatabase;
  let clock: FakeClock;
  let sites: SiteService;
  let codes: InstallerCodeService;
  const defaults = (extra: object = {}) => InstallerCodeCreateSchema.parse(extra);

  beforeAll(async () => {
    database = await makeTestDb(dialect);
    clock = new FakeClock();
    const siteRepo = new SiteRepository(database.db);
    sites = new SiteService(siteRepo, clock);
    codes = new InstallerCodeService(new InstallerCodeRepository(database.db), siteRepo, clock);
  });
  afterAll(async () => {
    await database.drop();
  });
  beforeEach(async () => {
    await database.db.deleteFrom('enrollment_install_codes').execute();
    await database.db.deleteFrom('sites').execute();
  });

  it('creates a code with the default 24 h TTL and 2 uses', async () => {
    const c = await codes.create(defaults(), 'alice');
    expect(c).toEqual({
      id: expect.any(String),
      code: expect.stringMatching(ENROLLMENT_CODE_RE),
      site_id: null,
      site_name: null,
      expires_at: clock.now() + 24 * HOUR,
      max_uses: 2,
      use_count: 0,
      last_used_at: null,
      created_by: 'alice',
      created_at: clock.now(),
      status: 'active',
    });
  });

  it('binds a code to a site, and 404s an unknown site', async () => {
    const site = await sites.create({ name: 'Plant', description: '' });
    const c = await codes.create(defaults({ ttl_hours: 3, max_uses: 10, site_id: site.id }), 'bob');
    expect(c).toMatchObject({ site_id: site.id, site_name: 'Plant', max_uses: 10 });
    expect(c.expires_at).toBe(clock.now() + 3 * HOUR);
    await expectAppError(
      codes.create(defaults({ site_id: 'missing' }), 'bob'),
      404,
      'site_not_found',
    );
    expect(await codes.list()).toHaveLength(1);
  });

  it('lists newest first and filters by status as the clock moves', async () => {
    const short = await codes.create(defaults({ ttl_hours: 1 }), 'a');
    clock.advance(MINUTE);
    const long = await codes.create(defaults({ ttl_hours: 24 }), 'a');
    clock.advance(MINUTE);
    const single = await codes.create(defaults({ max_uses: 1 }), 'a');
    expect(await codes.recordUse(single.id, 'guid-1')).toBe(true);

    const ids = async (s?: 'active' | 'expired' | 'used') => (await codes.list(s)).map((c) => c.id);
    expect(await ids()).toEqual([single.id, long.id, short.id]);
    expect(await ids('active')).toEqual([long.id, short.id]);
    expect(await ids('expired')).toEqual([]);
    expect(await ids('used')).toEqual([single.id]);

    // `short` expires exactly one hour after it was made: at that instant it is expired.
    clock.set(short.expires_at);
    expect(await ids('active')).toEqual([long.id]);
    expect(await ids('expired')).toEqual([short.id]);
    expect((await codes.list()).map((c) => c.status)).toEqual(['used', 'active', 'expired']);

    // Past every expiry, a spent code still reports "used".
    clock.advance(25 * HOUR);
    expect(await ids('active')).toEqual([]);
    expect(await ids('expired')).toEqual([long.id, short.id]);
    expect(await ids('used')).toEqual([single.id]);
  });

  it('findUsable matches active codes case-insensitively and nothing else', async () => {
    const c = await codes.create(defaults({ ttl_hours: 1, max_uses: 1 }), 'a');
    expect((await codes.findUsable(c.code))?.id).toBe(c.id);
    expect((await codes.findUsable(c.code.toLowerCase()))?.id).toBe(c.id);
    expect((await codes.findUsable(` ${c.code.replaceAll('-', '')} `))?.id).toBe(c.id);
    expect(await codes.findUsable('')).toBeNull();
    expect(await codes.findUsable('0000-0000-0000-0000-0000-0000-0000-0000')).toBeNull();
    expect(await codes.findUsable(`${c.code}-`)).toBeNull();

    const site = await sites.create({ name: 'S', description: '' });
    expect(await codes.findUsable(site.enrollment_code)).toBeNull();

    expect(await codes.recordUse(c.id, 'g')).toBe(true);
    expect(await codes.findUsable(c.code)).toBeNull(); // spent

    const other = await codes.create(defaults({ ttl_hours: 1 }), 'a');
    clock.advance(HOUR);
    expect(await codes.findUsable(other.code)).toBeNull(); // expired
  });

  it('recordUse counts each use and stops at max_uses or expiry', async () => {
    const c = await codes.create(defaults({ ttl_hours: 2, max_uses: 2 }), 'a');
    clock.advance(MINUTE);
    expect(await codes.recordUse(c.id, 'guid-a')).toBe(true);
    expect(await codes.get(c.id)).toMatchObject({
      use_count: 1,
      last_used_at: clock.now(),
      status: 'active',
    });
    clock.advance(MINUTE);
    expect(await codes.recordUse(c.id, 'guid-b')).toBe(true);
    expect(await codes.recordUse(c.id, 'guid-c')).toBe(false);
    const spent = await codes.get(c.id);
    expect(spent).toMatchObject({ use_count: 2, last_used_at: clock.now(), status: 'used' });
    const row = await database.db
      .selectFrom('enrollment_install_codes')
      .select('used_by_guid')
      .where('id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(row.used_by_guid).toBe('guid-b');

    const late = await codes.create(defaults({ ttl_hours: 1 }), 'a');
    clock.advance(HOUR);
    expect(await codes.recordUse(late.id, 'guid-d')).toBe(false);
    expect((await codes.get(late.id)).use_count).toBe(0);
    expect(await codes.recordUse('missing', 'guid-e')).toBe(false);
  });

  it('never lets concurrent uses exceed max_uses', async () => {
    const c = await codes.create(defaults({ max_uses: 3 }), 'a');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => codes.recordUse(c.id, `guid-${i}`)),
    );
    expect(results.filter(Boolean)).toHaveLength(3);
    expect((await codes.get(c.id)).use_count).toBe(3);
  });

  it('deletes only unused codes', async () => {
    const unused = await codes.create(defaults(), 'a');
    const used = await codes.create(defaults(), 'a');
    await codes.recordUse(used.id, 'g');
    await codes.delete(unused.id);
    await expectAppError(codes.get(unused.id), 404, 'code_not_found');
    await expectAppError(codes.delete(unused.id), 404, 'code_not_found');
    await expectAppError(codes.delete(used.id), 409, 'code_in_use');
    expect((await codes.get(used.id)).use_count).toBe(1);
  });
});

describe.each(DIALECTS)('/api/admin/enrollment-codes (%s)', (dialect) => {
  const URL = '/api/admin/enrollment-codes';
  let t: TestApp;
  let admin: Record<string, string>;
  let adminName: string;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    admin = await sessionHeaders(t, 'Admin');
    const me = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: admin });
    adminName = me.json<{ username: string }>().username;
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (payload: unknown, headers = admin) =>
    t.app.inject({ method: 'POST', url: URL, headers, payload: payload as object });
  const list = async (query = '') => {
    const res = await t.app.inject({ method: 'GET', url: `${URL}${query}`, headers: admin });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ codes: InstallerCode[] }>().codes;
  };

  it('creates codes with defaults, bound to a site, and records the creator', async () => {
    const res = await create({});
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json<InstallerCode>();
    expect(c).toMatchObject({
      code: expect.stringMatching(ENROLLMENT_CODE_RE),
      max_uses: 2,
      use_count: 0,
      expires_at: t.clock.now() + 24 * HOUR,
      created_by: adminName,
      status: 'active',
      site_id: null,
    });

    const site = await t.app.inject({
      method: 'POST',
      url: '/api/sites',
      headers: admin,
      payload: { name: 'Coded', description: '' },
    });
    const siteId = site.json<Site>().id;
    const bound = await create({ ttl_hours: 6, max_uses: 10, site_id: siteId });
    expect(bound.statusCode).toBe(201);
    expect(bound.json()).toMatchObject({ site_id: siteId, site_name: 'Coded', max_uses: 10 });

    const unknown = await create({ site_id: 'no-such-site' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'site_not_found' });
  });

  it('rejects out-of-range bodies and statuses with 400 and the field', async () => {
    const cases: [unknown, string][] = [
      [{ ttl_hours: 25 }, 'ttl_hours'],
      [{ ttl_hours: 0 }, 'ttl_hours'],
      [{ ttl_hours: 1.5 }, 'ttl_hours'],
      [{ ttl_hours: '24' }, 'ttl_hours'],
      [{ max_uses: 0 }, 'max_uses'],
      [{ max_uses: 11 }, 'max_uses'],
      [{ site_id: '' }, 'site_id'],
    ];
    for (const [body, field] of cases) {
      const res = await create(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request', field });
    }
    const bad = await t.app.inject({ method: 'GET', url: `${URL}?status=gone`, headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: 'invalid_request', field: 'status' });
  });

  it('filters by status as the fake clock passes expiry', async () => {
    const short = (await create({ ttl_hours: 1, max_uses: 1 })).json<InstallerCode>();
    t.clock.advance(MINUTE);
    const spent = (await create({ ttl_hours: 24, max_uses: 1 })).json<InstallerCode>();
    expect(await t.ctx.services.installerCodes.recordUse(spent.id, 'guid-x')).toBe(true);

    const all = await list();
    expect(all.findIndex((c) => c.id === spent.id)).toBeLessThan(
      all.findIndex((c) => c.id === short.id),
    );
    expect((await list('?status=active')).map((c) => c.id)).toContain(short.id);
    expect((await list('?status=used')).map((c) => c.id)).toEqual([spent.id]);
    expect(await list('?status=expired')).toEqual([]);

    t.clock.advance(HOUR);
    const expired = await list('?status=expired');
    expect(expired.map((c) => c.id)).toContain(short.id);
    expect(expired.every((c) => c.status === 'expired')).toBe(true);
    expect((await list('?status=active')).map((c) => c.id)).not.toContain(short.id);
    expect((await list('?status=used')).map((c) => c.id)).toEqual([spent.id]);
  });

  it('deletes an unused code; a used code is 409 code_in_use; unknown is 404', async () => {
    const unused = (await create({})).json<InstallerCode>();
    const used = (await create({})).json<InstallerCode>();
    await t.ctx.services.installerCodes.recordUse(used.id, 'guid-y');
    const del = (id: string) =>
      t.app.inject({ method: 'DELETE', url: `${URL}/${id}`, headers: admin });

    const ok = await del(unused.id);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ status: 'ok' });
    expect((await list()).map((c) => c.id)).not.toContain(unused.id);

    const inUse = await del(used.id);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json()).toMatchObject({ error: 'code_in_use', message: expect.any(String) });
    expect((await list()).map((c) => c.id)).toContain(used.id);

    const missing = await del(unused.id);
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: 'code_not_found' });
  });

  it('is admin only', async () => {
    const target = (await create({})).json<InstallerCode>();
    for (const role of ['Viewer', 'Operator'] as const) {
      const headers = await apiKeyHeaders(t, role);
      const attempts = await Promise.all([
        t.app.inject({ method: 'GET', url: URL, headers }),
        create({}, headers),
        t.app.inject({ method: 'DELETE', url: `${URL}/${target.id}`, headers }),
      ]);
      for (const res of attempts) {
        expect(res.statusCode, `${role} ${res.body}`).toBe(403);
        expect(res.json()).toMatchObject({ error: 'forbidden' });
      }
    }
    expect((await list()).map((c) => c.id)).toContain(target.id);
  });

  it('keeps installer codes out of the audit trail and the logs', async () => {
    const c = (await create({ ttl_hours: 2 })).json<InstallerCode>();
    const audit = await t.app.inject({
      method: 'GET',
      url: '/api/audit?action=installer_code.create&page_size=100',
      headers: admin,
    });
    const entries = audit.json<{ entries: { target: string | null }[] }>().entries;
    expect(entries.map((e) => e.target)).toContain(c.id);
    expect(audit.body).not.toContain(c.code);
    await t.ctx.logs.close(); // flush
    const files = fs.readdirSync(t.ctx.logs.dir);
    expect(files).toContain('api.log');
    for (const f of fs.readdirSync(t.ctx.logs.dir)) {
      expect(fs.readFileSync(path.join(t.ctx.logs.dir, f), 'utf8')).not.toContain(c.code);
    }
  });
});
