// The script-exec role end to end against the fake engine's /agents socket: signed jobs run and
// their results are acked and unspooled; altered, misaddressed, expired or unsupported payloads are
// refused with the contract's codes and nothing runs; duplicates never run twice; results survive
// an engine restart, refused or unanswered acks and an agent restart; cancel; role health.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveInterpreter } from '../src/exec/interpreters.js';
import { processStartTime } from '../src/exec/process-group.js';
import { Spool } from '../src/spool.js';
import { FakeEngine } from './support/fake-engine.js';
import { startJobAgent, type JobAgent } from './support/job-agent.js';
import { markerPids, signedJob, until, type JobSpec } from './support/jobs.js';

let engine: FakeEngine;
let agent: JobAgent | null = null;
const markers: string[] = [];

beforeAll(async () => {
  engine = await FakeEngine.start();
});
afterAll(async () => {
  await engine.close();
  fs.rmSync(engine.ca.dir, { recursive: true, force: true });
});
afterEach(async () => {
  await agent?.stop();
  agent?.h.dispose();
  agent = null;
  engine.progress.length = 0;
  engine.results.length = 0;
  engine.resultAck = 'ok';
  for (const m of markers.splice(0)) for (const pid of markerPids(m)) process.kill(pid, 'SIGKILL');
});

async function start(opts: Parameters<typeof startJobAgent>[1] = {}): Promise<JobAgent> {
  agent = await startJobAgent(engine, opts);
  await until(
    () => agent!.connects >= 1 && engine.connectedCount() === 1,
    10_000,
    'agent connected',
  );
  return agent;
}

const job = (s: Omit<JobSpec, 'guid'> & { guid?: string }) =>
  signedJob(engine.scriptKey.privateKey, { guid: engine.guid, ...s });
const resultOf = (id: string) => engine.results.filter((r) => r.job_id === id);
const spoolFiles = (a: JobAgent) =>
  fs.readdirSync(a.h.paths.spoolDir).filter((n) => n !== 'seen.index.json');

