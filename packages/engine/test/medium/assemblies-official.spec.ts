// Assemblies on SQLite and PostgreSQL, privileged side: clone across domains, Dev Mode gating of
// the official and community domains (per admin, TTL on a FakeClock, audited), the start-up sync of the shipped
// official documents (idempotent, updates changed files, never touches community or user rows).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assembly, DevModeStatus } from '@borealis/protocol';
import { AssemblyRepository } from '../../src/db/repositories/assembly.repository.js';
import { OFFICIAL_ASSEMBLIES_DIR } from '../../src/services/assemblies.factory.js';
import { AssemblyService } from '../../src/services/assembly.service.js';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp, injectJson, type InjectMethod } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

type Headers = Record<string, string>;

const script = '#!/usr/bin/env bash\nset -u\necho "hello $WHO"\necho oops >&2\n';
const body = (extra: Record<string, unknown> = {}) => ({
  display_name: 'Greeter',
  summary: 'Says hello',
  category: 'script',
  assembly_kind: 'script',
  assembly_type: 'bash',
  script,
  variables: [
    { name: 'WHO', label: 'Who', type: 'string', default: 'world', required: true },
    { name: 'TIMES', type: 'number', default: 2 },
    { name: 'LOUD', type: 'boolean', default: false },
  ],
  files: [{ file_name: 'notes.txt', size: 5, mime_type: 'text/plain', data: 'aGVsbG8=' }],
  timeout_seconds: 120,
  tags: ['demo'],
  ...extra,
});

