// Helpers for e2e suites that need enrolled agents: polling with a deadline, an admin API key
// through the real sign-in (keeping the TOTP secret for a later browser sign-in), a REAL
// `borealis-agent` child process on a temp root, and the pending approval of a key.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import {
  caFileOf,
  httpsJson,
  REPO_ROOT,
  type EngineProcess,
} from '../../../packages/engine/test/support/engine-process.js';

export const AGENT_MAIN = path.join(REPO_ROOT, 'packages', 'agent', 'dist', 'main.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every 200 ms until it returns a truthy value; fails after `ms` naming `what`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 30_000,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await sleep(200);
  }
}

/** Password + TOTP enrolment over the API, then an Admin API key. Returns both secrets. */
export async function apiSignIn(
  engine: EngineProcess,
  admin: { username: string; password: string },
): Promise<{ auth: Record<string, string>; mfaSecret: string }> {
  const login = await httpsJson(engine, 'POST', '/api/auth/login', admin);
  if (login.body?.stage !== 'setup')
    throw new Error(`unexpected login: ${JSON.stringify(login.body)}`);
  const mfaSecret: string = login.body.secret;
  const verify = await httpsJson(engine, 'POST', '/api/auth/mfa/verify', {
    pending_token: login.body.pending_token,
    code: await generate({ secret: mfaSecret }),
  });
  if (verify.status !== 200) throw new Error(`MFA verify failed: ${JSON.stringify(verify.body)}`);
  const cookie = String([verify.headers['set-cookie']].flat()[0]).split(';')[0]!;
  const key = await httpsJson(
    engine,
    'POST',
    '/api/api_keys',
    { name: 'e2e', role: 'Admin' },
    { cookie, 'x-csrf-token': verify.body.csrf_token },
  );
  if (key.status !== 201) throw new Error(`API key failed: ${JSON.stringify(key.body)}`);
  return { auth: { authorization: `Bearer ${key.body.key}` }, mfaSecret };
}

/** The approval still pending for the agent key with this SPKI fingerprint, if any. */
export async function pendingApproval(
  engine: EngineProcess,
  auth: Record<string, string>,
  fingerprint: string,
): Promise<any> {
  const res = await httpsJson(
    engine,
    'GET',
    '/api/admin/device-approvals?status=pending',
    undefined,
    auth,
  );
  return (res.body.approvals as any[]).find((a) => a.ssl_key_fingerprint_claimed === fingerprint);
}

/** A real `borealis-agent` process enrolling with `code` into `engine` (pinned to its CA). */
export class AgentProcess {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-e2e-'));
  private readonly child: ChildProcess;
  private out = '';

  constructor(engine: EngineProcess, code: string) {
    if (!fs.existsSync(AGENT_MAIN)) {
      throw new Error(
        `${AGENT_MAIN} is missing: run \`npx tsc -b packages/engine packages/agent\``,
      );
    }
    this.child = spawn(
      process.execPath,
      [
        AGENT_MAIN,
        ...['--server-url', engine.url, '--installer-code', code],
        ...['--ca-file', caFileOf(engine.root), '--root', this.root],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
  }

  settings(name: string): string {
    return path.join(this.root, 'Agent', 'Borealis', 'Settings', name);
  }

  /** stdout/stderr and Agent/Logs/agent.log so far, for failure messages. */
  output(): string {
    const log = path.join(this.root, 'Agent', 'Logs', 'agent.log');
    return `--- agent output ---\n${this.out}\n--- agent.log ---\n${fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : ''}`;
  }

  /** SHA-256 (hex) of the identity key's SPKI once the agent has generated it. */
  fingerprint(): string | false {
    if (!fs.existsSync(this.settings('agent_key.ed25519'))) return false;
    const key = crypto.createPrivateKey(
      fs.readFileSync(this.settings('agent_key.ed25519'), 'utf8'),
    );
    const spki = crypto.createPublicKey(key).export({ format: 'der', type: 'spki' });
    return crypto.createHash('sha256').update(spki).digest('hex');
  }

  /** The GUID once the agent has been approved and stored it. */
  guid(): string | false {
    const file = this.settings('guid.txt');
    return fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim();
  }

  /** SIGTERM (SIGKILL after 10 s), then removes the temp root. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