describe('script-exec role', () => {
  it('runs a signed job: ack accepted, live progress, result acked then unspooled', async () => {
    const a = await start();
    const j = job({
      script: 'echo "hello $WHO"\necho "warn" >&2\n',
      environment: { WHO: 'world' },
    });
    expect(await engine.sendJob(j)).toEqual({ job_id: j.job_id, status: 'accepted' });
    await until(() => resultOf(j.job_id).length === 1);
    expect(resultOf(j.job_id)[0]).toMatchObject({
      status: 'Success',
      exit_code: 0,
      stdout: 'hello world\n',
      stderr: 'warn\n',
    });
    expect(
      engine.progress
        .filter((p) => p.job_id === j.job_id)
        .map((p) => p.data)
        .sort(),
    ).toEqual(['hello world\n', 'warn\n']);
    await until(() => spoolFiles(a).length === 0, 5_000, 'entry unspooled after the ack');
    expect(a.role.spool.known(j.job_id)).toBe(true);
    expect(a.role.healthReport()).toEqual({ status: 'ok', detail: '0 job(s) running' });
    // the script text and the variable's value never reach the log
    expect(a.h.lines.join('\n')).not.toMatch(/hello \$WHO|world/);
    expect(a.h.lines.join('\n')).toMatch(
      new RegExp(`job ${j.job_id} finished: Success \\(exit 0\\)`),
    );
  });

  it('refuses altered, misaddressed, expired, unsupported and malformed payloads and runs nothing', async () => {
    const a = await start({
      role: { interpreters: (t) => (t === 'powershell' ? null : resolveInterpreter(t)) },
    });
    const flag = path.join(a.h.root, 'ran');
    const script = `touch ${flag}\n`;
    const otherKey = crypto.generateKeyPairSync('ed25519').privateKey;
    const cases: [string, Record<string, unknown>][] = [
      [
        'signature_invalid',
        {
          ...job({ script }),
          script_content: Buffer.from(`${script}echo extra\n`).toString('base64'),
        },
      ],
      [
        'signature_invalid',
        { ...job({ script, environment: { A: '1' } }), environment: { A: '2' } },
      ],
      ['signature_invalid', { ...job({ script, timeoutSeconds: 5 }), timeout_seconds: 500 }],
      ['signature_invalid', signedJob(otherKey, { guid: engine.guid, script })],
      ['signature_invalid', { ...job({ script }), signature: '' }],
      ['wrong_device', job({ script, guid: crypto.randomUUID() })],
      ['expired', job({ script, expiresAt: Date.now() - 1_000 })],
      ['interpreter_missing', job({ script, scriptType: 'powershell' })],
      ['run_mode_unavailable', job({ script, runMode: 'current_user' })],
      ['invalid_payload', { job_id: 'x1', script_type: 'bash' }],
      ['invalid_payload', { ...job({ script }), job_id: '../../etc/passwd' }],
    ];
    for (const [code, payload] of cases) {
      expect(await engine.sendJob(payload), code).toMatchObject({
        status: 'rejected',
        error: code,
      });
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(fs.existsSync(flag)).toBe(false);
    expect(engine.results).toEqual([]);
    expect(spoolFiles(a)).toEqual([]);
    const health = a.role.healthReport();
    expect(health.status).toBe('degraded');
    expect(health.detail).toMatch(
      /0 job\(s\) running; last error: job .* rejected: invalid_payload/,
    );
    expect(a.h.lines.filter((l) => /rejected: signature_invalid/.test(l))).toHaveLength(5);
    expect(a.h.lines.join('\n')).not.toContain('touch');
  });

  it('a duplicate delivery never runs the script twice; a late one resends the spooled result', async () => {
    const a = await start();
    const counter = path.join(a.h.root, 'count');
    const j = job({ script: `echo run >> ${counter}\nsleep 0.5\necho done\n` });
    engine.resultAck = 'none';
    expect((await engine.sendJob(j))?.status).toBe('accepted');
    expect(await engine.sendJob(j)).toEqual({ job_id: j.job_id, status: 'duplicate' });
    await until(() => resultOf(j.job_id).length === 1);
    expect(spoolFiles(a)).toEqual([`${j.job_id}.json`]);
    engine.resultAck = 'ok';
    expect(await engine.sendJob(j)).toEqual({ job_id: j.job_id, status: 'duplicate' });
    await until(() => resultOf(j.job_id).length === 2 && spoolFiles(a).length === 0);
    expect(await engine.sendJob(j)).toEqual({ job_id: j.job_id, status: 'duplicate' });
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.readFileSync(counter, 'utf8')).toBe('run\n');
  });

  it('keeps a refused result spooled and retries it; resends everything unacked after reconnecting; drops an unknown job', async () => {
    const a = await start();
    engine.resultAck = 'error';
    const j1 = job({ script: 'echo one' });
    await engine.sendJob(j1);
    await until(() => resultOf(j1.job_id).length >= 2, 5_000, 'retried while connected');
    expect(spoolFiles(a)).toEqual([`${j1.job_id}.json`]);
    engine.resultAck = 'none';
    const j2 = job({ script: 'echo two' });
    await engine.sendJob(j2);
    await until(() => resultOf(j2.job_id).length === 1);
    engine.resultAck = 'ok';
    const before = a.connects;
    engine.dropSockets();
    await until(() => a.connects > before);
    await until(() => spoolFiles(a).length === 0, 5_000, 'both results acked after the reconnect');
    expect(resultOf(j2.job_id).at(-1)).toMatchObject({ status: 'Success', stdout: 'two\n' });
    // a job the engine does not know is given up at once, not retried forever
    engine.resultAck = 'unknown';
    const j3 = job({ script: 'echo three' });
    await engine.sendJob(j3);
    await until(() => resultOf(j3.job_id).length === 1 && spoolFiles(a).length === 0);
    await new Promise((r) => setTimeout(r, 700));
    expect(resultOf(j3.job_id)).toHaveLength(1);
    expect(a.h.lines.join('\n')).toMatch(
      new RegExp(`refused the result of job ${j3.job_id} for good \\(job_not_found\\)`),
    );
  });

  it('an engine restart mid-run loses nothing: progress is dropped while down, the result comes after', async () => {
    const a = await start();
    const j = job({ script: 'echo first\nsleep 1.5\necho second\n' });
    await engine.sendJob(j);
    await until(() => engine.progress.some((p) => p.data === 'first\n'));
    const old = engine;
    const port = old.tls.port;
    await old.close();
    await new Promise((r) => setTimeout(r, 2_000)); // the job finishes while the engine is down
    engine = await FakeEngine.start(old.ca, port);
    for (const t of old.accessTokens) engine.accessTokens.add(t);
    engine.jkt = old.jkt;
    engine.refreshToken = old.refreshToken;
    await until(
      () => resultOf(j.job_id).length === 1,
      10_000,
      'result delivered to the restarted engine',
    );
    expect(resultOf(j.job_id)[0]).toMatchObject({ status: 'Success', stdout: 'first\nsecond\n' });
    expect(old.results).toEqual([]);
    expect([...old.progress, ...engine.progress].map((p) => p.data)).not.toContain('second\n');
    await until(() => spoolFiles(a).length === 0);
  });

  it('quick_job_cancel kills the whole group → Canceled', async () => {
    const a = await start();
    const m = `mark-${crypto.randomUUID()}`;
    markers.push(m);
    const j = job({ script: 'echo started\nsleep 300 &\nsleep 301\n', environment: { MARKER: m } });
    await engine.sendJob(j);
    await until(() => markerPids(m).length >= 2);
    expect(a.role.runningCount()).toBe(1);
    expect(a.role.healthReport().detail).toBe('1 job(s) running');
    expect(await engine.cancelJob(j.job_id)).toEqual({
      status: 'ok',
      job_id: j.job_id,
      running: true,
    });
    await until(() => resultOf(j.job_id).length === 1);
    expect(resultOf(j.job_id)[0]).toMatchObject({ status: 'Canceled', stdout: 'started\n' });
    expect(markerPids(m)).toEqual([]);
  });

  it('a graceful stop kills running jobs and reports them Failed (agent_stopped)', async () => {
    const a = await start();
    const m = `mark-${crypto.randomUUID()}`;
    markers.push(m);
    const j = job({ script: 'sleep 300', environment: { MARKER: m } });
    await engine.sendJob(j);
    await until(() => markerPids(m).length >= 1);
    await a.role.stopAll();
    expect(markerPids(m)).toEqual([]);
    await until(() => resultOf(j.job_id).length === 1);
    expect(resultOf(j.job_id)[0]).toMatchObject({ status: 'Failed', error: 'agent_stopped' });
  });

  it('after an agent restart, interrupted jobs are reported Failed (agent_restarted) and leftovers killed', async () => {
    const m = `mark-${crypto.randomUUID()}`;
    markers.push(m);
    const ids = {
      alive: crypto.randomUUID(),
      gone: crypto.randomUUID(),
      received: crypto.randomUUID(),
      done: crypto.randomUUID(),
      recycled: crypto.randomUUID(),
    };
    const leftover = spawn('sleep', ['300'], {
      detached: true,
      stdio: 'ignore',
      env: { PATH: process.env.PATH, BOREALIS_JOB_ID: ids.alive, MARKER: m },
    });
    const deadPid = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    const a = await start({
      beforeRole: (h) => {
        // What a crashed agent leaves behind in its spool.
        const spool = new Spool(h.paths.spoolDir, { now: () => Date.now() });
        spool.load();
        const base = {
          run_mode: 'system' as const,
          script_type: 'bash' as const,
          expires_at: Date.now() + 60_000,
        };
        for (const id of Object.values(ids)) spool.receive({ ...base, job_id: id });
        spool.running(
          ids.alive,
          leftover.pid!,
          processStartTime(leftover.pid!),
          Date.now() - 5_000,
        );
        spool.running(ids.gone, Number(deadPid), '12345', Date.now() - 5_000);
        // our own pid with another start time: a recycled pid that must not be touched
        spool.running(ids.recycled, process.pid, 'not-the-same-process', Date.now() - 5_000);
        fs.mkdirSync(path.join(h.paths.tempDir, `${ids.alive}-abc123`), { recursive: true });
        fs.writeFileSync(
          path.join(h.paths.tempDir, `${ids.alive}-abc123`, 'script.sh'),
          'sleep 300',
        );
        const old = new Date(Date.now() - 60_000);
        fs.utimesSync(path.join(h.paths.tempDir, `${ids.alive}-abc123`), old, old);
        spool.complete(ids.done, {
          job_id: ids.done,
          status: 'Success',
          exit_code: 0,
          stdout: 'from before\n',
          stderr: '',
          stdout_truncated: false,
          stderr_truncated: false,
          started_at: 1,
          finished_at: 2,
        });
      },
    });
    await a.role.recovered();
    expect(markerPids(m)).toEqual([]);
    expect(fs.readdirSync(a.h.paths.tempDir)).toEqual([]);
    await until(
      () => Object.values(ids).every((id) => resultOf(id).length === 1),
      10_000,
      'all five reported',
    );
    for (const id of [ids.alive, ids.gone, ids.received, ids.recycled]) {
      expect(resultOf(id)[0]).toMatchObject({
        status: 'Failed',
        exit_code: null,
        error: 'agent_restarted',
      });
    }
    expect(resultOf(ids.alive)[0]!.started_at).toBeGreaterThan(0);
    expect(resultOf(ids.done)[0]).toMatchObject({ status: 'Success', stdout: 'from before\n' });
    await until(() => spoolFiles(a).length === 0);
    expect(await engine.sendJob(job({ script: 'echo again', jobId: ids.alive }))).toMatchObject({
      status: 'duplicate',
    });
    expect(a.h.lines.join('\n')).toMatch(/was still running from before the restart/);
  });
});
