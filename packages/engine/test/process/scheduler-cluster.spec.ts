// Done-when #3: two built engine processes on one PostgreSQL database run an every-5-minutes job
// for a simulated hour (scheduler clock 30× wall time, 1 s ticks and leader retries): every
// occurrence fires exactly once; SIGKILL of the leader mid-way hands the tick to the other node
// (the advisory lock dies with its connection) and no occurrence is lost or doubled.
// Needs `npx tsc -b packages/engine` first.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHeaders } from '../support/auth.js';
import { startEngineProcess, httpsJson, type EngineProcess } from '../support/engine-process.js';
import { makeTestApp, type TestApp } from '../support/test-app.js';

const SCALE = 30;
const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const LEADER_RE = /scheduler: node (\S+) is the leader/;

describe('scheduler across two engine nodes (PostgreSQL)', () => {
  let t: TestApp;
  const nodes: EngineProcess[] = [];
  /** Real ms when the scheduler clocks of both nodes read the same as the wall clock. */
  const origin = Date.now();
  const sim = (real = Date.now()) => origin + (real - origin) * SCALE;
  const realAt = (simTs: number) => origin + (simTs - origin) / SCALE;
  const leaderOf = (e: EngineProcess) => LEADER_RE.exec(e.output())?.[1] ?? null;

  async function until<T>(what: string, fn: () => T | null | undefined, ms: number): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  beforeAll(async () => {
    t = await makeTestApp('postgres');
    const env = {
      BOREALIS_DATABASE_URL: t.database.url!,
      BOREALIS_SECRET_KEY: crypto.randomBytes(32).toString('hex'),
      BOREALIS_SCHEDULER_TICK_MS: '1000',
      BOREALIS_SCHEDULER_LEADER_RETRY_MS: '1000',
      BOREALIS_SCHEDULER_CLOCK_SCALE: String(SCALE),
      BOREALIS_SCHEDULER_CLOCK_ORIGIN: String(origin),
    };
    nodes.push(await startEngineProcess({ env }));
    nodes.push(await startEngineProcess({ env }));
  }, 90_000);

  afterAll(async () => {
    for (const e of nodes) {
      await e.stop();
      fs.rmSync(e.root, { recursive: true, force: true });
    }
    await t?.close();
  });

  it('fires every occurrence of a simulated hour exactly once, across a leader crash', async () => {
    const auth = await apiKeyHeaders(t, 'Admin');
    const [a, b] = nodes as [EngineProcess, EngineProcess];
    // One device (offline: its runs stay Pending) and one script.
    const guid = crypto.randomUUID();
    await t.ctx.db
      .insertInto('devices')
      .values({ guid, hostname: 'cluster-target', created_at: Date.now() } as never)
      .execute();
    const asm = await httpsJson(
      b,
      'POST',
      '/api/assemblies',
      {
        domain: 'user',
        display_name: 'cluster probe',
        assembly_kind: 'script',
        assembly_type: 'bash',
        script: 'echo tick\n',
        timeout_seconds: 30,
      },
      auth,
    );
    expect(asm.status, JSON.stringify(asm.body)).toBe(201);

    // Exactly one node leads.
    await until('a leader', () => leaderOf(a) ?? leaderOf(b), 15_000);
    await sleep(2000);
    expect([leaderOf(a), leaderOf(b)].filter(Boolean)).toHaveLength(1);
    const first = leaderOf(a) ? a : b;
    const second = first === a ? b : a;

    // Twelve occurrences: start on the next 5-minute boundary (simulated), one hour long.
    const start = Math.ceil(sim() / (5 * MIN)) * 5 * MIN + 5 * MIN;
    const expected = Array.from({ length: 12 }, (_, k) => start + k * 5 * MIN);
    const created = await httpsJson(
      second,
      'POST',
      '/api/scheduled_jobs',
      {
        name: 'cluster hour',
        components: [{ type: 'script', assembly_guid: asm.body.assembly_guid }],
        targets: ['cluster-target'],
        schedule: {
          type: 'every_5_minutes',
          start: new Date(start).toISOString(),
          end: new Date(expected[11]!).toISOString(),
        },
      },
      auth,
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const jobId: string = created.body.job.id;
    expect(created.body.job.next_run_ts).toBe(start);

    const occurrences = () =>
      t.ctx.db
        .selectFrom('scheduled_job_occurrences')
        .selectAll()
        .where('job_id', '=', jobId)
        .orderBy('scheduled_ts')
        .execute();

    // Half-way (after the 6th occurrence fired), kill the leader outright.
    await sleep(Math.max(0, realAt(expected[5]!) - Date.now()));
    const end6 = Date.now() + 20_000;
    while ((await occurrences()).length < 6 && Date.now() < end6) await sleep(100);
    expect((await occurrences()).length).toBe(6);
    const firstId = leaderOf(first)!;
    const killedAt = Date.now();
    await first.stop('SIGKILL');
    const secondId = await until('the takeover', () => leaderOf(second), 60_000);
    // Retry every 1 s here; with the default 15 s a dead leader is replaced well within a minute.
    expect(Date.now() - killedAt).toBeLessThan(10_000);

    // Let the simulated hour finish (plus a margin), then look at the history.
    await sleep(Math.max(0, realAt(expected[11]! + 2 * MIN) - Date.now()));
    const rows = await occurrences();
    expect(rows.map((r) => Number(r.scheduled_ts))).toEqual(expected);
    for (const r of rows) {
      expect(r.trigger).toBe('schedule');
      expect(r.skip_reason).toBeNull();
      // Dispatched to a device that never connects: waiting (Pending) until its window passes, then
      // Expired ("Device offline"); never Skipped, never run twice.
      expect(['Pending', 'Expired']).toContain(r.status);
      expect(JSON.parse(r.quick_job_ids_json)).toHaveLength(1);
    }
    // The first occurrence's window (until the next occurrence) closed long ago, in wall time too.
    expect(rows[0]!.status).toBe('Expired');
    expect(rows.slice(0, 6).every((r) => r.fired_by === firstId)).toBe(true);
    expect(rows.slice(6).every((r) => r.fired_by === secondId)).toBe(true);
    expect(firstId).not.toBe(secondId);
    // One dispatch per occurrence, no more.
    const dispatches = await t.ctx.db
      .selectFrom('quick_jobs')
      .select(['scheduled_run_id'])
      .where('scheduled_job_id', '=', jobId)
      .execute();
    expect(dispatches.map((d) => d.scheduled_run_id).sort()).toEqual(rows.map((r) => r.id).sort());
    const runs = await httpsJson(
      second,
      'GET',
      `/api/scheduled_jobs/${jobId}/runs?days=1`,
      undefined,
      auth,
    );
    expect(runs.body.runs).toHaveLength(12);
    expect(runs.body.runs[0].targets[0]).toMatchObject({
      hostname: 'cluster-target',
      status: 'Pending',
    });
  }, 240_000);
});
