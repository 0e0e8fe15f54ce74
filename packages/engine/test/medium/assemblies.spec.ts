// Assemblies on SQLite and PostgreSQL over HTTP: CRUD with version/checksum, validation errors
// naming their field, roles, clone across domains, legacy import (plain, base64, script_lines) and
// the export → import round trip. Dev Mode and the official sync: assemblies-official.spec.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Assembly, AssemblyExport, AssemblySummary } from '@borealis/protocol';
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

describe.each(DIALECTS)('/api/assemblies (%s)', (dialect) => {
  let t: TestApp;
  let operator: Headers;
  let viewer: Headers;

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    [operator, viewer] = await Promise.all([
      apiKeyHeaders(t, 'Operator'),
      apiKeyHeaders(t, 'Viewer'),
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

  it('creates, reads, lists, updates and deletes a user script', async () => {
    const a = await create(operator);
    expect(a).toMatchObject({
      domain: 'user',
      display_name: 'Greeter',
      assembly_kind: 'script',
      assembly_type: 'bash',
      version: 1,
      tags: ['demo'],
      checksum: expect.stringMatching(/^[0-9a-f]{64}$/),
      payload: { script, timeout_seconds: 120 },
    });
    expect(a.payload.variables[0]).toEqual({
      name: 'WHO',
      label: 'Who',
      type: 'string',
      default: 'world',
      required: true,
      description: '',
    });
    expect(a.payload.files).toEqual([
      { file_name: 'notes.txt', size: 5, mime_type: 'text/plain', data: 'aGVsbG8=' },
    ]);

    const got = await req('GET', `/api/assemblies/${a.assembly_guid}`, viewer);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(a);
    // The dispatcher's view is the same document.
    expect(await t.ctx.services.assemblies.get(a.assembly_guid)).toEqual(a);

    const list = await req('GET', '/api/assemblies?domain=user&kind=script', viewer);
    expect(list.statusCode).toBe(200);
    const item = list
      .json<{ items: AssemblySummary[] }>()
      .items.find((i) => i.assembly_guid === a.assembly_guid);
    expect(item).toMatchObject({ display_name: 'Greeter', file_count: 1, timeout_seconds: 120 });
    expect(item?.variables.map((v) => v.name)).toEqual(['WHO', 'TIMES', 'LOUD']);
    expect(list.body).not.toContain('echo oops');
    expect(list.body).not.toContain('aGVsbG8=');
    expect(item).not.toHaveProperty('payload');

    t.clock.advance(1000);
    const newScript = 'echo changed\n';
    const put = await req('PUT', `/api/assemblies/${a.assembly_guid}`, operator, {
      script: Buffer.from(newScript).toString('base64'),
      script_encoding: 'base64',
      timeout_seconds: 30,
    });
    expect(put.statusCode, put.body).toBe(200);
    const updated = put.json<Assembly>();
    expect(updated).toMatchObject({
      version: 2,
      updated_at: a.created_at + 1000,
      created_at: a.created_at,
    });
    expect(updated.payload).toMatchObject({ script: newScript, timeout_seconds: 30 });
    expect(updated.payload.variables).toEqual(a.payload.variables);
    expect(updated.checksum).not.toBe(a.checksum);
    // Same content again: the version moves, the checksum does not.
    const again = await req('PUT', `/api/assemblies/${a.assembly_guid}`, operator, {
      summary: 'Says hello',
    });
    expect(again.json()).toMatchObject({ version: 3, checksum: updated.checksum });

    const del = await req('DELETE', `/api/assemblies/${a.assembly_guid}`, operator);
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({ status: 'ok' });
    for (const [method, url] of [
      ['GET', `/api/assemblies/${a.assembly_guid}`],
      ['PUT', `/api/assemblies/${a.assembly_guid}`],
      ['DELETE', `/api/assemblies/${a.assembly_guid}`],
      ['GET', `/api/assemblies/${a.assembly_guid}/export`],
    ] as const) {
      const res = await req(method, url, operator, method === 'PUT' ? { summary: 'x' } : undefined);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toMatchObject({ error: 'assembly_not_found' });
    }
  });

  it('answers 409 assembly_exists for a guid clash and filters the list by domain and kind', async () => {
    const guid = `clash-${dialect}`;
    await create(operator, { assembly_guid: guid });
    const dup = await req('POST', '/api/assemblies', operator, body({ assembly_guid: guid }));
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'assembly_exists' });

    const wf = await create(operator, {
      assembly_kind: 'workflow',
      assembly_type: 'workflow',
      script: '',
      variables: [],
      files: [],
      definition: { nodes: [{ id: 'n1' }], edges: [] },
    });
    const workflows = await req('GET', '/api/assemblies?kind=workflow', viewer);
    expect(
      workflows.json<{ items: AssemblySummary[] }>().items.map((i) => i.assembly_guid),
    ).toEqual([wf.assembly_guid]);
    const official = await req('GET', '/api/assemblies?domain=official', viewer);
    expect(official.json<{ items: unknown[] }>().items).toEqual([]);
    const bad = await req('GET', '/api/assemblies?domain=shared', viewer);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'domain' });
  });

  it('rejects bad content with 400, a code and the offending field, storing nothing', async () => {
    const before = (await t.ctx.services.assemblies.list()).length;
    const six = Buffer.alloc(6 * 1024 * 1024).toString('base64');
    const cases: [Record<string, unknown>, string, string][] = [
      [{ variables: [{ name: '1st', type: 'string' }] }, 'invalid_request', 'variables.0.name'],
      [{ variables: [{ name: 'has-dash' }] }, 'invalid_request', 'variables.0.name'],
      [{ variables: [{ name: 'who' }, { name: 'WHO' }] }, 'duplicate_variable', 'variables.1.name'],
      [
        { variables: [{ name: 'N', type: 'number', default: 'ten' }] },
        'invalid_variable_default',
        'variables.0.default',
      ],
      [
        { variables: [{ name: 'B', type: 'boolean', default: 'yes' }] },
        'invalid_variable_default',
        'variables.0.default',
      ],
      [{ variables: [{ name: 'X', type: 'secret' }] }, 'invalid_request', 'variables.0.type'],
      [{ script: 'a'.repeat(1024 * 1024 + 1) }, 'script_too_large', 'script'],
      [
        { script: 'not base64 at all!', script_encoding: 'base64' },
        'invalid_script_encoding',
        'script',
      ],
      [{ script: '   ' }, 'script_required', 'script'],
      [{ files: [{ file_name: 'big.bin', data: six }] }, 'files_too_large', 'files'],
      [
        { files: [{ file_name: '../etc/passwd', data: 'eA==' }] },
        'invalid_file_name',
        'files.0.file_name',
      ],
      [{ assembly_type: 'workflow' }, 'invalid_assembly_type', 'assembly_type'],
      [{ assembly_kind: 'playbook' }, 'invalid_assembly_type', 'assembly_type'],
      [{ assembly_type: 'batch' }, 'invalid_request', 'assembly_type'],
      [{ timeout_seconds: 0 }, 'invalid_request', 'timeout_seconds'],
      [{ timeout_seconds: 86401 }, 'invalid_request', 'timeout_seconds'],
      [{ display_name: '' }, 'invalid_request', 'display_name'],
      [{ assembly_guid: 'has space' }, 'invalid_request', 'assembly_guid'],
      [{ assembly_guid: 'dev-mode' }, 'invalid_request', 'assembly_guid'],
    ];
    for (const [extra, error, field] of cases) {
      const res = await req('POST', '/api/assemblies', operator, body(extra));
      expect(
        res.statusCode,
        `${JSON.stringify(extra).slice(0, 80)}: ${res.body.slice(0, 200)}`,
      ).toBe(400);
      expect(res.json(), JSON.stringify(extra).slice(0, 80)).toMatchObject({ error, field });
    }
    expect((await t.ctx.services.assemblies.list()).length).toBe(before);

    const a = await create(operator);
    const put = await req('PUT', `/api/assemblies/${a.assembly_guid}`, operator, {
      variables: [{ name: 'N', type: 'number', default: true }],
    });
    expect(put.json()).toMatchObject({
      error: 'invalid_variable_default',
      field: 'variables.0.default',
    });
    expect((await t.ctx.services.assemblies.get(a.assembly_guid)).version).toBe(1);
  });

  it('lets viewers read only', async () => {
    const a = await create(operator);
    expect((await req('GET', `/api/assemblies/${a.assembly_guid}`, viewer)).statusCode).toBe(200);
    expect((await req('GET', `/api/assemblies/${a.assembly_guid}/export`, viewer)).statusCode).toBe(
      200,
    );
    expect((await req('GET', '/api/assemblies/dev-mode', viewer)).statusCode).toBe(200);
    const writes = await Promise.all([
      req('POST', '/api/assemblies', viewer, body()),
      req('PUT', `/api/assemblies/${a.assembly_guid}`, viewer, { summary: 'x' }),
      req('DELETE', `/api/assemblies/${a.assembly_guid}`, viewer),
      req('POST', `/api/assemblies/${a.assembly_guid}/clone`, viewer, { target_domain: 'user' }),
      req('POST', '/api/assemblies/import', viewer, { name: 'x', type: 'bash', script: 'x' }),
      req('POST', '/api/assemblies/dev-mode/switch', viewer, { enabled: true }),
      req('POST', '/api/assemblies/dev-mode/switch', operator, { enabled: true }),
      req('POST', '/api/assemblies/official/sync', operator),
    ]);
    for (const res of writes) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden' });
    }
    expect((await req('GET', '/api/assemblies', {})).statusCode).toBe(401);
    expect(await t.ctx.services.assemblies.get(a.assembly_guid)).toEqual(a);
  });

  it('imports the legacy JSON: plain, base64 and script_lines, with typed defaults', async () => {
    const legacy = {
      version: 1,
      name: 'Legacy Check',
      description: 'From the old engine',
      category: 'script',
      type: 'bash',
      timeout_seconds: 90,
      sites: { mode: 'all', values: [] },
      variables: [
        {
          name: 'COUNT',
          label: 'Count',
          type: 'number',
          default: '5',
          required: true,
          description: 'n',
        },
        { name: 'VERBOSE', type: 'boolean', default: 'true' },
      ],
      files: [],
    };
    const text = 'echo "legacy $COUNT"\n';
    const variants = [
      { ...legacy, script: text },
      { ...legacy, script: Buffer.from(text).toString('base64'), script_encoding: 'base64' },
      { ...legacy, script_lines: ['echo "legacy $COUNT"', ''] },
    ];
    const checksums = new Set<string>();
    for (const doc of variants) {
      const res = await req('POST', '/api/assemblies/import', operator, doc);
      expect(res.statusCode, res.body).toBe(201);
      const a = res.json<Assembly>();
      expect(a).toMatchObject({
        domain: 'user',
        display_name: 'Legacy Check',
        summary: 'From the old engine',
        assembly_kind: 'script',
        assembly_type: 'bash',
        payload: { script: text, timeout_seconds: 90 },
      });
      expect(a.payload.variables.map((v) => [v.name, v.type, v.default, v.required])).toEqual([
        ['COUNT', 'number', 5, true],
        ['VERBOSE', 'boolean', true, false],
      ]);
      checksums.add(a.checksum);
    }
    expect(checksums.size).toBe(1);

    const batch = await req('POST', '/api/assemblies/import', operator, {
      name: 'Win',
      type: 'batch',
      script: 'dir',
    });
    expect(batch.statusCode).toBe(400);
    expect(batch.json()).toMatchObject({ error: 'unsupported_assembly_type', field: 'type' });
    const noName = await req('POST', '/api/assemblies/import', operator, {
      type: 'bash',
      script: 'x',
    });
    expect(noName.json()).toMatchObject({ error: 'invalid_request', field: 'name' });
    const badVar = await req('POST', '/api/assemblies/import', operator, {
      name: 'Bad',
      type: 'bash',
      script: 'x',
      variables: [{ name: 'N', type: 'number', default: 'many' }],
    });
    expect(badVar.json()).toMatchObject({
      error: 'invalid_variable_default',
      field: 'variables.0.default',
    });
    const official = await req(
      'POST',
      '/api/assemblies/import?domain=official',
      operator,
      variants[0],
    );
    expect(official.json()).toMatchObject({ error: 'dev_mode_required' });
  });

  it('exports a self-contained document that imports back to the same content', async () => {
    const a = await create(operator, { assembly_guid: `trip-${dialect}` });
    const exp = await req('GET', `/api/assemblies/${a.assembly_guid}/export`, viewer);
    expect(exp.statusCode).toBe(200);
    expect(exp.headers['content-disposition']).toContain('Greeter.json');
    const doc = exp.json<AssemblyExport>();
    expect(doc).toMatchObject({ format: 'borealis-assembly', format_version: 1 });
    expect(doc.assembly.payload).toEqual(a.payload);

    const clash = await req('POST', '/api/assemblies/import', operator, doc);
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toMatchObject({ error: 'assembly_exists' });
    const copy = await req(
      'POST',
      `/api/assemblies/import?assembly_guid=trip2-${dialect}`,
      operator,
      doc,
    );
    expect(copy.statusCode, copy.body).toBe(201);
    expect(copy.json()).toMatchObject({
      assembly_guid: `trip2-${dialect}`,
      checksum: a.checksum,
      payload: a.payload,
    });

    await req('DELETE', `/api/assemblies/${a.assembly_guid}`, operator);
    const restored = await req('POST', '/api/assemblies/import', operator, JSON.parse(exp.body));
    expect(restored.statusCode).toBe(201);
    expect(restored.json()).toMatchObject({
      assembly_guid: a.assembly_guid,
      domain: 'user',
      display_name: a.display_name,
      tags: a.tags,
      checksum: a.checksum,
      payload: a.payload,
      version: 1,
    });
    const tampered = {
      ...doc,
      assembly: { ...doc.assembly, payload: { ...doc.assembly.payload, timeout_seconds: -1 } },
    };
    const bad = await req(
      'POST',
      `/api/assemblies/import?assembly_guid=trip3-${dialect}`,
      operator,
      tampered,
    );
    expect(bad.json()).toMatchObject({
      error: 'invalid_request',
      field: 'assembly.payload.timeout_seconds',
    });
  });
});
