// Done-when #3: a 1,000-line stdout streamed by the agent as quick_job_progress chunks reaches a
// signed-in `/ui` socket (session cookie + Origin) subscribed to the job, in order, nothing lost;
// subscriptions by quick job id and by run id, once per socket, unknown ids refused, unsubscribe.
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QuickJobProgress } from '@borealis/protocol';
import {
  createAssembly,
  quickRun,
  scriptedAgent,
  sleep,
  startJobHarness,
  uiSocket,
  type JobHarness,
  type ScriptedAgent,
} from '../support/job-harness.js';
import { DIALECTS } from '../support/test-db.js';

type Output = QuickJobProgress & { guid: string };

function collect(socket: ClientSocket): Output[] {
  const out: Output[] = [];
  socket.on('job_output', (e: Output) => out.push(e));
  return out;
}

describe.each(DIALECTS)('job output streaming (%s)', (dialect) => {
  let h: JobHarness;
  let agent: ScriptedAgent;
  let assembly: string;
  const uis: ClientSocket[] = [];

  async function ui(): Promise<ClientSocket> {
    const s = await uiSocket(h);
    uis.push(s);
    return s;
  }

  async function startRun() {
    const res = await quickRun(h, { assembly_guid: assembly, guids: [agent.guid] });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ job_id: string; results: { job_id: string; status: string }[] }>();
    expect(body.results[0]!.status).toBe('Running');
    return { quickJobId: body.job_id, runId: body.results[0]!.job_id };
  }

  beforeAll(async () => {
    h = await startJobHarness(dialect);
    agent = await scriptedAgent(h);
    assembly = await createAssembly(h, { script: 'seq 1 1000\n', variables: [] });
  });
  afterEach(() => {
    for (const s of uis.splice(0)) s.disconnect();
  });
  afterAll(async () => {
    agent.disconnect();
    await h.close();
  });

  it('streams 1,000 lines to a subscribed UI in order, nothing lost', async () => {
    const { quickJobId, runId } = await startRun();
    const watcher = await ui();
    const both = await ui();
    const bystander = await ui();
    const got = collect(watcher);
    const gotBoth = collect(both);
    const stray = collect(bystander);
    expect(await watcher.emitWithAck('subscribe_job', { job_id: quickJobId })).toEqual({
      status: 'ok',
      job_id: quickJobId,
    });
    expect(await both.emitWithAck('subscribe_job', { job_id: quickJobId })).toMatchObject({
      status: 'ok',
    });
    expect(await both.emitWithAck('subscribe_job', { job_id: runId })).toMatchObject({
      status: 'ok',
    });

    const lines = Array.from({ length: 1000 }, (_, i) => `line ${i + 1}\n`);
    const sent: QuickJobProgress[] = [];
    let seq = 0;
    for (const [i, line] of lines.entries()) {
      sent.push({ job_id: runId, seq: seq++, stream: 'stdout', data: line });
      if (i % 100 === 99)
        sent.push({ job_id: runId, seq: seq++, stream: 'stderr', data: `checkpoint ${i + 1}\n` });
    }
    // Fire-and-forget, as fast as the socket takes them.
    for (const p of sent) agent.socket!.emit('quick_job_progress', p);

    await expect.poll(() => got.length, { timeout: 15_000 }).toBe(sent.length);
    await expect.poll(() => gotBoth.length, { timeout: 5_000 }).toBe(sent.length);
    expect(got.map((e) => e.seq)).toEqual(sent.map((p) => p.seq));
    expect(got).toEqual(sent.map((p) => ({ ...p, guid: agent.guid })));
    const stdout = got
      .filter((e) => e.stream === 'stdout')
      .map((e) => e.data)
      .join('');
    expect(stdout).toBe(lines.join(''));
    expect(gotBoth.map((e) => e.seq)).toEqual(sent.map((p) => p.seq));
    await sleep(100);
    expect(got.length).toBe(sent.length);
    expect(gotBoth.length).toBe(sent.length);
    expect(stray).toHaveLength(0);

    // The final result still lands in activity history in full.
    const ack = await agent.emit('quick_job_result', {
      job_id: runId,
      status: 'Success',
      exit_code: 0,
      stdout: lines.join(''),
      stderr: '',
      stdout_truncated: false,
      stderr_truncated: false,
      started_at: null,
      finished_at: h.t.clock.now(),
    });
    expect(ack).toEqual({ status: 'ok', job_id: runId });
    const row = await h.t.app.inject({
      method: 'GET',
      url: `/api/device/activity/job/${runId}`,
      headers: h.operator,
    });
    expect(row.json<{ stdout: string }>().stdout.split('\n')).toHaveLength(1001);
  });

  it('refuses unknown jobs and stops after unsubscribe_job', async () => {
    const { runId } = await startRun();
    const s = await ui();
    const got = collect(s);
    expect(await s.emitWithAck('subscribe_job', { job_id: 'no-such-job' })).toMatchObject({
      status: 'error',
      error: 'job_not_found',
    });
    expect(await s.emitWithAck('subscribe_job', {})).toMatchObject({
      status: 'error',
      error: 'invalid_request',
    });
    expect(await s.emitWithAck('subscribe_job', { job_id: runId })).toMatchObject({ status: 'ok' });
    await agent.emit('quick_job_progress', {
      job_id: runId,
      seq: 0,
      stream: 'stdout',
      data: 'one\n',
    });
    await expect.poll(() => got.length).toBe(1);
    expect(await s.emitWithAck('unsubscribe_job', { job_id: runId })).toEqual({ status: 'ok' });
    await agent.emit('quick_job_progress', {
      job_id: runId,
      seq: 1,
      stream: 'stdout',
      data: 'two\n',
    });
    await sleep(200);
    expect(got.map((e) => e.data)).toEqual(['one\n']);
  });

  it('refuses progress for runs of other devices', async () => {
    const { runId } = await startRun();
    const other = await scriptedAgent(h);
    try {
      expect(
        await other.emit('quick_job_progress', {
          job_id: runId,
          seq: 0,
          stream: 'stdout',
          data: 'x',
        }),
      ).toMatchObject({ status: 'error', error: 'job_device_mismatch' });
      expect(
        await other.emit('quick_job_progress', {
          job_id: 'nope',
          seq: 0,
          stream: 'stdout',
          data: 'x',
        }),
      ).toMatchObject({ status: 'error', error: 'job_not_found' });
    } finally {
      other.disconnect();
    }
  });
});
