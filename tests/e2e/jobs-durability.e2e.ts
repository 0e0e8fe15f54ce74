// Durable delivery end to end (issue 4, Done-when #2), real engine + real agent processes:
// the engine is SIGKILLed while a job runs → the agent finishes, spools, reconnects after the
// restart and the result is recorded exactly once; a job issued while the agent is stopped runs
// when it comes back; one whose expiry passes while the agent is away is Expired and never runs.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createAssembly,
  getRun,
  quickRun,
  sleep,
  startJobWorld,
  waitRun,
  type JobWorld,
} from '../../packages/agent/test/support/e2e-agent.js';

let w: JobWorld;

beforeAll(async () => {
  w = await startJobWorld();
});
afterAll(async () => {
  await w?.dispose();
});

const spooled = () =>
  fs.readdirSync(w.agent.spoolDir).filter((n) => n.endsWith('.json') && n !== 'seen.index.json');
const connectedCount = () => (w.agent.log().match(/\] socket: connected to /g) ?? []).length;

describe('jobs survive engine and agent outages', () => {
  it('engine SIGKILLed mid-run: the agent spools the result and it is recorded exactly once after the restart', async () => {
    const assembly = await createAssembly(w, {
      display_name: 'Slow job',
      script: 'echo begin\nsleep 4\necho end\n',
    });
    const { jobId } = await quickRun(w, { assembly_guid: assembly });
    await waitRun(w, jobId, 15_000, ['Running']);
    const before = connectedCount();
    expect(await w.engine.stop('SIGKILL')).toBeNull();
    await w.waitFor(
      'the agent to finish the job with the engine down',
      () => new RegExp(`job ${jobId} finished: Success`).test(w.agent.log()),
      20_000,
    );
    expect(spooled()).toEqual([`${jobId}.json`]);
    await w.engine.restart();
    await w.waitFor('the agent to reconnect', () => connectedCount() > before, 90_000);
    const run = await waitRun(w, jobId, 30_000);
    expect(run).toMatchObject({ status: 'Success', exit_code: 0, stdout: 'begin\nend\n' });
    await w.waitFor('the result unspooled after the ack', () => spooled().length === 0);
    const history = await w.api('GET', `/api/device/activity/${w.agent.guid}`);
    expect((history.body.history as any[]).filter((h) => h.id === jobId)).toHaveLength(1);
    expect(
      w.agent.log().match(new RegExp(`result of job ${jobId} \\(Success\\) acknowledged`, 'g')),
    ).toHaveLength(1);
    expect(w.agent.log().match(new RegExp(`job ${jobId} accepted`, 'g'))).toHaveLength(1);
  });

  it('agent offline: a queued job runs when it returns; one whose expiry passes meanwhile is Expired', async () => {
    expect(await w.agent.stop()).toBe(0);
    await w.waitFor(
      'the device Offline',
      async () => (await w.api('GET', `/api/devices/${w.agent.guid}`)).body?.status === 'Offline',
      100_000,
    );
    const lateFlag = path.join(w.agent.root, 'late-job-ran');
    const queued = await createAssembly(w, {
      display_name: 'Queued',
      script: 'echo "ran after reconnect"\n',
    });
    const late = await createAssembly(w, {
      display_name: 'Too late',
      script: `touch ${lateFlag}\n`,
    });
    const q = await quickRun(w, { assembly_guid: queued });
    const e = await quickRun(w, { assembly_guid: late, expires_in_seconds: 60 });
    expect(q.status).toBe('Pending');
    expect(e.status).toBe('Pending');
    // The 60 s expiry plus at most one 30 s sweep.
    const expired = await waitRun(w, e.jobId, 95_000, ['Expired']);
    expect(expired.status).toBe('Expired');
    expect((await getRun(w, q.jobId)).status).toBe('Pending');

    w.agent.start();
    const run = await waitRun(w, q.jobId, 60_000);
    expect(run).toMatchObject({ status: 'Success', stdout: 'ran after reconnect\n' });
    await sleep(1_000);
    expect((await getRun(w, e.jobId)).status).toBe('Expired');
    expect(fs.existsSync(lateFlag)).toBe(false);
  }, 240_000);
});
