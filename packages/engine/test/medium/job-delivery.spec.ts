// Durable delivery over a real /agents socket: result recorded once and acked after the write,
// re-sent results are no-ops, runs for offline agents wait Pending and go out on reconnect, runs
// past expiry become Expired, a rejected ack fails the run with the agent's reason, an unacked
// send stays Pending until the next connect, and cancel flows for Pending, Running and final runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_CAP_BYTES, type QuickJobResult } from '@borealis/protocol';
import { apiKeyHeaders } from '../support/auth.js';
import {
  acceptAll,
  createAssembly,
  quickRun,
  restartedEngine,
  runStatus,
  scriptedAgent,
  sleep,
  startJobHarness,
  type JobHarness,
  type ScriptedAgent,
} from '../support/job-harness.js';
import { DIALECTS } from '../support/test-db.js';

describe.each(DIALECTS)('job delivery (%s)', (dialect) => {
  let h: JobHarness;
  let assembly: string;
  const uiEvents: { event: string; payload: any }[] = [];
  const agents: ScriptedAgent[] = [];

  async function run(agent: ScriptedAgent, extra: Record<string, unknown> = {}) {
    const res = await quickRun(h, { assembly_guid: assembly, guids: [agent.guid], ...extra });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{
      job_id: string;
      results: { job_id: string; status: string; error?: string }[];
    }>();
    return { quickJobId: body.job_id, runId: body.results[0]!.job_id, result: body.results[0]! };
  }

  function result(jobId: string, over: Partial<QuickJobResult> = {}): QuickJobResult {
    return {
      job_id: jobId,
      status: 'Success',
      exit_code: 0,
      stdout: 'hello world\n',
      stderr: '',
      stdout_truncated: false,
      stderr_truncated: false,
      started_at: h.t.clock.now(),
      finished_at: h.t.clock.now(),
      ...over,
    };
  }

  const row = (id: string) =>
    h.t.ctx.db
      .selectFrom('activity_history')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  async function agent(connect = true): Promise<ScriptedAgent> {
    const a = await scriptedAgent(h, connect);
    agents.push(a);
    return a;
  }

  beforeAll(async () => {
    h = await startJobHarness(dialect);
    h.t.ctx.events.attachUi((event, payload) => uiEvents.push({ event, payload }));
    assembly = await createAssembly(h);
  });
  afterAll(async () => {
    for (const a of agents) a.disconnect();
    await h.close();
  });

  it('records a result once, acking it only after the write; a re-sent result changes nothing', async () => {
    const a = await agent();
    const { runId } = await run(a);
    expect(await runStatus(h, runId)).toBe('Running');
    uiEvents.length = 0;

    const ack = await a.emit('quick_job_result', result(runId, { stderr: 'warn\n' }));
    expect(ack).toEqual({ status: 'ok', job_id: runId });
    const first = await row(runId);
    expect(first).toMatchObject({
      status: 'Success',
      exit_code: 0,
      stdout: 'hello world\n',
      stderr: 'warn\n',
    });
    expect(Number(first.finished_at)).toBe(h.t.clock.now());

    h.t.clock.advance(5000);
    const again = await a.emit(
      'quick_job_result',
      result(runId, { status: 'Failed', exit_code: 9, stdout: 'other' }),
    );
    expect(again).toEqual({ status: 'ok', job_id: runId });
    expect(await row(runId)).toEqual(first);
    expect(
      uiEvents.filter((e) => e.event === 'device_activity_changed').map((e) => e.payload.status),
    ).toEqual(['Success']);
  });

  it('caps each stream at OUTPUT_CAP_BYTES and flags truncation', async () => {
    const a = await agent();
    const { runId } = await run(a);
    const big = 'é'.repeat(OUTPUT_CAP_BYTES / 2 + 10); // 2 bytes per character, just over the cap
    const ack = await a.emit(
      'quick_job_result',
      result(runId, { stdout: big, stderr: 'e\u0000rr', stderr_truncated: true }),
    );
    expect(ack).toEqual({ status: 'ok', job_id: runId });
    const r = await row(runId);
    expect(Buffer.byteLength(r.stdout, 'utf8')).toBe(OUTPUT_CAP_BYTES);
    expect(r.stdout).toBe('é'.repeat(OUTPUT_CAP_BYTES / 2));
    expect(r).toMatchObject({ stdout_truncated: 1, stderr: 'err', stderr_truncated: 1 });
  });

  it('refuses results for unknown runs and for another device’s runs', async () => {
    const a = await agent();
    const b = await agent();
    const { runId } = await run(a);
    expect(await b.emit('quick_job_result', result(runId))).toMatchObject({
      status: 'error',
      error: 'job_device_mismatch',
    });
    expect(await a.emit('quick_job_result', result('no-such-run'))).toMatchObject({
      status: 'error',
      error: 'job_not_found',
    });
    expect(await a.emit('quick_job_result', { job_id: runId, status: 'Bogus' })).toMatchObject({
      status: 'error',
      error: 'invalid_request',
    });
    expect(await runStatus(h, runId)).toBe('Running');
  });

  it('keeps a run for an offline agent Pending and sends it when the agent connects', async () => {
    const a = await agent(false);
    const { runId, result: issued } = await run(a);
    expect(issued.status).toBe('Pending');
    expect(await runStatus(h, runId)).toBe('Pending');

    await a.connect();
    await a.until(() => a.runs.length === 1);
    expect(a.runs[0]!.job_id).toBe(runId);
    await expect.poll(() => runStatus(h, runId)).toBe('Running');
    expect(await a.emit('quick_job_result', result(runId))).toEqual({
      status: 'ok',
      job_id: runId,
    });
    expect(await runStatus(h, runId)).toBe('Success');
  });

  it('expires runs still Pending after their expiry ("Device offline") and never sends them', async () => {
    const a = await agent(false);
    const { runId } = await run(a, { expires_in_seconds: 60 });
    h.t.clock.advance(59_000);
    await h.t.ctx.services.jobs.expireOverdue();
    expect(await runStatus(h, runId)).toBe('Pending');
    h.t.clock.advance(1_000);
    uiEvents.length = 0;
    expect(await h.t.ctx.services.jobs.expireOverdue()).toBeGreaterThanOrEqual(1);
    expect(await row(runId)).toMatchObject({ status: 'Expired', error: 'Device offline' });
    expect(uiEvents.map((e) => e.payload)).toContainEqual(
      expect.objectContaining({ activity_id: runId, change: 'updated', status: 'Expired' }),
    );
    await a.connect();
    await sleep(300);
    expect(a.runs).toHaveLength(0);
    // A late result for an expired run is acknowledged (the agent may unspool) but not recorded.
    expect(await a.emit('quick_job_result', result(runId))).toEqual({
      status: 'ok',
      job_id: runId,
    });
    expect(await runStatus(h, runId)).toBe('Expired');
  });

  it('fails a run the agent rejects, with the agent’s reason', async () => {
    const a = await agent();
    a.policy = (r) => ({ job_id: r.job_id, status: 'rejected', error: 'signature_invalid' });
    const { runId, result: issued } = await run(a);
    expect(issued).toMatchObject({ status: 'Failed', error: 'signature_invalid' });
    expect(await row(runId)).toMatchObject({ status: 'Failed', error: 'signature_invalid' });
  });

  it('leaves an unacknowledged run Pending and re-sends it on the next connect', async () => {
    const a = await agent();
    a.policy = () => 'silent';
    const { runId, result: issued } = await run(a);
    expect(issued.status).toBe('Pending');
    expect(await runStatus(h, runId)).toBe('Pending');
    a.disconnect();
    a.policy = acceptAll;
    await a.connect();
    await a.until(() => a.runs.length === 2);
    expect(a.runs.map((r) => r.job_id)).toEqual([runId, runId]);
    await expect.poll(() => runStatus(h, runId)).toBe('Running');
  });

  it('treats a duplicate ack as delivered and does not re-send Running runs on reconnect', async () => {
    const a = await agent();
    a.policy = (r) => ({ job_id: r.job_id, status: 'duplicate' });
    const { runId, result: issued } = await run(a);
    expect(issued.status).toBe('Running');
    a.disconnect();
    await a.connect();
    await sleep(300);
    expect(a.runs).toHaveLength(1);
    // The agent re-sends its spooled result after the reconnect: recorded exactly once.
    expect(await a.emit('quick_job_result', result(runId))).toEqual({
      status: 'ok',
      job_id: runId,
    });
    expect(await a.emit('quick_job_result', result(runId, { stdout: 'dup' }))).toEqual({
      status: 'ok',
      job_id: runId,
    });
    expect(await row(runId)).toMatchObject({ status: 'Success', stdout: 'hello world\n' });
  });

  describe('cancel', () => {
    const cancel = (id: string, headers = h.operator) =>
      h.t.app.inject({ method: 'POST', url: `/api/device/activity/job/${id}/cancel`, headers });

    it('cancels a Pending run at once; it is never sent', async () => {
      const a = await agent(false);
      const { runId } = await run(a);
      const res = await cancel(runId);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        id: runId,
        status: 'Canceled',
        finished_at: h.t.clock.now(),
      });
      await a.connect();
      await sleep(300);
      expect(a.runs).toHaveLength(0);
      const audit = await h.t.ctx.db
        .selectFrom('audit_log')
        .select('target')
        .where('action', '=', 'job.cancel')
        .execute();
      expect(audit.map((x) => x.target)).toContain(runId);
    });

    it('asks the agent to cancel a Running run, which then ends Canceled', async () => {
      const a = await agent();
      const { runId } = await run(a);
      const res = await cancel(runId);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({
        id: runId,
        status: 'Running',
        cancel_requested_at: h.t.clock.now(),
      });
      await a.until(() => a.cancels.includes(runId));
      expect(
        await a.emit('quick_job_result', result(runId, { status: 'Canceled', exit_code: null })),
      ).toEqual({
        status: 'ok',
        job_id: runId,
      });
      expect(await row(runId)).toMatchObject({ status: 'Canceled', exit_code: null });
    });

    it('refuses to cancel a finished run (409) or an unknown one (404), and viewers', async () => {
      const a = await agent();
      const { runId } = await run(a);
      await a.emit('quick_job_result', result(runId));
      const done = await cancel(runId);
      expect(done.statusCode).toBe(409);
      expect(done.json()).toMatchObject({ error: 'job_finished' });
      expect((await cancel('no-such-run')).statusCode).toBe(404);
      expect((await cancel(runId, await apiKeyHeaders(h.t, 'Viewer'))).statusCode).toBe(403);
    });
  });
});

