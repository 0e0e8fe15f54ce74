// current_user execution through the real Unix socket: the root relays a verified job to a
// verified helper, the helper checks BOTH signatures, the device and the run mode itself (a job
// the root would pass is still refused when the helper's key or the envelope differs), runs it as
// its own user and streams it back; cancel, helper loss mid-run, and a real `borealis-agent user`
// process serving jobs for the role end to end against the fake engine.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { QuickJobProgress } from '@borealis/protocol';
import { UserJobRelay } from '../src/local/job-relay.js';
import { LocalSessionServer } from '../src/local/session-server.js';
import { currentUser, UserHelperClient } from '../src/local/user-helper.js';
import { UserJobExecutor } from '../src/local/user-jobs.js';
import { AgentLog } from '../src/logging/agent-log.js';
import { FakeEngine } from './support/fake-engine.js';
import { startJobAgent, type JobAgent } from './support/job-agent.js';
import { markerPids, signedJob, until } from './support/jobs.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const AGENT_MAIN = path.join(REPO_ROOT, 'packages', 'agent', 'dist', 'main.js');
const GUID = 'a1b2c3d4-0000-4000-8000-000000000001';
const key = crypto.generateKeyPairSync('ed25519');
const spkiB64 = (k: crypto.KeyObject) =>
  k.export({ format: 'der', type: 'spki' }).toString('base64');

const cleanups: (() => Promise<void> | void)[] = [];
const markers: string[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  for (const m of markers.splice(0)) for (const pid of markerPids(m)) process.kill(pid, 'SIGKILL');
});
const marker = () => {
  const m = `mark-${crypto.randomUUID()}`;
  markers.push(m);
  return m;
};

function quietLog() {
  const lines: string[] = [];
  const log = new AgentLog({ dir: null, clock: { now: () => Date.now() }, context: 'SYSTEM' });
  log.write = (level, msg) => void lines.push(`${level} ${msg}`);
  return { log: log.root, lines };
}

