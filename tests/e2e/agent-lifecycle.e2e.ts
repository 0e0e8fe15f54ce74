// Agent lifecycle (issue 3, Done-when #1): a real engine process and a real `borealis-agent`
// process on 127.0.0.1. enroll → approve → Online within 5 s → details visible via the API →
// engine restart → the SAME agent process is back Online → revoke → the agent's access token is
// refused (403 device_revoked, proof made with the agent's own key) and its socket is dropped.
// Builds engine + agent with `tsc -b` first (a no-op when up to date).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import { accessTokenHash, createDpopProof } from '@borealis/protocol/crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  caFileOf,
  httpsJson,
  REPO_ROOT,
  startEngineProcess,
  type EngineProcess,
} from '../../packages/engine/test/support/engine-process.js';

const ADMIN = { username: 'admin', password: 'e2e-Admin-Passw0rd!' };
const AGENT_MAIN = path.join(REPO_ROOT, 'packages', 'agent', 'dist', 'main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let engine: EngineProcess;
let agent: ChildProcess;
let agentOut = '';
let agentRoot: string;
let auth: Record<string, string>;
let code: string;
let guid: string;

const settings = (name: string) => path.join(agentRoot, 'Agent', 'Borealis', 'Settings', name);
const agentLog = () => {
  const f = path.join(agentRoot, 'Agent', 'Logs', 'agent.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};
const api = (method: string, p: string, body?: unknown) => httpsJson(engine, method, p, body, auth);

/** Polls `fn` until it returns a truthy value; fails with `what` and the agent's log after `ms`. */
async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}\n--- agent.log ---\n${agentLog()}\n--- agent output ---\n${agentOut}`,
      );
    }
    await sleep(150);
  }
}

/** Admin API key through the real sign-in: password, MFA enrolment (TOTP), then POST /api/api_keys. */
async function adminApiKey(e: EngineProcess): Promise<Record<string, string>> {
  const login = await httpsJson(e, 'POST', '/api/auth/login', ADMIN);
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  expect(login.body).toMatchObject({ status: 'mfa_required', stage: 'setup' });
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
    { name: 'agent e2e', role: 'Admin' },
    { cookie, 'x-csrf-token': verify.body.csrf_token },
  );
  expect(key.status, JSON.stringify(key.body)).toBe(201);
  return { authorization: `Bearer ${key.body.key}` };
}

async function device(): Promise<any> {
  const res = await api('GET', `/api/devices/${guid}`);
  return res.status === 200 ? res.body : null;
}

const connectedCount = () => (agentLog().match(/\] socket: connected to /g) ?? []).length;

beforeAll(async () => {
  execFileSync('npx', ['tsc', '-b', 'packages/engine', 'packages/agent'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  engine = await startEngineProcess({
    env: { BOREALIS_ADMIN_USERNAME: ADMIN.username, BOREALIS_ADMIN_PASSWORD: ADMIN.password },
  });
  auth = await adminApiKey(engine);
  const site = await api('POST', '/api/sites', { name: 'Agent E2E Site' });
  expect(site.status, JSON.stringify(site.body)).toBe(201);
  code = site.body.enrollment_code;
  agentRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-e2e-'));
  agent = spawn(
    process.execPath,
    [
      AGENT_MAIN,
      '--server-url',
      engine.url,
      '--installer-code',
      code,
      '--ca-file',
      caFileOf(engine.root),
      '--root',
      agentRoot,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  agent.stdout!.setEncoding('utf8').on('data', (d: string) => (agentOut += d));
  agent.stderr!.setEncoding('utf8').on('data', (d: string) => (agentOut += d));
});

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise<number | null>((r) => agent.once('exit', (c) => r(c)));
    agent.kill('SIGTERM');
    const timer = setTimeout(() => agent.kill('SIGKILL'), 10_000);
    const codeOut = await exited;
    clearTimeout(timer);
    // Graceful shutdown: exit 0 and the last log line says so.
    expect(codeOut).toBe(0);
    expect(agentLog().trim().split('\n').at(-1)).toMatch(/\[INFO\]\[CONTEXT-SYSTEM\] stopped$/);
  }
  if (engine) {
    await engine.stop();
    fs.rmSync(engine.root, { recursive: true, force: true });
  }
  if (agentRoot) fs.rmSync(agentRoot, { recursive: true, force: true });
});

describe('agent lifecycle against a real engine', () => {
  it('enrolls, is approved, and is Online within 5 s of receiving its tokens', async () => {
    const keyPem = await waitFor(
      'the identity key',
      () =>
        fs.existsSync(settings('agent_key.ed25519')) &&
        fs.readFileSync(settings('agent_key.ed25519'), 'utf8'),
    );
    expect(fs.statSync(settings('agent_key.ed25519')).mode & 0o777).toBe(0o600);
    const spki = crypto
      .createPublicKey(crypto.createPrivateKey(keyPem))
      .export({ format: 'der', type: 'spki' });
    const fingerprint = crypto.createHash('sha256').update(spki).digest('hex');
    const pending = await waitFor('a pending approval for the agent', async () => {
      const res = await api('GET', '/api/admin/device-approvals?status=pending');
      return (res.body.approvals as any[]).find(
        (a) => a.ssl_key_fingerprint_claimed === fingerprint,
      );
    });
    expect(pending).toMatchObject({
      hostname_claimed: os.hostname(),
      code_kind: 'site',
      site_name: 'Agent E2E Site',
    });
    expect(fs.existsSync(settings('guid.txt'))).toBe(false);

    const approvedAt = Date.now();
    const approve = await api('POST', `/api/admin/device-approvals/${pending.id}/approve`, {});
    expect(approve.status, JSON.stringify(approve.body)).toBe(200);
    guid = await waitFor(
      'guid.txt',
      () =>
        fs.existsSync(settings('guid.txt')) && fs.readFileSync(settings('guid.txt'), 'utf8').trim(),
      20_000,
    );
    const tokensAt = Date.now();
    const online = await waitFor(
      'the device Online in GET /api/devices',
      async () => {
        const res = await api('GET', '/api/devices');
        return (res.body.devices as any[]).find((d) => d.guid === guid && d.status === 'Online');
      },
      10_000,
    );
    const onlineAt = Date.now();
    expect(onlineAt - tokensAt).toBeLessThanOrEqual(5_000);
    // the agent polls every poll_after_ms (5 s): approval → Online stays within one poll + 5 s
    expect(onlineAt - approvedAt).toBeLessThanOrEqual(11_000);
    expect(online).toMatchObject({
      hostname: os.hostname(),
      site_name: 'Agent E2E Site',
      device_status: 'active',
    });

    // Settings of architecture §3, private files 0600, installer code cleared after enrollment.
    for (const f of ['access.jwt', 'refresh.token', 'agent_key.ed25519', 'guid.txt']) {
      expect(fs.statSync(settings(f)).mode & 0o777, f).toBe(0o600);
    }
    expect(fs.readFileSync(settings('server_certificate.pem'), 'utf8')).toBe(engine.caPem);
    expect(fs.readFileSync(settings('server_url.txt'), 'utf8').trim()).toBe(engine.url);
    expect(fs.existsSync(settings('server_signing_key.pub'))).toBe(true);
    expect(
      JSON.parse(fs.readFileSync(settings('agent_settings.json'), 'utf8')).installer_code,
    ).toBeUndefined();
  });

  it('posts its details: summary, hardware, storage, network and installed software are visible', async () => {
    const osName = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(
      fs.readFileSync('/etc/os-release', 'utf8'),
    )?.[1];
    const d = await waitFor('device details', async () => {
      const x = await device();
      return x?.summary?.operating_system && x.software_count > 0 ? x : null;
    });
    expect(d.summary).toMatchObject({
      hostname: os.hostname(),
      operating_system: osName,
      kernel: os.release(),
      architecture: os.machine(),
    });
    expect(d.summary.last_reboot).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(d.cpu.logical_cores).toBe(os.cpus().length);
    expect(d.storage.length).toBeGreaterThan(0);
    expect(d.operating_system).toBe(osName);
    const software = await api('GET', `/api/devices/${guid}/software`);
    expect(software.status).toBe(200);
    expect(JSON.stringify(software.body)).toContain('"bash"');
    // heartbeat metrics arrive too
    const beat = await waitFor(
      'heartbeat metrics',
      async () => {
        const x = await device();
        return x?.cpu_percent !== null && x?.memory_percent !== null ? x : null;
      },
      45_000,
    );
    expect(beat.memory_percent).toBeGreaterThan(0);
  });

  it('survives an engine restart: the same agent process reconnects by itself and is Online', async () => {
    const pid = agent.pid;
    const before = connectedCount();
    expect(before).toBeGreaterThanOrEqual(1);
    await engine.restart();
    await waitFor(
      'the agent to reconnect after the restart',
      () => connectedCount() > before,
      60_000,
    );
    const d = await waitFor('Online after the restart', async () => {
      const x = await device();
      return x?.status === 'Online' ? x : null;
    });
    expect(d.guid).toBe(guid);
    expect(agent.exitCode).toBeNull();
    expect(agent.pid).toBe(pid);
    expect(agentLog()).toMatch(/connection lost|cannot connect/);
  });

  it('revoke: the old access token is refused with device_revoked and the socket is dropped', async () => {
    const token = fs.readFileSync(settings('access.jwt'), 'utf8').trim();
    const key = crypto.createPrivateKey(fs.readFileSync(settings('agent_key.ed25519'), 'utf8'));
    const revoked = await api('POST', `/api/devices/${guid}/revoke`);
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expect(revoked.body).toMatchObject({ guid, status: 'revoked' });

    const proof = createDpopProof(key, {
      htm: 'POST',
      htu: `${engine.url}/api/agent/heartbeat`,
      iat: Math.floor(Date.now() / 1000),
      jti: crypto.randomUUID(),
      ath: accessTokenHash(token),
    });
    const beat = await httpsJson(
      engine,
      'POST',
      '/api/agent/heartbeat',
      { guid, hostname: os.hostname(), metrics: {} },
      { authorization: `DPoP ${token}`, dpop: proof },
    );
    expect(beat.status).toBe(403);
    expect(beat.body).toMatchObject({ error: 'device_revoked' });

    await waitFor('the agent to log the dropped socket', () =>
      /engine is disconnecting this agent: device_revoked/.test(agentLog()),
    );
    await waitFor('the agent to give up the revoked tokens', () =>
      /discarding tokens and enrolling again/.test(agentLog()),
    );
    expect((await device())?.device_status).toBe('revoked');
    expect(fs.existsSync(settings('refresh.token'))).toBe(false);
    expect(agent.exitCode).toBeNull();
    // No secret ever reached the agent's logs.
    const logs = fs
      .readdirSync(path.join(agentRoot, 'Agent', 'Logs'))
      .map((f) => fs.readFileSync(path.join(agentRoot, 'Agent', 'Logs', f), 'utf8'))
      .join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(code);
    expect(logs).not.toContain('PRIVATE KEY');
  });
});
