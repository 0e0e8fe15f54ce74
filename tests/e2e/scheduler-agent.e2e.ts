// Issue 5, Done-when #2: the built engine with its scheduler clock running 30× wall time (1 s
// ticks) and a REAL `borealis-agent` enrolled into a site. An every-5-minutes job (4-minute
// expiration window) runs for 30 simulated minutes: 6 occurrences, each with one device row whose
// status is the agent's real outcome. The agent process is stopped for one window (right after
// occurrence 2 succeeds, restarted once occurrence 3's window has passed): occurrence 3 is Expired
// (device offline) and occurrence 4, after the reconnect, is Success again.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caFileOf,
  httpsJson,
  startEngineProcess,
  type EngineProcess,
} from '../../packages/engine/test/support/engine-process.js';
import { AGENT_MAIN, apiSignIn, pendingApproval, waitFor as poll } from './support/agent-env.js';

const ADMIN = { username: 'admin', password: 'e2e-Admin-Passw0rd!' };
const SCALE = 30;
const MIN = 60_000;
const EVERY = 5 * MIN;
const WINDOW = 4 * MIN;
const FINAL = ['Success', 'Failed', 'Timed Out', 'Canceled', 'Expired', 'Skipped'];

/** Real ms at which the engine's scheduler clock reads the same as the wall clock. */
const origin = Date.now();
const sim = (real = Date.now()) => origin + (real - origin) * SCALE;
const realAt = (simTs: number) => origin + (simTs - origin) / SCALE;

let engine: EngineProcess;
let auth: Record<string, string>;
let guid: string;
let assemblyGuid: string;
const agentRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-sched-agent-e2e-'));
let agentProc: ChildProcess | null = null;
let agentOut = '';

const api = (method: string, p: string, body?: unknown) => httpsJson(engine, method, p, body, auth);
const agentLog = () => {
  const log = path.join(agentRoot, 'Agent', 'Logs', 'agent.log');
  return `--- agent output ---\n${agentOut.slice(-3000)}\n--- agent.log ---\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-6000) : ''}`;
};
const waitFor = <T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms?: number,
) => poll(what, fn, ms, agentLog);

/** Starts the real agent on `agentRoot` (enrolling with `code` the first time). */
function startAgent(code?: string): void {
  const args = [AGENT_MAIN, '--server-url', engine.url, '--ca-file', caFileOf(engine.root)];
  args.push('--root', agentRoot, ...(code ? ['--installer-code', code] : []));
  const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  p.stdout.setEncoding('utf8').on('data', (d: string) => (agentOut += d));
  p.stderr.setEncoding('utf8').on('data', (d: string) => (agentOut += d));
  agentProc = p;
}