describe.each(DIALECTS)('/api/assemblies official and dev mode (%s)', (dialect) => {
  let t: TestApp;
  let admin: Headers;
  let admin2: Headers;
  let operator: Headers;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    [admin, admin2, operator] = await Promise.all([
      apiKeyHeaders(t, 'Admin'),
      apiKeyHeaders(t, 'Admin'),
      apiKeyHeaders(t, 'Operator'),
    ]);
  });
  afterAll(async () => {
    await t.close();
  });

  const req = (method: InjectMethod, url: string, headers: Headers, payload?: unknown) =>
    injectJson(t, method, url, headers, payload);

  async function create(headers: Headers, extra: Record<string, unknown> = {}): Promise<Assembly> {
    const res = await req('POST', '/api/assemblies', headers, body(extra));
    expect(res.statusCode, res.body).toBe(201);
    return res.json<Assembly>();
  }
  async function setDevMode(headers: Headers, enabled: boolean): Promise<DevModeStatus> {
    const res = await req('POST', '/api/assemblies/dev-mode/switch', headers, { enabled });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<DevModeStatus>();
  }

  it('clones across domains under the target domain’s write rule', async () => {
    const src = await create(operator);
    const copy = await req('POST', `/api/assemblies/${src.assembly_guid}/clone`, operator, {
      target_domain: 'user',
      new_assembly_guid: `copy-${dialect}`,
    });
    expect(copy.statusCode, copy.body).toBe(201);
    expect(copy.json()).toMatchObject({
      assembly_guid: `copy-${dialect}`,
      domain: 'user',
      version: 1,
      checksum: src.checksum,
      payload: src.payload,
    });
    const denied = await req('POST', `/api/assemblies/${src.assembly_guid}/clone`, operator, {
      target_domain: 'community',
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ error: 'dev_mode_required' });
    const clash = await req('POST', `/api/assemblies/${src.assembly_guid}/clone`, operator, {
      target_domain: 'user',
      new_assembly_guid: `copy-${dialect}`,
    });
    expect(clash.statusCode).toBe(409);

    await setDevMode(admin, true);
    const community = await req('POST', `/api/assemblies/${src.assembly_guid}/clone`, admin, {
      target_domain: 'community',
    });
    expect(community.statusCode, community.body).toBe(201);
    const c = community.json<Assembly>();
    expect(c).toMatchObject({ domain: 'community', checksum: src.checksum });
    expect(c.assembly_guid).not.toBe(src.assembly_guid);
    await setDevMode(admin, false);
    // Back out of community into user: reading is open to all, writing user needs only Operator.
    const back = await req('POST', `/api/assemblies/${c.assembly_guid}/clone`, operator, {
      target_domain: 'user',
    });
    expect(back.statusCode).toBe(201);
    const unknown = await req('POST', '/api/assemblies/nope/clone', operator, {
      target_domain: 'user',
    });
    expect(unknown.statusCode).toBe(404);
  });

  it('gates official and community writes on an Admin in Dev Mode, per admin, for the TTL', async () => {
    const off = await req('GET', '/api/assemblies/dev-mode', admin);
    expect(off.json()).toEqual({ enabled: false, expires_at: null, ttl_seconds: 900 });
    for (const headers of [operator, admin]) {
      for (const domain of ['official', 'community']) {
        const res = await req('POST', '/api/assemblies', headers, body({ domain }));
        expect(res.statusCode).toBe(403);
        expect(res.json()).toMatchObject({ error: 'dev_mode_required' });
      }
    }

    const on = await setDevMode(admin, true);
    expect(on).toEqual({ enabled: true, expires_at: t.clock.now() + 900_000, ttl_seconds: 900 });
    const official = await create(admin, { domain: 'official', assembly_guid: `off-${dialect}` });
    expect(official.domain).toBe('official');
    // Dev Mode belongs to the admin who switched it on.
    expect((await req('GET', '/api/assemblies/dev-mode', admin2)).json()).toMatchObject({
      enabled: false,
    });
    for (const headers of [admin2, operator]) {
      const put = await req('PUT', `/api/assemblies/${official.assembly_guid}`, headers, {
        summary: 'x',
      });
      expect(put.json()).toMatchObject({ error: 'dev_mode_required' });
      const del = await req('DELETE', `/api/assemblies/${official.assembly_guid}`, headers);
      expect(del.statusCode).toBe(403);
    }

    t.clock.advance(899_000);
    const put = await req('PUT', `/api/assemblies/${official.assembly_guid}`, admin, {
      summary: 'edited',
    });
    expect(put.statusCode, put.body).toBe(200);
    t.clock.advance(1_000);
    expect((await req('GET', '/api/assemblies/dev-mode', admin)).json()).toMatchObject({
      enabled: false,
    });
    const late = await req('PUT', `/api/assemblies/${official.assembly_guid}`, admin, {
      summary: 'late',
    });
    expect(late.statusCode).toBe(403);
    expect(late.json()).toMatchObject({ error: 'dev_mode_required' });
    expect((await t.ctx.services.assemblies.get(official.assembly_guid)).summary).toBe('edited');

    await setDevMode(admin, true);
    expect(
      (await req('DELETE', `/api/assemblies/${official.assembly_guid}`, admin)).statusCode,
    ).toBe(200);
    await setDevMode(admin, false);

    const audit = await req('GET', '/api/audit?page_size=200', admin);
    const entries = audit.json<{
      entries: { action: string; outcome: string; target: string | null }[];
    }>().entries;
    expect(entries.filter((e) => e.action === 'assemblies.dev_mode').map((e) => e.target)).toEqual(
      expect.arrayContaining(['on', 'off']),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'assembly.create',
        outcome: 'success',
        target: `official:off-${dialect}`,
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ action: 'assembly.update', outcome: 'denied' }),
    );
    const log = fs.readFileSync(path.join(t.ctx.logs.dir, 'assemblies.log'), 'utf8');
    expect(log).toContain(`official assembly created off-${dialect} by`);
  });

  it('syncs the official documents idempotently and never touches community or user rows', async () => {
    const first = await t.ctx.services.assemblies.syncOfficial();
    expect(first).toEqual({ inserted: 5, updated: 0, unchanged: 0, skipped: 0, invalid: 0 });
    const snapshot = async () =>
      t.ctx.db
        .selectFrom('assemblies')
        .selectAll()
        .where('domain', '=', 'official')
        .orderBy('assembly_guid')
        .execute();
    const rows = await snapshot();
    expect(rows.map((r) => [r.display_name, r.created_by, r.version])).toEqual(
      expect.arrayContaining([
        ['Disk Usage Report', 'system', 1],
        ['Restart a systemd Service', 'system', 1],
      ]),
    );
    const restart = rows.find((r) => r.display_name === 'Restart a systemd Service')!;
    const restartAsm = await t.ctx.services.assemblies.get(restart.assembly_guid);
    expect(restartAsm.payload.variables).toEqual([
      expect.objectContaining({ name: 'SERVICE_NAME', type: 'string', required: true }),
    ]);
    expect(restartAsm.payload.script).toContain('systemctl restart -- "$unit"');

    t.clock.advance(5_000);
    expect(await t.ctx.services.assemblies.syncOfficial()).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 5,
      skipped: 0,
      invalid: 0,
    });
    expect(await snapshot()).toEqual(rows);

    // Official rows are read-only for an operator and an admin without Dev Mode.
    for (const headers of [operator, admin]) {
      const res = await req('PUT', `/api/assemblies/${restart.assembly_guid}`, headers, {
        summary: 'x',
      });
      expect(res.json()).toMatchObject({ error: 'dev_mode_required' });
    }

    // A changed shipped file updates its row; a shipped guid owned by a user row is left alone.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-official-'));
    for (const name of fs.readdirSync(OFFICIAL_ASSEMBLIES_DIR)) {
      fs.copyFileSync(path.join(OFFICIAL_ASSEMBLIES_DIR, name), path.join(dir, name));
    }
    const file = path.join(dir, 'top-processes.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      summary: string;
      assembly_guid: string;
    };
    doc.summary = `${doc.summary} Now with more detail.`;
    fs.writeFileSync(file, JSON.stringify(doc));
    const user = await create(operator, { assembly_guid: `owned-${dialect}` });
    fs.writeFileSync(
      path.join(dir, 'owned.json'),
      JSON.stringify({ ...doc, assembly_guid: user.assembly_guid }),
    );
    fs.writeFileSync(
      path.join(dir, 'broken.json'),
      JSON.stringify({ assembly_guid: 'x', assembly_type: 'bash' }),
    );
    const svc = new AssemblyService({
      repo: new AssemblyRepository(t.ctx.db),
      devMode: t.ctx.services.devMode,
      clock: t.clock,
      log: t.ctx.logs.service('assemblies'),
      officialDir: dir,
    });
    expect(await svc.syncOfficial()).toEqual({
      inserted: 0,
      updated: 1,
      unchanged: 4,
      skipped: 1,
      invalid: 1,
    });
    const top = await t.ctx.services.assemblies.get(doc.assembly_guid);
    expect(top).toMatchObject({ version: 2, summary: doc.summary, updated_at: t.clock.now() });
    expect(top.checksum).not.toBe(
      rows.find((r) => r.assembly_guid === doc.assembly_guid)?.checksum,
    );
    expect(await t.ctx.services.assemblies.get(user.assembly_guid)).toEqual(user);
    expect(await svc.syncOfficial()).toMatchObject({ updated: 0, unchanged: 5 });
    fs.rmSync(dir, { recursive: true, force: true });

    // The shipped copy wins again at the next start.
    expect(await t.ctx.services.assemblies.syncOfficial()).toMatchObject({
      updated: 1,
      unchanged: 4,
    });
    expect((await t.ctx.services.assemblies.get(doc.assembly_guid)).version).toBe(3);
  });
});
