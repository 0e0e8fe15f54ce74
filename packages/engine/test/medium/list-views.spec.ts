// Saved device-list views on SQLite and PostgreSQL: CRUD round trip, unique names (409
// view_exists, case-insensitive), 404 view_not_found, validation, roles and audit.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ListView } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';
import { DIALECTS } from '../support/test-db.js';

type Headers = Record<string, string>;

describe.each(DIALECTS)('device list views (%s)', (dialect) => {
  let t: TestApp;
  let viewer: Headers;
  let operator: Headers;
  let admin: Headers;

  const send = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    headers: Headers,
    payload?: unknown,
  ) => t.app.inject({ method, url, headers, payload: payload as object | undefined });

  beforeAll(async () => {
    t = await makeTestApp(dialect);
    viewer = await apiKeyHeaders(t, 'Viewer');
    operator = await apiKeyHeaders(t, 'Operator');
    admin = await apiKeyHeaders(t, 'Admin');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.ctx.db.deleteFrom('device_list_views').execute();
  });

  it('creates, reads, lists, updates and deletes a view', async () => {
    const body = {
      name: ' Servers ',
      columns: ['status', 'hostname', 'operating_system'],
      filters: { device_type: { type: 'contains', filter: 'Server' } },
      sort: { field: 'hostname', order: 'asc' },
    };
    const created = await send('POST', '/api/device_list_views', operator, body);
    expect(created.statusCode).toBe(201);
    const view = created.json<ListView>();
    expect(view).toEqual({
      id: expect.any(String),
      name: 'Servers',
      columns: body.columns,
      filters: body.filters,
      sort: body.sort,
      created_by: expect.stringMatching(/^operator-/),
      created_at: t.clock.now(),
      updated_at: t.clock.now(),
    });

    const other = await send('POST', '/api/device_list_views', operator, {
      name: 'all devices',
      columns: ['hostname'],
    });
    expect(other.json<ListView>()).toMatchObject({ filters: {}, sort: null });

    const listed = await send('GET', '/api/device_list_views', viewer);
    expect(listed.json<{ views: ListView[] }>().views.map((v) => v.name)).toEqual([
      'all devices',
      'Servers',
    ]);
    expect((await send('GET', `/api/device_list_views/${view.id}`, viewer)).json()).toEqual(view);

    t.clock.advance(5000);
    const updated = await send('PUT', `/api/device_list_views/${view.id}`, operator, {
      name: 'Linux servers',
      columns: ['hostname'],
      filters: {},
      sort: null,
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toMatchObject({
      id: view.id,
      name: 'Linux servers',
      columns: ['hostname'],
      filters: {},
      sort: null,
      created_at: view.created_at,
      updated_at: view.created_at + 5000,
    });
    // Renaming to its own name (any case) is fine.
    const same = await send('PUT', `/api/device_list_views/${view.id}`, operator, {
      name: 'LINUX servers',
      columns: ['hostname'],
    });
    expect(same.statusCode).toBe(200);

    const del = await send('DELETE', `/api/device_list_views/${view.id}`, operator);
    expect(del.json()).toEqual({ status: 'ok' });
    const gone = await send('GET', `/api/device_list_views/${view.id}`, viewer);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ error: 'view_not_found' });

    const audit = await send('GET', '/api/audit?page_size=20', admin);
    const actions = audit.json<{ entries: { action: string }[] }>().entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'device_list_view.create',
        'device_list_view.update',
        'device_list_view.delete',
      ]),
    );
  });

  it('answers 409 view_exists for a taken name, regardless of case', async () => {
    const a = await send('POST', '/api/device_list_views', operator, { name: 'Mine', columns: [] });
    const b = await send('POST', '/api/device_list_views', operator, {
      name: 'Other',
      columns: [],
    });
    const dup = await send('POST', '/api/device_list_views', operator, {
      name: 'MINE',
      columns: [],
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: 'view_exists', message: expect.any(String) });
    const rename = await send('PUT', `/api/device_list_views/${b.json<ListView>().id}`, operator, {
      name: 'mine',
      columns: [],
    });
    expect(rename.statusCode).toBe(409);
    expect(rename.json()).toMatchObject({ error: 'view_exists' });
    expect(a.statusCode).toBe(201);
  });

  it('answers 404 for unknown views on read, update and delete', async () => {
    for (const [method, payload] of [
      ['GET', undefined],
      ['PUT', { name: 'x', columns: [] }],
      ['DELETE', undefined],
    ] as const) {
      const res = await send(method, '/api/device_list_views/nope', operator, payload);
      expect(res.statusCode, method).toBe(404);
      expect(res.json()).toMatchObject({ error: 'view_not_found' });
    }
  });

  it('rejects malformed bodies with 400', async () => {
    for (const body of [
      {},
      { name: '', columns: [] },
      { name: 'x', columns: 'hostname' },
      { name: 'x', columns: [1] },
      { name: 'x', columns: [], filters: [] },
      { name: 'x', columns: [], sort: { field: 'hostname', order: 'sideways' } },
      { name: 'x'.repeat(129), columns: [] },
      { name: 'x', columns: Array.from({ length: 65 }, (_, i) => `c${i}`) },
    ]) {
      const res = await send('POST', '/api/device_list_views', operator, body);
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('lets viewers read but only operators and admins write', async () => {
    const res = await send('POST', '/api/device_list_views', viewer, { name: 'v', columns: [] });
    expect(res.statusCode).toBe(403);
    const made = await send('POST', '/api/device_list_views', admin, { name: 'a', columns: [] });
    expect(made.statusCode).toBe(201);
    const id = made.json<ListView>().id;
    expect(
      (await send('PUT', `/api/device_list_views/${id}`, viewer, { name: 'b', columns: [] }))
        .statusCode,
    ).toBe(403);
    expect((await send('DELETE', `/api/device_list_views/${id}`, viewer)).statusCode).toBe(403);
    expect((await send('GET', '/api/device_list_views', viewer)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/device_list_views' })).statusCode).toBe(
      401,
    );
  });
});