/** SIGTERM (SIGKILL after 10 s) and wait for the exit. */
async function stopAgent(): Promise<void> {
  const p = agentProc;
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

const deviceStatus = async () => (await api('GET', `/api/devices/${guid}`)).body?.status;

beforeAll(async () => {
  if (!fs.existsSync(AGENT_MAIN)) {
    throw new Error(`${AGENT_MAIN} is missing: run \`npx tsc -b packages/engine packages/agent\``);
  }
  engine = await startEngineProcess({
    env: {
      BOREALIS_ADMIN_USERNAME: ADMIN.username,
      BOREALIS_ADMIN_PASSWORD: ADMIN.password,
      BOREALIS_SCHEDULER_TICK_MS: '1000',
      BOREALIS_SCHEDULER_CLOCK_SCALE: String(SCALE),
      BOREALIS_SCHEDULER_CLOCK_ORIGIN: String(origin),
    },
  });
  ({ auth } = await apiSignIn(engine, ADMIN));
  const site = await api('POST', '/api/sites', { name: 'E2E Scheduler Agent Site' });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  startAgent(site.body.enrollment_code);
  const fingerprint = await waitFor('the agent identity key', keyFingerprint);
  const pending = await waitFor('the agent pending approval', () =>
    pendingApproval(engine, auth, fingerprint),
  );
  const approved = await api('POST', `/api/admin/device-approvals/${pending.id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const guidFile = path.join(agentRoot, 'Agent', 'Borealis', 'Settings', 'guid.txt');
  guid = await waitFor(
    'the agent GUID',
    () => fs.existsSync(guidFile) && fs.readFileSync(guidFile, 'utf8').trim(),
  );
  await waitFor('the agent Online', async () => (await deviceStatus()) === 'Online');
  const assembly = await api('POST', '/api/assemblies', {
    domain: 'user',
    assembly_kind: 'script',
    assembly_type: 'bash',
    display_name: 'Scheduler ok probe',
    script: '#!/bin/bash\necho ok\n',
    timeout_seconds: 60,
  });
  expect(assembly.status, JSON.stringify(assembly.body)).toBe(201);
  assemblyGuid = assembly.body.assembly_guid;
}, 120_000);

afterAll(async () => {
  await stopAgent();
  if (engine) {
    await engine.stop();
    fs.rmSync(engine.root, { recursive: true, force: true });
  }
  fs.rmSync(agentRoot, { recursive: true, force: true });
});

/** SHA-256 (hex) of the agent identity key's SPKI once it exists. */
function keyFingerprint(): string | false {
  const file = path.join(agentRoot, 'Agent', 'Borealis', 'Settings', 'agent_key.ed25519');
  if (!fs.existsSync(file)) return false;
  const key = crypto.createPrivateKey(fs.readFileSync(file, 'utf8'));
  const spki = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
  return crypto.createHash('sha256').update(spki).digest('hex');
}

/** One occurrence of the runs API, reduced to what the assertions look at. */
interface Occ {
  scheduled_ts: number;
  trigger: string;
  status: string;
  targets: { device_guid: string | null; status: string; error: string | null; activity: any[] }[];
}

async function occurrences(jobId: string): Promise<Occ[]> {
  const res = await api('GET', `/api/scheduled_jobs/${jobId}/runs?days=1&limit=500`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.runs as Occ[]).sort((a, b) => a.scheduled_ts - b.scheduled_ts);
}

describe('scheduler with a fast clock and a real agent', () => {
  it('every 5 minutes over 30 simulated minutes: 6 real outcomes, one offline window Expired', async () => {
    // The first occurrence on a 5-minute boundary at least 5 simulated minutes (10 s) away.
    const start = Math.ceil(sim() / EVERY) * EVERY + EVERY;
    const end = start + 30 * MIN;
    const expected = Array.from({ length: 6 }, (_, k) => start + k * EVERY);
    const created = await api('POST', '/api/scheduled_jobs', {
      name: 'every five with a real agent',
      components: [{ type: 'script', assembly_guid: assemblyGuid }],
      targets: [{ kind: 'device', guid }],
      schedule: { type: 'every_5_minutes', start: new Date(start).toISOString() },
      duration: { stopAfterEnabled: true, expiration: '4m' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const jobId: string = created.body.job.id;
    expect(created.body.job.next_run_ts).toBe(start);
    const occ = async (k: number) =>
      (await occurrences(jobId)).find((o) => o.scheduled_ts === expected[k]);
    const targetStatus = async (k: number) => (await occ(k))?.targets[0]?.status;
    const budget = (simTs: number, extraMs = 20_000) =>
      Math.max(0, realAt(simTs) - Date.now()) + extraMs;

    // Occurrence 2 (k = 1) succeeds on the live agent; then the agent goes away.
    await waitFor(
      'occurrence 2 Success',
      async () => (await targetStatus(1)) === 'Success',
      budget(expected[1]!),
    );
    await stopAgent();
    expect(agentProc?.exitCode ?? agentProc?.signalCode).not.toBeNull(); // the process is gone

    // Occurrence 3 (k = 2) fires while the agent is down; restart only after its window ended.
    await waitFor('occurrence 3 recorded', () => occ(2), budget(expected[2]!));
    await waitFor('occurrence 3 window over', () => sim() > expected[2]! + WINDOW + 15_000, 30_000);
    expect(sim()).toBeLessThan(expected[3]!); // still before the next occurrence
    const restartedAt = Date.now();
    startAgent();
    await waitFor('the device Online again', async () => (await deviceStatus()) === 'Online');

    // Let the 30 simulated minutes pass and every occurrence in them reach a final status.
    await waitFor(
      'every occurrence of the 30 minutes final',
      async () => {
        const rows = (await occurrences(jobId)).filter((o) => o.scheduled_ts < end);
        return (
          sim() >= end &&
          rows.length >= 6 &&
          rows.every(
            (o) => o.targets.length > 0 && o.targets.every((t) => FINAL.includes(t.status)),
          )
        );
      },
      budget(end, 30_000),
    ).catch(() => undefined); // the assertions below say what is wrong
    const toggled = await api('POST', `/api/scheduled_jobs/${jobId}/toggle`, { enabled: false });
    expect(toggled.status, JSON.stringify(toggled.body)).toBe(200);

    const all = await occurrences(jobId);
    // Nothing before the start; exactly the 6 boundaries of [start, start + 30 min), once each.
    expect(all.every((o) => o.scheduled_ts >= start)).toBe(true);
    const inWindow = all.filter((o) => o.scheduled_ts < end);
    expect(inWindow.map((o) => o.scheduled_ts)).toEqual(expected);
    for (const o of inWindow) {
      expect(o.trigger).toBe('schedule');
      expect(o.targets).toHaveLength(1);
      expect(o.targets[0]!.device_guid).toBe(guid);
    }
    // The offline window's run expired (in wall time) before the agent returned, and never started.
    const offline = inWindow[2]!.targets[0]!.activity[0]!;
    const act = await api('GET', `/api/device/activity/job/${offline.id}`);
    const qj = await api('GET', `/api/quick_jobs/${act.body.quick_job_id}`);
    expect(qj.body.expires_at).toBeLessThan(restartedAt);
    expect(act.body.started_at).toBeNull();
    // Real outcomes: Success from the agent, except the window it was offline for.
    expect(inWindow.map((o) => o.targets[0]!.status)).toEqual([
      'Success',
      'Success',
      'Expired',
      'Success',
      'Success',
      'Success',
    ]);
    expect(inWindow[2]!.targets[0]!.error).toMatch(/offline/i);
    expect(inWindow[2]!.status).toBe('Expired');
    // Each Success ran the script on the agent: exit code 0 and "ok" on stdout.
    for (const o of inWindow.filter((x) => x.targets[0]!.status === 'Success')) {
      const [ref] = o.targets[0]!.activity;
      expect(ref).toMatchObject({ status: 'Success', exit_code: 0, has_stdout: true });
      const run = await api('GET', `/api/device/activity/job/${ref.id}`);
      expect(run.body.stdout).toContain('ok');
    }
  }, 170_000);
});
