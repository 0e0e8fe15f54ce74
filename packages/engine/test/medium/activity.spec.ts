// Activity history per device (keyed by GUID): newest-first listing with has_stdout/has_stderr,
// exit codes and cursor paging; the full run with its output; clearing finished runs only (Pending
// and Running stay); 404s; viewers read, operators clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeaders } from '../support/auth.js';
import {
  createAssembly,
  quickRun,
  scriptedAgent,
  startJobHarness,
  type JobHarness,
  type ScriptedAgent,
} from '../support/job-harness.js';
import { DIALECTS } from '../support/test-db.js';

interface Summary {
  id: string;
  quick_job_id: string;
  script_name: string;
  status: string;
  ran_at: number;
  has_stdout: boolean;
  has_stderr: boolean;
  exit_code: number | null;
  finished_at: number | null;
}

describe.each(DIALECTS)('activity history (%s)', (dialect) => {
  let h: JobHarness;
  let viewer: Record<string, string>;
  let agent: ScriptedAgent;
  const runIds: string[] = [];

  const get = (url: string, headers = viewer) => h.t.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    h = await startJobHarness(dialect);
    viewer = await apiKeyHeaders(h.t, 'Viewer');
    agent = await scriptedAgent(h);
    const assembly = await createAssembly(h);
    // Five runs, one second apart: Success with output, Failed with stderr, two at the same
    // instant (paging must not lose either), and a last one left Running.
    const outcomes = [
      { status: 'Success', exit_code: 0, stdout: 'ok\n', stderr: '' },
      { status: 'Failed', exit_code: 3, stdout: '', stderr: 'boom\n' },
      { status: 'Success', exit_code: 0, stdout: '', stderr: '' },
      { status: 'Timed Out', exit_code: null, stdout: 'partial', stderr: '' },
      null,
    ] as const;
    for (const [i, outcome] of outcomes.entries()) {
      if (i !== 3) h.t.clock.advance(1000);
      const res = await quickRun(h, { assembly_guid: assembly, guids: [agent.guid] });
      expect(res.statusCode, res.body).toBe(200);
      const id = res.json<{ results: { job_id: string }[] }>().results[0]!.job_id;
      runIds.push(id);
      if (outcome) {
        const ack = await agent.emit('quick_job_result', {
          job_id: id,
          ...outcome,
          stdout_truncated: false,
          stderr_truncated: false,
          started_at: null,
          finished_at: h.t.clock.now(),
        });
        expect(ack).toMatchObject({ status: 'ok' });
      }
    }
  });
  afterAll(async () => {
    agent.disconnect();
    await h.close();
  });

  it('lists a device’s runs newest first with output flags and exit codes', async () => {
    const res = await get(`/api/device/activity/${agent.guid}`);
    expect(res.statusCode, res.body).toBe(200);
    const { history, next_before } = res.json<{ history: Summary[]; next_before: string | null }>();
    expect(next_before).toBeNull();
    expect(history).toHaveLength(5);
    expect(history[0]).toMatchObject({
      id: runIds[4],
      status: 'Running',
      finished_at: null,
      exit_code: null,
    });
    const byId = new Map(history.map((r) => [r.id, r]));
    expect(byId.get(runIds[0]!)).toMatchObject({
      status: 'Success',
      has_stdout: true,
      has_stderr: false,
      exit_code: 0,
    });
    expect(byId.get(runIds[1]!)).toMatchObject({
      status: 'Failed',
      has_stdout: false,
      has_stderr: true,
      exit_code: 3,
    });
    expect(byId.get(runIds[3]!)).toMatchObject({
      status: 'Timed Out',
      has_stdout: true,
      exit_code: null,
    });
    const ranAt = history.map((r) => r.ran_at);
    expect([...ranAt].sort((a, b) => b - a)).toEqual(ranAt);
    expect(history.every((r) => r.script_name.startsWith('script-'))).toBe(true);
  });

  it('pages with limit/before without losing runs that share a timestamp', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const q: string = before ? `?limit=2&before=${before}` : '?limit=2';
      const res = await get(`/api/device/activity/${agent.guid}${q}`);
      expect(res.statusCode).toBe(200);
      const body = res.json<{ history: Summary[]; next_before: string | null }>();
      seen.push(...body.history.map((r) => r.id));
      before = body.next_before;
      if (!before) break;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen)).toEqual(new Set(runIds));
    const all = (await get(`/api/device/activity/${agent.guid}`)).json<{ history: Summary[] }>()
      .history;
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it('returns one full run with its output', async () => {
    const res = await get(`/api/device/activity/job/${runIds[1]}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: runIds[1],
      device_guid: agent.guid,
      hostname: agent.hostname,
      status: 'Failed',
      exit_code: 3,
      stdout: '',
      stderr: 'boom\n',
      stdout_truncated: false,
      stderr_truncated: false,
      error: null,
    });
    expect((await get('/api/device/activity/job/nope')).json()).toMatchObject({
      error: 'job_not_found',
    });
  });

  it('404s for an unknown device', async () => {
    const res = await get('/api/device/activity/00000000-0000-4000-8000-000000000000');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: 'device_not_found' });
  });

  it('clears finished runs only, for operators', async () => {
    const url = `/api/device/activity/${agent.guid}`;
    expect((await h.t.app.inject({ method: 'DELETE', url, headers: viewer })).statusCode).toBe(403);
    const res = await h.t.app.inject({ method: 'DELETE', url, headers: h.operator });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', deleted: 4 });
    const left = (await get(url)).json<{ history: Summary[] }>().history;
    expect(left.map((r) => [r.id, r.status])).toEqual([[runIds[4], 'Running']]);
    const audit = await h.t.ctx.db
      .selectFrom('audit_log')
      .select('status_code')
      .where('action', '=', 'activity.clear')
      .orderBy('seq')
      .execute();
    expect(audit.map((a) => Number(a.status_code))).toEqual([403, 200]);
  });
});
