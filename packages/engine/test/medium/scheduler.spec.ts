// The scheduler end to end on both databases, with a fake clock and scripted agents on real
// sockets (Done-when #2): an every-5-minutes job over 30 simulated minutes gives 6 occurrences
// with the agents' real outcomes; a target offline for one window is Expired and runs in the next
// after reconnecting; a missed window is Skipped; run_now, toggle, end date, no/ineligible
// targets, concurrent ticks of two nodes never double-fire, pruning, and the leader lock.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QuickJobResult } from '@borealis/protocol';
import {
  InProcessLock,
  PgAdvisoryLock,
  SCHEDULER_LOCK_KEYS,
  schedulerLockFor,
} from '../../src/db/repositories/scheduler-lock.repository.js';
import { LeaderElector } from '../../src/scheduler/leader.js';
import { buildServices } from '../../src/services/index.js';
import { SwitchableEventSink } from '../../src/services/events.js';
import {
  createAssembly,
  scriptedAgent,
  sleep,
  startJobHarness,
  type JobHarness,
  type ScriptedAgent,
} from '../support/job-harness.js';
import { DIALECTS } from '../support/test-db.js';
import { createSite } from '../support/trust-agent.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe.each(DIALECTS)('scheduler (%s)', (dialect) => {
  let h: JobHarness;
  let a: ScriptedAgent;
  let b: ScriptedAgent;
  let assembly: string;
  /** A whole hour ahead of the real time; each test uses its own hour. */
  let hour0: number;
  const ui: { event: string; payload: any }[] = [];

  const scheduler = () => h.t.ctx.services.scheduler;
  const at = (ms: number) => h.t.clock.set(ms);
  const slot = (n: number) => hour0 + n * HOUR;

  async function createJob(over: Record<string, unknown>): Promise<any> {
    const res = await h.t.app.inject({
      method: 'POST',
      url: '/api/scheduled_jobs',
      headers: h.operator,
      payload: {
        name: `job-${Math.random().toString(36).slice(2, 7)}`,
        components: [{ type: 'script', assembly_guid: assembly }],
        targets: [a.hostname],
        schedule: { type: 'every_5_minutes' },
        ...over,
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ job: any }>().job;
  }

  async function getJob(id: string): Promise<any> {
    return (await h.t.app.inject({ url: `/api/scheduled_jobs/${id}`, headers: h.operator })).json<{
      job: any;
    }>().job;
  }

  /** Occurrences oldest first. */
  async function runs(id: string): Promise<any[]> {
    const res = await h.t.app.inject({
      url: `/api/scheduled_jobs/${id}/runs?days=3650&limit=500`,
      headers: h.operator,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ runs: any[] }>().runs.reverse();
  }

  function result(jobId: string, ok = true): QuickJobResult {
    return {
      job_id: jobId,
      status: ok ? 'Success' : 'Failed',
      exit_code: ok ? 0 : 2,
      stdout: ok ? 'done\n' : '',
      stderr: ok ? '' : 'boom\n',
      stdout_truncated: false,
      stderr_truncated: false,
      started_at: h.t.clock.now(),
      finished_at: h.t.clock.now(),
    };
  }

  /** Waits for the agent's next run of `jobId`, answers it, returns it. */
  async function answer(agent: ScriptedAgent, jobId: string, ok = true) {
    const mine = () => agent.runs.filter((r) => r.context?.scheduled_job_id === jobId);
    const seen = answered.get(agent) ?? new Set<string>();
    answered.set(agent, seen);
    await agent.until(() => mine().some((r) => !seen.has(r.job_id)));
    const run = mine().find((r) => !seen.has(r.job_id))!;
    seen.add(run.job_id);
    expect(await agent.emit('quick_job_result', result(run.job_id, ok))).toEqual({
      status: 'ok',
      job_id: run.job_id,
    });
    return run;
  }
  const answered = new Map<ScriptedAgent, Set<string>>();

  const runsReceived = (agent: ScriptedAgent, jobId: string) =>
    agent.runs.filter((r) => r.context?.scheduled_job_id === jobId);

  beforeAll(async () => {
    h = await startJobHarness(dialect);
    h.t.ctx.events.attachUi((event, payload) => ui.push({ event, payload }));
    assembly = await createAssembly(h);
    a = await scriptedAgent(h);
    b = await scriptedAgent(h, false);
    hour0 = Math.ceil(h.t.clock.now() / HOUR) * HOUR + HOUR;
  });
  afterEach(async () => {
    await h.t.ctx.db.deleteFrom('scheduled_jobs').execute();
  });
  afterAll(async () => {
    a.disconnect();
    b.disconnect();
    await h.close();
  });

  it("every 5 minutes over 30 simulated minutes: 6 occurrences with the agent's real outcomes", async () => {
    const T = slot(0);
    at(T - MIN);
    const job = await createJob({
      schedule: { type: 'every_5_minutes', start: new Date(T).toISOString() },
    });
    expect(job.next_run_ts).toBe(T);
    ui.length = 0;
    for (let i = 0; i < 6; i++) {
      at(T + i * 5 * MIN + 15_000);
      expect(await scheduler().tick()).toMatchObject({ fired: 1, skipped: 0 });
      await answer(a, job.id, i !== 3);
      at(T + i * 5 * MIN + 3 * MIN);
      expect(await scheduler().tick()).toMatchObject({ fired: 0, skipped: 0 });
    }
    at(T + 30 * MIN - 1);
    expect((await scheduler().tick()).fired).toBe(0);

    const occ = await runs(job.id);
    expect(occ.map((o) => o.scheduled_ts)).toEqual([0, 1, 2, 3, 4, 5].map((i) => T + i * 5 * MIN));
    expect(occ.map((o) => o.status)).toEqual([
      'Success',
      'Success',
      'Success',
      'Failed',
      'Success',
      'Success',
    ]);
    const received = runsReceived(a, job.id);
    expect(received).toHaveLength(6);
    for (const [i, o] of occ.entries()) {
      expect(o).toMatchObject({
        trigger: 'schedule',
        skip_reason: null,
        result_counts: { total_targets: 1 },
      });
      expect(o.targets).toHaveLength(1);
      const t = o.targets[0];
      expect(t).toMatchObject({ device_guid: a.guid, hostname: a.hostname, status: o.status });
      // The activity row is the job_id the agent ran, linked back to this occurrence.
      expect(t.activity.map((x: any) => x.id)).toEqual([received[i]!.job_id]);
      expect(received[i]!.context).toMatchObject({
        scheduled_job_id: job.id,
        scheduled_run_id: o.id,
      });
      expect(t.activity[0]).toMatchObject({
        component_index: 0,
        has_stdout: i !== 3,
        has_stderr: i === 3,
      });
    }
    const view = await getJob(job.id);
    expect(view).toMatchObject({
      last_run_ts: T + 25 * MIN,
      last_status: 'Success',
      next_run_ts: T + 30 * MIN,
      result_counts: { success: 1, failed: 0, pending: 0, running: 0, total_targets: 1 },
    });
    const quick = await h.t.ctx.db
      .selectFrom('quick_jobs')
      .select(['source', 'scheduled_job_id', 'scheduled_run_id'])
      .where('scheduled_job_id', '=', job.id)
      .execute();
    expect(quick).toHaveLength(6);
    expect(new Set(quick.map((q) => q.scheduled_run_id))).toEqual(new Set(occ.map((o) => o.id)));
    expect(quick.every((q) => q.source === 'scheduled')).toBe(true);
    const changes = ui.filter(
      (e) => e.event === 'scheduled_run_changed' && e.payload.job_id === job.id,
    );
    expect(changes.filter((e) => e.payload.change === 'created')).toHaveLength(6);
    expect(changes.some((e) => e.payload.status === 'Failed')).toBe(true);

    // Two nodes ticking the same slot at once: one occurrence, one dispatch.
    const events = new SwitchableEventSink();
    const { db, clock, logs, secrets, config } = h.t.ctx;
    const other = buildServices({ db, clock, logs, secrets, config, events });
    at(T + 30 * MIN + 5_000);
    const [s1, s2] = await Promise.all([
      scheduler().tick(),
      other.scheduler.tick(),
      scheduler().tick(),
    ]);
    expect(s1.fired + s2.fired).toBe(1);
    await other.scheduler.stop();
    expect(await runs(job.id)).toHaveLength(7);
    const dispatches = await h.t.ctx.db
      .selectFrom('quick_jobs')
      .select('id')
      .where('scheduled_job_id', '=', job.id)
      .execute();
    expect(dispatches).toHaveLength(7);
  });

  it('a target offline for one window is Expired ("Device offline") and runs in the next after reconnecting', async () => {
    const T = slot(1);
    at(T - MIN);
    const job = await createJob({
      targets: [a.hostname, b.hostname],
      schedule: { type: 'every_5_minutes', start: new Date(T).toISOString() },
      duration: { stopAfterEnabled: true, expiration: '5m' },
    });
    at(T + 10_000);
    await scheduler().tick();
    await answer(a, job.id);
    let occ = await runs(job.id);
    expect(occ[0].status).toBe('Running'); // b has not run yet
    expect(occ[0].result_counts).toMatchObject({ success: 1, pending: 1, total_targets: 2 });

    at(T + 5 * MIN + 10_000);
    await scheduler().tick();
    await answer(a, job.id);
    occ = await runs(job.id);
    const bRow = (o: any) => o.targets.find((t: any) => t.device_guid === b.guid);
    expect(bRow(occ[0])).toMatchObject({ status: 'Expired', error: 'Device offline' });
    expect(occ[0].status).toBe('Expired');
    expect(bRow(occ[1]).status).toBe('Pending');

    // b comes back within the second window: it gets that occurrence's run, not the expired one.
    at(T + 7 * MIN);
    await b.agent.refresh();
    await b.connect();
    const run = await answer(b, job.id);
    expect(runsReceived(b, job.id)).toHaveLength(1);
    expect(run.context?.scheduled_run_id).toBe(occ[1].id);
    await scheduler().tick();
    occ = await runs(job.id);
    expect(occ.map((o) => o.status)).toEqual(['Expired', 'Success']);
    expect(occ[1].targets.map((t: any) => t.status)).toEqual(['Success', 'Success']);
    const view = await getJob(job.id);
    expect(view).toMatchObject({
      last_status: 'Success',
      result_counts: { success: 2, total_targets: 2 },
    });
    // The stored statuses were synced too (the history survives activity being cleared).
    const stored = await h.t.ctx.db
      .selectFrom('scheduled_job_occurrences')
      .select(['status'])
      .where('job_id', '=', job.id)
      .orderBy('scheduled_ts')
      .execute();
    expect(stored.map((s) => s.status)).toEqual(['Expired', 'Success']);
  });

  it('a window missed while the engine was down is recorded as Skipped (missed_window)', async () => {
    const T = slot(2);
    at(T - MIN);
    const job = await createJob({
      schedule: { type: 'every_5_minutes', start: new Date(T).toISOString() },
    });
    at(T + 10_000);
    expect((await scheduler().tick()).fired).toBe(1);
    await answer(a, job.id);
    at(T + 20 * MIN + 10_000); // no ticks for 20 minutes
    expect(await scheduler().tick()).toMatchObject({ fired: 1, skipped: 3 });
    await answer(a, job.id);
    const occ = await runs(job.id);
    expect(occ.map((o) => [o.scheduled_ts - T, o.status, o.skip_reason])).toEqual([
      [0, 'Success', null],
      [5 * MIN, 'Skipped', 'missed_window'],
      [10 * MIN, 'Skipped', 'missed_window'],
      [15 * MIN, 'Skipped', 'missed_window'],
      [20 * MIN, 'Success', null],
    ]);
    expect(runsReceived(a, job.id)).toHaveLength(2);
  });

  it('run_now fires a manual occurrence at once; toggling off stops ticks without recording misses', async () => {
    const T = slot(3);
    at(T - MIN);
    const job = await createJob({
      schedule: { type: 'every_5_minutes', start: new Date(T).toISOString() },
    });
    const res = await h.t.app.inject({
      method: 'POST',
      url: `/api/scheduled_jobs/${job.id}/run_now`,
      headers: h.operator,
    });
    expect(res.statusCode, res.body).toBe(200);
    const manual = res.json<{ occurrence: any }>().occurrence;
    expect(manual).toMatchObject({ trigger: 'manual', scheduled_ts: T - MIN });
    expect(manual.fired_by).not.toMatch(/^scheduler|:/);
    const run = await answer(a, job.id);
    expect(run.context?.scheduled_run_id).toBe(manual.id);

    at(T + 10_000);
    expect((await scheduler().tick()).fired).toBe(1);
    await answer(a, job.id);
    const off = await h.t.app.inject({
      method: 'POST',
      url: `/api/scheduled_jobs/${job.id}/toggle`,
      headers: h.operator,
      payload: { enabled: false },
    });
    expect(off.json<{ job: any }>().job.next_run_ts).toBeNull();
    at(T + 5 * MIN + 10_000);
    expect((await scheduler().tick()).fired).toBe(0);
    at(T + 12 * MIN);
    await h.t.app.inject({
      method: 'POST',
      url: `/api/scheduled_jobs/${job.id}/toggle`,
      headers: h.operator,
      payload: { enabled: true },
    });
    at(T + 15 * MIN + 10_000);
    expect(await scheduler().tick()).toMatchObject({ fired: 1, skipped: 0 });
    await answer(a, job.id);
    const occ = await runs(job.id);
    expect(occ.map((o) => [o.trigger, o.scheduled_ts - T, o.status])).toEqual([
      ['manual', -MIN, 'Success'],
      ['schedule', 0, 'Success'],
      ['schedule', 15 * MIN, 'Success'],
    ]);
  });

  it('stops after the end date; "immediately" fires once at creation', async () => {
    const T = slot(4);
    at(T - MIN);
    const job = await createJob({
      schedule: {
        type: 'every_5_minutes',
        start: new Date(T).toISOString(),
        end: new Date(T + 10 * MIN).toISOString(),
      },
    });
    for (let i = 0; i < 5; i++) {
      at(T + i * 5 * MIN + 10_000);
      await scheduler().tick();
      if (i < 3) await answer(a, job.id);
    }
    expect((await runs(job.id)).map((o) => o.scheduled_ts - T)).toEqual([0, 5 * MIN, 10 * MIN]);
    expect((await getJob(job.id)).next_run_ts).toBeNull();

    at(T + 30 * MIN + 7_000);
    const now = await createJob({ schedule: { type: 'immediately' } });
    expect(now).toMatchObject({ last_run_ts: T + 30 * MIN + 7_000, next_run_ts: null });
    await answer(a, now.id);
    at(T + 40 * MIN);
    await scheduler().tick();
    expect((await runs(now.id)).map((o) => o.status)).toEqual(['Success']);
    // Re-enabling it later does not run it again; one created disabled runs when enabled.
    const toggle = (id: string, enabled: boolean) =>
      h.t.app.inject({
        method: 'POST',
        url: `/api/scheduled_jobs/${id}/toggle`,
        headers: h.operator,
        payload: { enabled },
      });
    await toggle(now.id, false);
    await toggle(now.id, true);
    const later = await createJob({ schedule: { type: 'immediately' }, enabled: false });
    at(T + 45 * MIN);
    await scheduler().tick();
    expect(await runs(later.id)).toEqual([]);
    await toggle(later.id, true);
    await answer(a, later.id);
    expect((await runs(later.id)).map((o) => o.scheduled_ts)).toEqual([T + 45 * MIN]);
    expect(await runs(now.id)).toHaveLength(1);
  });

  it('no devices → Skipped no_devices_targeted; revoked targets are Skipped rows, the rest run', async () => {
    const T = slot(5);
    at(T - MIN);
    const empty = await createSite(h.t, h.admin);
    const none = await createJob({
      targets: [{ kind: 'site', site_id: empty.id }],
      schedule: { type: 'once', start: new Date(T).toISOString() },
    });
    const c = await scriptedAgent(h, false);
    const mixed = await createJob({
      targets: [a.hostname, { kind: 'device', guid: c.guid }],
      schedule: { type: 'once', start: new Date(T).toISOString() },
    });
    const revoked = await h.t.app.inject({
      method: 'POST',
      url: `/api/devices/${c.guid}/revoke`,
      headers: h.admin,
      payload: {},
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    at(T + 10_000);
    await scheduler().tick();
    await answer(a, mixed.id);
    expect((await runs(none.id)).map((o) => [o.status, o.skip_reason, o.targets.length])).toEqual([
      ['Skipped', 'no_devices_targeted', 0],
    ]);
    const [occ] = await runs(mixed.id);
    expect(occ.status).toBe('Success');
    expect(occ.targets.map((t: any) => [t.hostname, t.status, t.skip_reason])).toEqual(
      [
        [a.hostname, 'Success', null],
        [c.hostname, 'Skipped', 'device_revoked'],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect(occ.result_counts).toMatchObject({ success: 1, skipped: 1, total_targets: 2 });
    // A target deleted while its run waits: the row ends Canceled (device_removed), not open forever.
    const d = await scriptedAgent(h, false);
    const gone = await createJob({
      targets: [{ kind: 'device', guid: d.guid }],
      schedule: { type: 'immediately' },
    });
    expect((await runs(gone.id))[0].status).toBe('Pending');
    const del = await h.t.app.inject({
      method: 'DELETE',
      url: `/api/devices/${d.guid}`,
      headers: h.admin,
    });
    expect(del.statusCode, del.body).toBe(200);
    await scheduler().tick();
    const [removed] = await runs(gone.id);
    expect(removed.status).toBe('Canceled');
    expect(removed.targets[0]).toMatchObject({ status: 'Canceled', error: 'device_removed' });
    const devices = await h.t.app.inject({
      url: `/api/scheduled_jobs/${mixed.id}/devices`,
      headers: h.operator,
    });
    expect(
      devices.json<{ devices: any[] }>().devices.map((d) => [d.hostname, d.job_status, d.online]),
    ).toEqual(
      [
        [a.hostname, 'Success', true],
        [c.hostname, 'Skipped', false],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });

  it('prunes occurrences and finished scheduled dispatches older than the retention', async () => {
    const T = slot(6);
    at(T - MIN);
    const job = await createJob({
      targets: [a.hostname, b.hostname],
      schedule: { type: 'once', start: new Date(T).toISOString() },
    });
    b.disconnect();
    at(T + 10_000);
    await scheduler().tick();
    await answer(a, job.id);
    // A one-time job created after its start (earlier than the current minute) never fires.
    const late = await createJob({
      schedule: { type: 'once', start: new Date(T - 5 * MIN).toISOString() },
    });
    expect(late.next_run_ts).toBeNull();
    expect((await runs(late.id)).length).toBe(0);
    const days = h.t.ctx.config.jobHistoryDays;
    at(T + (days + 1) * 24 * HOUR);
    const fresh = await createJob({ schedule: { type: 'immediately' } });
    await answer(a, fresh.id);
    expect(await scheduler().prune()).toBeGreaterThanOrEqual(1);
    expect(await runs(job.id)).toEqual([]);
    expect(await runs(fresh.id)).toHaveLength(1);
    const left = await h.t.ctx.db
      .selectFrom('quick_jobs as q')
      .innerJoin('activity_history as x', 'x.quick_job_id', 'q.id')
      .select(['q.scheduled_job_id', 'x.device_guid', 'x.status'])
      .where('q.scheduled_job_id', 'in', [job.id, fresh.id])
      .execute();
    // A dispatch is pruned only once all its runs ended: the old one still has b's run Pending
    // (not swept yet), so it stays, with a's finished run.
    expect(
      left
        .filter((l) => l.scheduled_job_id === job.id)
        .map((l) => l.status)
        .sort(),
    ).toEqual(['Pending', 'Success']);
    expect(left.filter((l) => l.scheduled_job_id === fresh.id)).toHaveLength(1);
    const finished = await createJob({ schedule: { type: 'immediately' } });
    await answer(a, finished.id);
    at(h.t.clock.now() + (days + 1) * 24 * HOUR);
    await scheduler().prune();
    const gone = await h.t.ctx.db
      .selectFrom('quick_jobs')
      .select('id')
      .where('scheduled_job_id', 'in', [fresh.id, finished.id])
      .execute();
    expect(gone).toEqual([]);
  });

  it('leader lock: one holder at a time; a dead connection hands over', async () => {
    if (dialect === 'sqlite') {
      const lock = schedulerLockFor(h.t.ctx.db, undefined);
      expect(lock).toBeInstanceOf(InProcessLock);
      expect(await lock.tryAcquire()).toBe(true);
      return;
    }
    const url = h.t.database.url!;
    expect(() => schedulerLockFor(h.t.ctx.db, undefined)).toThrow(/URL/);
    const lost: string[] = [];
    const l1 = new PgAdvisoryLock(url, (r) => lost.push(r));
    const l2 = new PgAdvisoryLock(url);
    try {
      expect(await l1.tryAcquire()).toBe(true);
      expect(await l1.tryAcquire()).toBe(true); // idempotent for the holder
      expect(await l2.tryAcquire()).toBe(false);
      // The leader's connection dies (server-side kill): PostgreSQL drops the lock with it.
      await sql`SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND classid = ${SCHEDULER_LOCK_KEYS[0]}
          AND objid = ${SCHEDULER_LOCK_KEYS[1]} AND granted`.execute(h.t.ctx.db);
      const deadline = Date.now() + 5000;
      while ((await l1.check()) && Date.now() < deadline) await sleep(50);
      expect(await l1.check()).toBe(false);
      expect(lost.length).toBeGreaterThan(0);
      // The server frees the lock as the killed backend exits; a follower retries until then.
      let took = false;
      for (let i = 0; i < 100 && !took; i++) {
        took = await l2.tryAcquire();
        if (!took) await sleep(50);
      }
      expect(took).toBe(true);
      expect(await l1.tryAcquire()).toBe(false);
    } finally {
      await l1.release();
      await l2.release();
    }

    // Electors: the second takes over within one retry interval after the first stops.
    const log = h.t.ctx.logs.service('scheduled_jobs');
    const elected: string[] = [];
    const elector = (name: string) => {
      const e: LeaderElector = new LeaderElector({
        lock: new PgAdvisoryLock(url, (r) => e.lost(r)),
        retryMs: 100,
        log,
        nodeId: name,
        onElected: () => elected.push(name),
        onDeposed: () => undefined,
      });
      return e;
    };
    const e1 = elector('one');
    const e2 = elector('two');
    e1.start();
    const until = async (pred: () => boolean) => {
      const end = Date.now() + 5000;
      while (!pred() && Date.now() < end) await sleep(20);
      expect(pred()).toBe(true);
    };
    await until(() => e1.isLeader);
    e2.start();
    await sleep(300);
    expect(e2.isLeader).toBe(false);
    await e1.stop();
    await until(() => e2.isLeader);
    expect(elected).toEqual(['one', 'two']);
    await e2.stop();
  });
});
