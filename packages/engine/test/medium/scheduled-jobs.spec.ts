// /api/scheduled_jobs over HTTP on both databases: CRUD with the reference's fields and the API
// view (next_run_ts, last_status, result_counts), the reference's `path` and variables-list
// forms, every validation error as a 400 naming its field (nothing written), the schedule
// preview, viewer/operator roles, and an audit row for every change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeaders } from '../support/auth.js';
import {
  createAssembly,
  scriptedAgent,
  startJobHarness,
  type JobHarness,
  type ScriptedAgent,
} from '../support/job-harness.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite } from '../support/trust-agent.js';

const MIN = 60_000;

describe.each(DIALECTS)('scheduled jobs API (%s)', (dialect) => {
  let h: JobHarness;
  let viewer: Record<string, string>;
  let agent: ScriptedAgent;
  let assembly: string;
  let numbered: string;
  let T0: number;

  const api = (method: string, url: string, payload?: unknown, headers = h.operator) =>
    h.t.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const body = (over: Record<string, unknown> = {}) => ({
    name: 'Nightly cleanup',
    components: [{ type: 'script', assembly_guid: assembly, variable_values: { name: 'x' } }],
    targets: [agent.hostname],
    schedule: { type: 'daily', start: '2030-01-01T02:30', timezone: 'Europe/Berlin' },
    duration: { stopAfterEnabled: true, expiration: '1h' },
    execution_context: 'system',
    ...over,
  });

  const jobCount = async () =>
    Number(
      (
        await h.t.ctx.db
          .selectFrom('scheduled_jobs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  const audits = (action: string) =>
    h.t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', action).execute();

  beforeAll(async () => {
    h = await startJobHarness(dialect);
    viewer = await apiKeyHeaders(h.t, 'Viewer');
    agent = await scriptedAgent(h, false);
    assembly = await createAssembly(h);
    numbered = await createAssembly(h, {
      variables: [{ name: 'count', type: 'number', required: true }],
    });
    // A quiet minute boundary well ahead of now.
    T0 = Math.ceil(h.t.clock.now() / (10 * MIN)) * 10 * MIN + 10 * MIN;
    h.t.clock.set(T0 + 20_000);
  });
  afterAll(async () => {
    await h.close();
  });

  it('creates, reads, lists, updates, toggles and deletes a job, auditing each change', async () => {
    const created = await api('POST', '/api/scheduled_jobs', body());
    expect(created.statusCode, created.body).toBe(201);
    const job = created.json<{ job: any }>().job;
    expect(job).toMatchObject({
      name: 'Nightly cleanup',
      schedule_type: 'daily',
      schedule: {
        type: 'daily',
        start: '2030-01-01T02:30',
        cron: null,
        timezone: 'Europe/Berlin',
        end: null,
      },
      duration: { stopAfterEnabled: true, expiration: '1h' },
      duration_stop_enabled: true,
      expiration: '1h',
      execution_context: 'system',
      enabled: true,
      targets: [agent.hostname],
      // 02:30 CET is 01:30 UTC.
      start_ts: Date.UTC(2030, 0, 1, 1, 30),
      next_run_ts: Date.UTC(2030, 0, 1, 1, 30),
      last_run_ts: null,
      last_status: 'Scheduled',
      result_counts: { pending: 0, running: 0, success: 0, failed: 0, total_targets: 0 },
    });
    expect(job.components[0]).toMatchObject({
      type: 'script',
      assembly_guid: assembly,
      variable_values: { name: 'x' },
    });
    expect((await audits('scheduled_job.create')).map((a) => a.target)).toContain(job.id);

    const got = await api('GET', `/api/scheduled_jobs/${job.id}`, undefined, viewer);
    expect(got.statusCode).toBe(200);
    expect(got.json<{ job: any }>().job.id).toBe(job.id);
    const list = await api('GET', '/api/scheduled_jobs', undefined, viewer);
    expect(list.json<{ jobs: any[] }>().jobs.map((j) => j.id)).toContain(job.id);

    const renamed = await api('PUT', `/api/scheduled_jobs/${job.id}`, {
      name: 'Renamed',
      schedule: { type: 'cron', cron: '0 9 * * 1-5', timezone: 'America/New_York' },
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const r = renamed.json<{ job: any }>().job;
    expect(r).toMatchObject({
      name: 'Renamed',
      schedule_type: 'cron',
      schedule: { cron: '0 9 * * 1-5' },
    });
    expect(r.components).toEqual(job.components); // untouched fields stay
    expect(new Date(r.next_run_ts).getUTCMinutes()).toBe(0);
    expect(r.next_run_ts).toBeGreaterThan(h.t.clock.now());
    expect((await audits('scheduled_job.update')).map((a) => a.target)).toContain(job.id);

    // A PUT without enabled / execution_context leaves them alone.
    await api('PUT', `/api/scheduled_jobs/${job.id}`, { execution_context: 'current_user' });
    const kept = await api('PUT', `/api/scheduled_jobs/${job.id}`, { name: 'Renamed' });
    expect(kept.json<{ job: any }>().job).toMatchObject({
      execution_context: 'current_user',
      enabled: true,
    });
    const off = await api('POST', `/api/scheduled_jobs/${job.id}/toggle`, { enabled: false });
    expect(off.json<{ job: any }>().job).toMatchObject({ enabled: false, next_run_ts: null });
    const stillOff = await api('PUT', `/api/scheduled_jobs/${job.id}`, { name: 'Renamed again' });
    expect(stillOff.json<{ job: any }>().job).toMatchObject({
      enabled: false,
      execution_context: 'current_user',
    });
    const on = await api('POST', `/api/scheduled_jobs/${job.id}/toggle`, { enabled: true });
    expect(on.json<{ job: any }>().job).toMatchObject({
      enabled: true,
      next_run_ts: r.next_run_ts,
    });
    expect(await audits('scheduled_job.toggle')).toHaveLength(2);

    const del = await api('DELETE', `/api/scheduled_jobs/${job.id}`);
    expect(del.json()).toEqual({ status: 'ok' });
    const gone = await api('GET', `/api/scheduled_jobs/${job.id}`);
    expect(gone.statusCode).toBe(404);
    expect(gone.json()).toMatchObject({ error: 'scheduled_job_not_found' });
    expect((await audits('scheduled_job.delete')).map((a) => a.target)).toContain(job.id);
    expect((await api('DELETE', `/api/scheduled_jobs/${job.id}`)).statusCode).toBe(404);
  });

  it("accepts the reference's path and variables-list forms and every target kind", async () => {
    const site = await createSite(h.t, h.admin);
    const res = await api(
      'POST',
      '/api/scheduled_jobs',
      body({
        components: [
          { type: 'script', path: `Scripts/${numbered}`, variables: [{ name: 'count', value: 3 }] },
          { type: 'script', assembly_guid: assembly },
        ],
        targets: [
          agent.hostname.toUpperCase(),
          { kind: 'device', guid: agent.guid },
          { kind: 'site', site_id: site.id },
        ],
        schedule: { type: 'every_15_minutes', timezone: 'utc' },
        duration: { stopAfterEnabled: false, expiration: 90 },
        execution_context: 'CURRENT_USER',
      }),
    );
    expect(res.statusCode, res.body).toBe(201);
    const job = res.json<{ job: any }>().job;
    expect(job.components[0]).toMatchObject({
      assembly_guid: numbered,
      path: `Scripts/${numbered}`,
      variable_values: { count: 3 },
    });
    expect(job).toMatchObject({
      execution_context: 'current_user',
      expiration: '90',
      schedule: { timezone: 'UTC' },
    });
    // Interval kinds without a start begin at the current minute: that occurrence fired on
    // creation (the device is offline, so it waits), the next is 15 minutes on.
    expect(job.last_status).toBe('Running');
    expect(job.result_counts).toMatchObject({ pending: 1, total_targets: 1 });
    expect(job.next_run_ts).toBe(Math.floor(h.t.clock.now() / MIN) * MIN + 15 * MIN);
  });

  it('rejects bad input with 400 and the field, writing nothing', async () => {
    const before = await jobCount();
    const cases: [Record<string, unknown>, string, string][] = [
      [{ schedule: { type: 'cron', cron: '61 * * * *' } }, 'invalid_cron', 'schedule.cron'],
      [{ schedule: { type: 'cron', cron: '* * * *' } }, 'invalid_cron', 'schedule.cron'],
      [{ schedule: { type: 'cron' } }, 'invalid_cron', 'schedule.cron'],
      [
        { schedule: { type: 'daily', timezone: 'Mars/Olympus_Mons' } },
        'unknown_timezone',
        'schedule.timezone',
      ],
      [{ schedule: { type: 'once' } }, 'start_required', 'schedule.start'],
      [{ schedule: { type: 'daily', start: 'next tuesday' } }, 'invalid_start', 'schedule.start'],
      [
        { schedule: { type: 'daily', start: '2030-01-02T00:00', end: '2030-01-01T00:00' } },
        'invalid_end',
        'schedule.end',
      ],
      [{ schedule: { type: 'fortnightly' } }, 'invalid_request', 'schedule.type'],
      [
        { duration: { stopAfterEnabled: true, expiration: '3 weeks' } },
        'invalid_expiration',
        'duration.expiration',
      ],
      [
        { duration: { stopAfterEnabled: true, expiration: 0 } },
        'invalid_expiration',
        'duration.expiration',
      ],
      [{ execution_context: 'ssh' }, 'unsupported_execution_context', 'execution_context'],
      [
        { components: [{ type: 'script', assembly_guid: 'no-such-assembly' }] },
        'assembly_not_found',
        'components.0.assembly_guid',
      ],
      [
        {
          components: [
            { type: 'script', assembly_guid: assembly },
            { type: 'script', path: 'Scripts/nope' },
          ],
        },
        'assembly_not_found',
        'components.1.path',
      ],
      [{ components: [{ type: 'script' }] }, 'assembly_required', 'components.0.assembly_guid'],
      [
        { components: [{ type: 'script', assembly_guid: numbered }] },
        'invalid_variable',
        'components.0.variable_values.count',
      ],
      [
        {
          components: [
            { type: 'script', assembly_guid: numbered, variable_values: { count: 'many' } },
          ],
        },
        'invalid_variable',
        'components.0.variable_values.count',
      ],
      [{ targets: [agent.hostname, 'no-such-host'] }, 'unknown_targets', 'targets.1'],
      [{ targets: [{ kind: 'device', guid: 'nope' }] }, 'unknown_targets', 'targets.0'],
      [{ targets: [{ kind: 'site', site_id: 'nope' }] }, 'unknown_targets', 'targets.0'],
      [{ targets: [{ kind: 'filter', filter_id: 'nope' }] }, 'unknown_targets', 'targets.0'],
      [{ targets: [] }, 'invalid_request', 'targets'],
      [{ name: '   ' }, 'invalid_name', 'name'],
    ];
    for (const [over, error, field] of cases) {
      const res = await api('POST', '/api/scheduled_jobs', body(over));
      expect(res.statusCode, `${JSON.stringify(over)}: ${res.body}`).toBe(400);
      expect(res.json(), JSON.stringify(over)).toMatchObject({ error, field });
    }
    expect(await jobCount()).toBe(before);
    const job = (await api('POST', '/api/scheduled_jobs', body())).json<{ job: any }>().job;
    const bad = await api('PUT', `/api/scheduled_jobs/${job.id}`, {
      schedule: { type: 'daily', timezone: 'Nope/Nope' },
    });
    expect(bad.json()).toMatchObject({ error: 'unknown_timezone', field: 'schedule.timezone' });
    expect(
      (await api('GET', `/api/scheduled_jobs/${job.id}`)).json<{ job: any }>().job.schedule
        .timezone,
    ).toBe('Europe/Berlin');
  });

  it('previews the next five fire times in the zone', async () => {
    const saved = h.t.clock.now();
    h.t.clock.set(Date.UTC(2029, 5, 1, 12, 0, 30));
    const res = await api('POST', '/api/scheduled_jobs/preview', {
      schedule: { type: 'daily', start: '2030-03-29T02:30', timezone: 'America/New_York' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      timezone: 'America/New_York',
      next: [
        {
          ts: Date.UTC(2030, 2, 29, 6, 30),
          iso: '2030-03-29T06:30:00.000Z',
          local: '2030-03-29T02:30',
        },
        {
          ts: Date.UTC(2030, 2, 30, 6, 30),
          iso: '2030-03-30T06:30:00.000Z',
          local: '2030-03-30T02:30',
        },
        {
          ts: Date.UTC(2030, 2, 31, 6, 30),
          iso: '2030-03-31T06:30:00.000Z',
          local: '2030-03-31T02:30',
        },
        {
          ts: Date.UTC(2030, 3, 1, 6, 30),
          iso: '2030-04-01T06:30:00.000Z',
          local: '2030-04-01T02:30',
        },
        {
          ts: Date.UTC(2030, 3, 2, 6, 30),
          iso: '2030-04-02T06:30:00.000Z',
          local: '2030-04-02T02:30',
        },
      ],
    });
    const cron = await api('POST', '/api/scheduled_jobs/preview', {
      schedule: { type: 'cron', cron: '0 0 29 2 *' },
      count: 2,
    });
    expect(cron.json<{ next: { iso: string }[] }>().next.map((n) => n.iso)).toEqual([
      '2032-02-29T00:00:00.000Z',
      '2036-02-29T00:00:00.000Z',
    ]);
    const hourly = await api('POST', '/api/scheduled_jobs/preview', {
      schedule: { type: 'every_hour' },
      count: 2,
    });
    // No start: the schedule starts at the current minute (a saved job fires it at once).
    expect(hourly.json<{ next: { iso: string }[] }>().next.map((n) => n.iso)).toEqual([
      '2029-06-01T12:00:00.000Z',
      '2029-06-01T13:00:00.000Z',
    ]);
    const bad = await api('POST', '/api/scheduled_jobs/preview', {
      schedule: { type: 'cron', cron: 'nope' },
    });
    expect(bad.json()).toMatchObject({ error: 'invalid_cron', field: 'schedule.cron' });
    h.t.clock.set(saved);
  });

  it('viewers read; only operators change; anonymous callers are refused', async () => {
    const job = (await api('POST', '/api/scheduled_jobs', body())).json<{ job: any }>().job;
    for (const url of ['', `/${job.id}`, `/${job.id}/runs?days=7`, `/${job.id}/devices`]) {
      const res = await api('GET', `/api/scheduled_jobs${url}`, undefined, viewer);
      expect(res.statusCode, url).toBe(200);
    }
    const writes: [string, string, unknown][] = [
      ['POST', '', body()],
      ['PUT', `/${job.id}`, { name: 'x' }],
      ['DELETE', `/${job.id}`, undefined],
      ['POST', `/${job.id}/toggle`, { enabled: false }],
      ['POST', `/${job.id}/run_now`, undefined],
      ['DELETE', `/${job.id}/runs`, undefined],
      ['POST', '/preview', { schedule: { type: 'daily' } }],
    ];
    for (const [method, url, payload] of writes) {
      const res = await api(method, `/api/scheduled_jobs${url}`, payload, viewer);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      const anon = await api(method, `/api/scheduled_jobs${url}`, payload, {});
      expect(anon.statusCode, `${method} ${url}`).toBe(401);
    }
    expect((await api('GET', '/api/scheduled_jobs', undefined, {})).statusCode).toBe(401);
    expect((await api('GET', `/api/scheduled_jobs/${job.id}`)).json<{ job: any }>().job.name).toBe(
      'Nightly cleanup',
    );
  });

  it('run_now and clearing runs are audited; unknown jobs are 404', async () => {
    const job = (await api('POST', '/api/scheduled_jobs', body())).json<{ job: any }>().job;
    const run = await api('POST', `/api/scheduled_jobs/${job.id}/run_now`);
    expect(run.statusCode, run.body).toBe(200);
    expect(run.json<{ occurrence: any }>().occurrence).toMatchObject({
      job_id: job.id,
      trigger: 'manual',
      status: 'Pending', // the agent is offline
      targets: [{ hostname: agent.hostname, status: 'Pending' }],
    });
    expect((await audits('scheduled_job.run_now')).map((a) => a.target)).toContain(job.id);
    const cleared = await api('DELETE', `/api/scheduled_jobs/${job.id}/runs`);
    expect(cleared.json()).toMatchObject({
      status: 'ok',
      cleared: 0,
      kept_occurrence: expect.any(Number),
    });
    expect((await audits('scheduled_job.clear_runs')).map((a) => a.target)).toContain(job.id);
    for (const [method, url] of [
      ['GET', '/api/scheduled_jobs/nope'],
      ['POST', '/api/scheduled_jobs/nope/run_now'],
      ['GET', '/api/scheduled_jobs/nope/runs'],
      ['GET', '/api/scheduled_jobs/nope/devices'],
    ] as const) {
      const res = await api(method, url, method === 'POST' ? {} : undefined);
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toMatchObject({ error: 'scheduled_job_not_found' });
    }
  });
});
