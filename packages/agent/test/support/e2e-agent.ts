// Shared by the job e2e suites (tests/e2e/jobs-*.e2e.ts): a real engine process with an admin API
// key, a real `borealis-agent` process enrolled and approved through the API (stoppable and
// restartable on the same root), and the job API calls: create an assembly, quick_run, poll a run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import { expect } from 'vitest';
import {
  caFileOf,
  httpsJson,
  REPO_ROOT,
  startEngineProcess,
  type EngineProcess,
  type JsonResponse,
} from '../../../engine/test/support/engine-process.js';

export const ADMIN = { username: 'admin', password: 'e2e-Admin-Passw0rd!' };
const AGENT_MAIN = path.join(REPO_ROOT, 'packages', 'agent', 'dist', 'main.js');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FINAL = ['Success', 'Failed', 'Timed Out', 'Canceled', 'Expired'];

export interface E2eAgent {
  root: string;
  guid: string;
  spoolDir: string;
  log(): string;
  output(): string;
  running(): boolean;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** Starts the process again on the same root (settings, identity, tokens and spool stay). */
  start(): void;
}

export interface JobWorld {
  engine: EngineProcess;
  agent: E2eAgent;
  api(method: string, p: string, body?: unknown): Promise<JsonResponse>;
  waitFor<T>(
    what: string,
    fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
    ms?: number,
  ): Promise<T>;
  dispose(): Promise<void>;
}

async function adminApiKey(e: EngineProcess): Promise<Record<string, string>> {
  const login = await httpsJson(e, 'POST', '/api/auth/login', ADMIN);
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const verify = await httpsJson(e, 'POST', '/api/auth/mfa/verify', {
    pending_token: login.body.pending_token,
    code: await generate({ secret: login.body.secret }),
  });
  expect(verify.status, JSON.stringify(verify.body)).toBe(200);
  const cookie = String([verify.headers['set-cookie']].flat()[0]).split(';')[0]!;
  const key = await httpsJson(
    e,
    'POST',
    '/api/api_keys',
    { name: 'jobs e2e', role: 'Admin' },
    { cookie, 'x-csrf-token': verify.body.csrf_token },
  );
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return { authorization: `Bearer ${key.body.key}` };
}

/** Builds engine + agent, starts the engine, enrolls one real agent and waits until it is Online. */
export async function startJobWorld(): Promise<JobWorld> {
  execFileSync('npx', ['tsc', '-b', 'packages/engine', 'packages/agent'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  const engine = await startEngineProcess({
    env: { BOREALIS_ADMIN_USERNAME: ADMIN.username, BOREALIS_ADMIN_PASSWORD: ADMIN.password },
  });
  const auth = await adminApiKey(engine);
  const api = (method: string, p: string, body?: unknown) =>
    httpsJson(engine, method, p, body, auth);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-jobs-e2e-'));
  const logFile = path.join(root, 'Agent', 'Logs', 'agent.log');
  let out = '';
  let proc: ChildProcess | null = null;
  const launch = (extra: string[]) => {
    const args = [
      AGENT_MAIN,
      '--server-url',
      engine.url,
      '--ca-file',
      caFileOf(engine.root),
      '--root',
      root,
      ...extra,
    ];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc = p;
  };
  const agentLog = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  const waitFor: JobWorld['waitFor'] = async (what, fn, ms = 20_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${what}\n--- agent.log ---\n${agentLog().slice(-6000)}\n--- agent output ---\n${out.slice(-3000)}`,
        );
      }
      await sleep(150);
    }
  };

  const site = await api('POST', '/api/sites', { name: 'Jobs E2E Site' });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  launch(['--installer-code', site.body.enrollment_code]);
  const pending = await waitFor('a pending approval', async () => {
    const res = await api('GET', '/api/admin/device-approvals?status=pending');
    return (res.body.approvals as any[])?.[0];
  });
  const approved = await api('POST', `/api/admin/device-approvals/${pending.id}/approve`, {});
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  const guidFile = path.join(root, 'Agent', 'Borealis', 'Settings', 'guid.txt');
  const guid = await waitFor(
    'guid.txt',
    () => fs.existsSync(guidFile) && fs.readFileSync(guidFile, 'utf8').trim(),
  );
  const world: JobWorld = {
    engine,
    api,
    waitFor,
    agent: {
      root,
      guid,
      spoolDir: path.join(root, 'Agent', 'Borealis', 'Spool'),
      log: agentLog,
      output: () => out,
      running: () => proc !== null && proc.exitCode === null && proc.signalCode === null,
      stop: async () => {
        const p = proc;
        if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null;
        const exited = new Promise<number | null>((r) => p.once('exit', (c) => r(c)));
        p.kill('SIGTERM');
        const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(timer);
        return code;
      },
      start: () => launch([]),
    },
    dispose: async () => {
      await world.agent.stop();
      await engine.stop();
      fs.rmSync(engine.root, { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  await waitFor(
    'the device Online',
    async () => (await api('GET', `/api/devices/${guid}`)).body?.status === 'Online',
  );
  return world;
}

/** POST /api/assemblies (user domain, bash) → assembly_guid. */
export async function createAssembly(w: JobWorld, body: Record<string, unknown>): Promise<string> {
  const res = await w.api('POST', '/api/assemblies', {
    domain: 'user',
    assembly_kind: 'script',
    assembly_type: 'bash',
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.assembly_guid as string;
}

/** POST /api/scripts/quick_run for this world's device → the run's job id (and its first status). */
export async function quickRun(
  w: JobWorld,
  body: Record<string, unknown>,
): Promise<{ jobId: string; status: string }> {
  const res = await w.api('POST', '/api/scripts/quick_run', { guids: [w.agent.guid], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.results).toHaveLength(1);
  return { jobId: res.body.results[0].job_id, status: res.body.results[0].status };
}

export async function getRun(w: JobWorld, jobId: string): Promise<any> {
  const res = await w.api('GET', `/api/device/activity/job/${jobId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Polls the run until it reaches `statuses` (default: any final status). */
export function waitRun(w: JobWorld, jobId: string, ms = 30_000, statuses = FINAL): Promise<any> {
  return w.waitFor(
    `job ${jobId} to reach ${statuses.join('/')}`,
    async () => {
      const run = await getRun(w, jobId);
      return statuses.includes(run.status) ? run : null;
    },
    ms,
  );
}