/** Root socket server + relay, and an in-process helper (client + executor) on a real Unix socket. */
async function bridge(opts: { helperKey?: string; claimUid?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-userjobs-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  const groupFile = path.join(dir, 'group');
  fs.writeFileSync(groupFile, 'root:x:0:\n');
  const { log, lines } = quietLog();
  const server = new LocalSessionServer({
    runDir: path.join(dir, 'run'),
    socketFile: path.join(dir, 'run', 'agent.sock'),
    hostname: 'h',
    guid: () => GUID,
    log,
    clock: { now: () => Date.now() },
    groupFile,
  });
  await server.start();
  cleanups.push(() => server.close());
  const keyFile = path.join(dir, 'run', 'server_signing_key.pub');
  fs.writeFileSync(keyFile, `${opts.helperKey ?? spkiB64(key.publicKey)}\n`, { mode: 0o644 });
  const client = await UserHelperClient.connect(path.join(dir, 'run', 'agent.sock'));
  const me = currentUser();
  await client.hello({ ...me, uid: opts.claimUid ?? me.uid });
  const executor = new UserJobExecutor((m) => client.post(m), {
    signingKeyFile: keyFile,
    log,
    workRoot: path.join(dir, 'work'),
    killAfterMs: 500,
  });
  client.onPush((m) => executor.handle(m));
  cleanups.push(() => executor.stopAll().then(() => client.close()));
  await until(() => server.sessions().length === 1);
  const relay = new UserJobRelay(server, log, { now: () => Date.now() }, 2_000);
  return { dir, server, client, executor, relay, lines, flag: path.join(dir, 'ran') };
}

const userJob = (s: Partial<Parameters<typeof signedJob>[1]> & { script: string }) =>
  signedJob(key.privateKey, { guid: GUID, runMode: 'current_user', ...s });

describe('current_user relay (in-process helper, real socket)', () => {
  it('runs the job as the helper user and streams started / progress / result back', async () => {
    const b = await bridge();
    const session = b.relay.pick()!;
    expect(session.verified).toBe(true);
    const progress: QuickJobProgress[] = [];
    const started: number[] = [];
    const j = userJob({
      script: 'id -un\necho "$GREETING"\necho oops >&2\nexit 2\n',
      environment: { GREETING: 'hello' },
    });
    const r = await b.relay.start(session, GUID, j, {
      onStarted: (pid) => started.push(pid),
      onProgress: (p) => progress.push(p),
    });
    expect(r.accepted).toBe(true);
    const result = await (r as { done: Promise<any> }).done;
    expect(result).toMatchObject({
      job_id: j.job_id,
      status: 'Failed',
      exit_code: 2,
      stdout: `${os.userInfo().username}\nhello\n`,
      stderr: 'oops\n',
    });
    expect(started).toHaveLength(1);
    expect(progress.map((p) => p.seq)).toEqual(progress.map((_, i) => i));
    expect(b.relay.running()).toBe(0);
  });

  it('the helper verifies on its own: other key, altered envelope, other device, system mode → refused', async () => {
    const other = crypto.generateKeyPairSync('ed25519').publicKey;
    const wrongKey = await bridge({ helperKey: spkiB64(other) });
    const script = `touch ${wrongKey.flag}\n`;
    const hooks = { onStarted: () => undefined, onProgress: () => undefined };
    expect(
      await wrongKey.relay.start(wrongKey.relay.pick()!, GUID, userJob({ script }), hooks),
    ).toEqual({ accepted: false, error: 'signature_invalid' });
    const b = await bridge();
    const session = b.relay.pick()!;
    const altered = { ...userJob({ script, environment: { A: '1' } }), environment: { A: '2' } };
    expect(await b.relay.start(session, GUID, altered, hooks)).toEqual({
      accepted: false,
      error: 'signature_invalid',
    });
    expect(await b.relay.start(session, crypto.randomUUID(), userJob({ script }), hooks)).toEqual({
      accepted: false,
      error: 'wrong_device',
    });
    expect(
      await b.relay.start(session, GUID, userJob({ script, runMode: 'system' }), hooks),
    ).toEqual({ accepted: false, error: 'run_mode_unavailable' });
    await new Promise((r) => setTimeout(r, 200));
    expect(fs.existsSync(wrongKey.flag) || fs.existsSync(b.flag)).toBe(false);
    expect(b.lines.filter((l) => /rejected: signature_invalid/.test(l))).toHaveLength(1);
  });

  it('cancel reaches the helper and kills the group → Canceled', async () => {
    const b = await bridge();
    const m = marker();
    const j = userJob({ script: 'sleep 300 &\nsleep 301\n', environment: { MARKER: m } });
    const r = await b.relay.start(b.relay.pick()!, GUID, j, {
      onStarted: () => undefined,
      onProgress: () => undefined,
    });
    await until(() => markerPids(m).length >= 2);
    expect(b.relay.cancel(j.job_id)).toBe(true);
    expect(await (r as { done: Promise<any> }).done).toMatchObject({ status: 'Canceled' });
    expect(markerPids(m)).toEqual([]);
  });

  it('a helper lost mid-run: the root kills its process group and reports helper_disconnected', async () => {
    const b = await bridge();
    const m = marker();
    const j = userJob({ script: 'sleep 300', environment: { MARKER: m } });
    const r = await b.relay.start(b.relay.pick()!, GUID, j, {
      onStarted: () => undefined,
      onProgress: () => undefined,
    });
    await until(() => markerPids(m).length >= 1);
    b.client.close(); // the helper's side vanishes without cleaning up
    expect(await (r as { done: Promise<any> }).done).toMatchObject({
      status: 'Failed',
      error: 'helper_disconnected',
    });
    expect(markerPids(m)).toEqual([]);
  });

  it('an unverified helper (uid does not own its pid) is never chosen', async () => {
    const b = await bridge({ claimUid: os.userInfo().uid + 4242 });
    expect(b.server.sessions()[0]?.verified).toBe(false);
    expect(b.relay.pick()).toBeNull();
  });
});

describe('current_user jobs through a real `borealis-agent user` process', () => {
  let engine: FakeEngine;
  let agent: JobAgent;
  let helper: ChildProcess;
  let helperOut = '';

  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'packages/agent'], { cwd: REPO_ROOT, stdio: 'pipe' });
    engine = await FakeEngine.start();
    agent = await startJobAgent(engine, { withLocal: true });
    await until(() => agent.connects >= 1, 10_000, 'agent connected');
    helper = spawn(process.execPath, [AGENT_MAIN, 'user', '--root', agent.h.root], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    helper.stdout!.setEncoding('utf8').on('data', (d: string) => (helperOut += d));
    helper.stderr!.setEncoding('utf8').on('data', (d: string) => (helperOut += d));
    await until(() => agent.local!.sessions().some((s) => s.verified), 15_000, 'helper registered');
  }, 120_000);
  afterAll(async () => {
    if (helper.exitCode === null) helper.kill('SIGKILL');
    await agent.stop();
    agent.h.dispose();
    await engine.close();
    fs.rmSync(engine.ca.dir, { recursive: true, force: true });
  });

  it('runs a current_user job in the helper and reports it; the helper only sees the public key', async () => {
    const m = marker();
    const j = signedJob(engine.scriptKey.privateKey, {
      guid: engine.guid,
      runMode: 'current_user',
      script: 'id -un\necho "v=$VAR"\n',
      environment: { VAR: 'x y', MARKER: m },
    });
    expect(await engine.sendJob(j)).toEqual({ job_id: j.job_id, status: 'accepted' });
    await until(
      () => engine.results.some((r) => r.job_id === j.job_id),
      10_000,
      `result (helper said: ${helperOut})`,
    );
    expect(engine.results.find((r) => r.job_id === j.job_id)).toMatchObject({
      status: 'Success',
      stdout: `${os.userInfo().username}\nv=x y\n`,
    });
    expect(
      engine.progress
        .filter((p) => p.job_id === j.job_id)
        .map((p) => p.data)
        .join(''),
    ).toBe(`${os.userInfo().username}\nv=x y\n`);
    const shared = agent.h.paths.sharedSigningKeyFile;
    expect(fs.statSync(shared).mode & 0o777).toBe(0o644);
    expect(fs.readFileSync(shared, 'utf8').trim()).toBe(engine.signingKey);
    expect(fs.readdirSync(agent.h.paths.runDir).sort()).toEqual([
      'agent.sock',
      'server_signing_key.pub',
    ]);
    expect(helperOut).toMatch(new RegExp(`job ${j.job_id} accepted`));
  });

  it('cancel and helper loss: Canceled, then Failed helper_disconnected; afterwards run_mode_unavailable', async () => {
    const m1 = marker();
    const j1 = signedJob(engine.scriptKey.privateKey, {
      guid: engine.guid,
      runMode: 'current_user',
      script: 'sleep 300',
      environment: { MARKER: m1 },
    });
    await engine.sendJob(j1);
    await until(() => markerPids(m1).length >= 1);
    await engine.cancelJob(j1.job_id);
    await until(() => engine.results.some((r) => r.job_id === j1.job_id));
    expect(engine.results.find((r) => r.job_id === j1.job_id)).toMatchObject({
      status: 'Canceled',
    });

    const m2 = marker();
    const j2 = signedJob(engine.scriptKey.privateKey, {
      guid: engine.guid,
      runMode: 'current_user',
      script: 'sleep 300',
      environment: { MARKER: m2 },
    });
    await engine.sendJob(j2);
    await until(() => markerPids(m2).length >= 1);
    helper.kill('SIGKILL');
    await until(() => engine.results.some((r) => r.job_id === j2.job_id));
    expect(engine.results.find((r) => r.job_id === j2.job_id)).toMatchObject({
      status: 'Failed',
      error: 'helper_disconnected',
    });
    expect(markerPids(m2)).toEqual([]);
    const j3 = signedJob(engine.scriptKey.privateKey, {
      guid: engine.guid,
      runMode: 'current_user',
      script: 'true',
    });
    expect(await engine.sendJob(j3)).toEqual({
      job_id: j3.job_id,
      status: 'rejected',
      error: 'run_mode_unavailable',
    });
  });
});