describe.each(DIALECTS)('job delivery across an engine restart (%s)', (dialect) => {
  let h: JobHarness;

  beforeAll(async () => {
    h = await startJobHarness(dialect);
  });
  afterAll(async () => {
    await h.close();
  });

  it('records a result spooled across the restart exactly once and sends runs left Pending', async () => {
    const assembly = await createAssembly(h);
    const running = await scriptedAgent(h);
    const offline = await scriptedAgent(h, false);
    const issue = async (guid: string) =>
      (await quickRun(h, { assembly_guid: assembly, guids: [guid] })).json<{
        results: { job_id: string; status: string }[];
      }>().results[0]!;
    const r1 = await issue(running.guid);
    const r2 = await issue(offline.guid);
    expect([r1.status, r2.status]).toEqual(['Running', 'Pending']);

    // The engine goes away (its sockets with it); a new one starts on the same database.
    const gone = new Promise((resolve) => running.socket!.once('disconnect', resolve));
    await h.rt.close();
    h.rt = { io: h.rt.io, close: async () => undefined };
    await gone;
    const next = await restartedEngine(h);
    try {
      running.port = next.port;
      offline.port = next.port;
      await running.connect();
      const result: QuickJobResult = {
        job_id: r1.job_id,
        status: 'Failed',
        exit_code: 3,
        stdout: 'before the crash\n',
        stderr: 'exit 3\n',
        stdout_truncated: false,
        stderr_truncated: false,
        started_at: null,
        finished_at: h.t.clock.now(),
      };
      expect(await running.emit('quick_job_result', result)).toEqual({
        status: 'ok',
        job_id: r1.job_id,
      });
      // The ack was lost: the agent sends the spooled result again.
      expect(await running.emit('quick_job_result', { ...result, stdout: 'again' })).toEqual({
        status: 'ok',
        job_id: r1.job_id,
      });
      const row = await h.t.ctx.db
        .selectFrom('activity_history')
        .selectAll()
        .where('id', '=', r1.job_id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ status: 'Failed', exit_code: 3, stdout: 'before the crash\n' });
      expect(running.runs).toHaveLength(1);

      await offline.connect();
      await offline.until(() => offline.runs.length === 1);
      expect(offline.runs[0]!.job_id).toBe(r2.job_id);
      await expect.poll(() => runStatus(h, r2.job_id)).toBe('Running');
    } finally {
      running.disconnect();
      offline.disconnect();
      await next.close();
    }
  });
});
