// End-to-end: the BUILT `borealis` CLI (node packages/cli/dist/main.js) as a child process against
// a real engine process. Covers login with MFA setup (TOTP from the printed secret) trusting the
// engine CA file, whoami, sites, installer codes, users, CSRF on session writes, API-key login
// with a pinned root fingerprint (no CSRF needed), a refused wrong pin, API errors, and logout.
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENROLLMENT_CODE_RE,
  InstallerCodeListSchema,
  InstallerCodeSchema,
  SiteListSchema,
  UserListSchema,
} from '@borealis/protocol';
import {
  httpsJson,
  startEngineProcess,
  type EngineProcess,
} from '../../engine/test/support/engine-process.js';

const CLI_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ADMIN = 'admin';
const ADMIN_PASSWORD = 'cli-e2e-admin-password-1';
const NEW_USER_PASSWORD = 'operator-one-password-22';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface RunOptions {
  config: string;
  env?: Record<string, string>;
  /** Lines written to stdin up front (stdin is closed afterwards unless `converse` is given). */
  input?: string[];
  /** Called with stderr so far whenever it grows; may return a line to write to stdin. */
  converse?: (stderr: string) => string | undefined;
}

let engine: EngineProcess;
let tmp: string;
let caFile: string;
let caFingerprintColons: string;
let totpSecret = '';
let sessionCookie = '';
const transcript: string[] = [];

function runCli(args: string[], opts: RunOptions): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')),
  );
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    env: { ...base, HOME: tmp, BOREALIS_CLI_CONFIG: opts.config, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    const reply = opts.converse?.(stderr);
    if (reply !== undefined) child.stdin.end(`${reply}\n`);
  });
  for (const line of opts.input ?? []) child.stdin.write(`${line}\n`);
  if (!opts.converse) child.stdin.end();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      transcript.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

const configIn = (name: string) => path.join(tmp, name, 'cli.json');
const readConfig = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

beforeAll(async () => {
  if (!fs.existsSync(CLI_MAIN))
    throw new Error(`${CLI_MAIN} is missing: run npx tsc -b packages/cli`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-cli-e2e-'));
  engine = await startEngineProcess({
    env: { BOREALIS_ADMIN_USERNAME: ADMIN, BOREALIS_ADMIN_PASSWORD: ADMIN_PASSWORD },
  });
  caFile = path.join(tmp, 'engine-ca.pem');
  fs.writeFileSync(caFile, engine.caPem);
  caFingerprintColons = new X509Certificate(engine.caPem).fingerprint256;
});

afterAll(async () => {
  await engine?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (engine) fs.rmSync(engine.root, { recursive: true, force: true });
});

describe('borealis CLI against a real engine', () => {
  const admin = () => configIn('admin');
  let siteId = '';
  let apiKey = '';

  it('logs in with a password and sets up MFA from the printed secret, trusting --ca-file', async () => {
    const res = await runCli(
      ['login', '--server', engine.url, '--ca-file', caFile, '--username', ADMIN],
      {
        config: admin(),
        input: [ADMIN_PASSWORD],
        converse: (stderr) => {
          const m = /secret:\s+([A-Z2-7]+)\s/.exec(stderr);
          if (!m || totpSecret) return undefined;
          totpSecret = m[1]!;
          return generateSync({ secret: totpSecret });
        },
      },
    );
    expect(res.stderr).toContain('otpauth URL: otpauth://totp/');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`Logged in to ${engine.url} as ${ADMIN} (Admin).\n`);
    expect(fs.statSync(admin()).mode & 0o777).toBe(0o600);
    const cfg = readConfig(admin());
    expect(cfg).toMatchObject({ server_url: engine.url, ca_file: caFile });
    expect(cfg.auth.type).toBe('session');
    expect(cfg.auth.cookie.length).toBeGreaterThan(16);
    sessionCookie = cfg.auth.cookie;
    expect(cfg.auth.csrf_token.length).toBeGreaterThan(8);
  });

  it('whoami shows the signed-in account (table and --json without the CSRF token)', async () => {
    const table = await runCli(['whoami'], { config: admin() });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Username:\s+admin$/m);
    expect(table.stdout).toMatch(/^Role:\s+Admin$/m);
    expect(table.stdout).toMatch(/^Signed in with:\s+session$/m);
    const json = await runCli(['whoami', '--json'], { config: admin() });
    const me = JSON.parse(json.stdout);
    expect(me).toMatchObject({ username: ADMIN, role: 'Admin', auth: 'session' });
    expect(me).not.toHaveProperty('csrf_token');
  });

  it('creates a site and lists it as a table and as JSON', async () => {
    const created = await runCli(['sites', 'create', 'Head Office', '--description', 'HQ racks'], {
      config: admin(),
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^Created site Head Office\.$/m);
    expect(created.stdout).toMatch(/^Enrollment code:\s+[0-9A-F]{4}(-[0-9A-F]{4}){7}$/m);

    const table = await runCli(['sites', 'list'], { config: admin() });
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+DEVICES\s+ENROLLMENT CODE\s+CREATED\s+DESCRIPTION$/);
    const row = rows.find((r) => r.includes('Head Office'));
    expect(row).toMatch(/Head Office\s+0\s+[0-9A-F-]{39}\s+\d{4}-\d\d-\d\d \S+\s+HQ racks$/);
    // Columns line up: the NAME header starts where each name starts.
    expect(row!.indexOf('Head Office')).toBe(header!.indexOf('NAME'));

    const json = await runCli(['--json', 'sites', 'list'], { config: admin() });
    const sites = SiteListSchema.parse(JSON.parse(json.stdout)).sites;
    const site = sites.find((s) => s.name === 'Head Office');
    expect(site?.description).toBe('HQ racks');
    expect(site?.enrollment_code).toMatch(ENROLLMENT_CODE_RE);
    siteId = site!.id;
  });

  it('sends X-CSRF-Token with session writes (a wrong token is rejected)', async () => {
    const tampered = configIn('tampered');
    fs.mkdirSync(path.dirname(tampered), { recursive: true });
    const cfg = readConfig(admin());
    fs.writeFileSync(
      tampered,
      JSON.stringify({ ...cfg, auth: { ...cfg.auth, csrf_token: 'wrong' } }),
    );
    const res = await runCli(['sites', 'create', 'Should Not Exist'], { config: tampered });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: .+ \(csrf_failed\)\n$/);
  });

  it('creates, lists, filters and deletes installer codes', async () => {
    const created = await runCli(
      ['codes', 'create', '--ttl-hours', '2', '--max-uses', '3', '--site', siteId, '--json'],
      { config: admin() },
    );
    expect(created.code).toBe(0);
    const code = InstallerCodeSchema.parse(JSON.parse(created.stdout));
    expect(code).toMatchObject({ max_uses: 3, use_count: 0, site_id: siteId, status: 'active' });
    expect(Math.abs(code.expires_at - code.created_at - 2 * 3600_000)).toBeLessThan(5_000);

    const table = await runCli(['codes', 'list'], { config: admin() });
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^ID\s+CODE\s+STATUS\s+USES\s+SITE\s+EXPIRES\s+CREATED BY$/,
    );
    const row = table.stdout.split('\n').find((l) => l.startsWith(code.id));
    expect(row).toMatch(/\sactive\s+0\/3\s+Head Office\s+.*\sadmin$/);

    const expired = await runCli(['codes', 'list', '--status', 'expired'], { config: admin() });
    expect(expired.stdout).toBe('No expired installer codes.\n');

    const deleted = await runCli(['codes', 'delete', code.id], { config: admin() });
    expect(deleted).toMatchObject({ code: 0, stdout: `Deleted installer code ${code.id}.\n` });
    const after = await runCli(['codes', 'list', '--json'], { config: admin() });
    expect(InstallerCodeListSchema.parse(JSON.parse(after.stdout)).codes).toEqual([]);
  });

  it('creates a user with --password-stdin, lists users and changes the role', async () => {
    const created = await runCli(
      [
        'users',
        'create',
        'operator1',
        '--role',
        'operator',
        '--display-name',
        'Op One',
        '--password-stdin',
      ],
      { config: admin(), input: [NEW_USER_PASSWORD] },
    );
    expect(created.stderr).toBe('');
    expect(created).toMatchObject({ code: 0, stdout: 'Created user operator1 (Operator).\n' });

    const table = await runCli(['users', 'list'], { config: admin() });
    expect(table.stdout.split('\n')[0]).toMatch(
      /^USERNAME\s+DISPLAY NAME\s+ROLE\s+MFA\s+LAST LOGIN\s+CREATED$/,
    );
    expect(table.stdout).toMatch(/^operator1\s+Op One\s+Operator\s/m);

    const role = await runCli(['users', 'set-role', 'operator1', 'Viewer'], { config: admin() });
    expect(role).toMatchObject({ code: 0, stdout: 'operator1 is now Viewer.\n' });
    const json = await runCli(['users', 'list', '--json'], { config: admin() });
    const users = UserListSchema.parse(JSON.parse(json.stdout)).users;
    expect(users.find((u) => u.username === 'operator1')?.role).toBe('Viewer');
  });

  it('prints API errors as "error: <message> (<code>)" and exits 1', async () => {
    const res = await runCli(['sites', 'rename', 'no-such-site', 'Renamed'], { config: admin() });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toMatch(/^error: .+ \(site_not_found\)\n$/);
  });

  it('logs in with an API key pinned by root fingerprint; writes need no CSRF token', async () => {
    const cfg = readConfig(admin());
    const made = await httpsJson(
      engine,
      'POST',
      '/api/api_keys',
      { name: 'cli-e2e', role: 'Admin' },
      {
        cookie: `borealis_session=${cfg.auth.cookie}`,
        'x-csrf-token': cfg.auth.csrf_token,
      },
    );
    expect(made.status).toBe(201);
    apiKey = made.body.key as string;

    const keyed = configIn('api-key');
    const login = await runCli(
      ['login', '--server', engine.url, '--ca-fingerprint', caFingerprintColons, '--api-key', '-'],
      { config: keyed, input: [apiKey] },
    );
    expect(login.stderr).toBe('');
    expect(login).toMatchObject({
      code: 0,
      stdout: `Logged in to ${engine.url} as ${ADMIN} (Admin) with an API key.\n`,
    });
    const stored = readConfig(keyed);
    expect(stored.auth).toEqual({ type: 'api_key', key: apiKey });
    expect(stored.ca_fingerprint).toBe(caFingerprintColons.replaceAll(':', '').toLowerCase());
    expect(stored).not.toHaveProperty('ca_file');

    const created = await runCli(['sites', 'create', 'Branch'], { config: keyed });
    expect(created.code).toBe(0);
    const renamed = await runCli(['sites', 'rename', siteId, 'Head Office East'], {
      config: keyed,
    });
    expect(renamed.stdout).toContain('to Head Office East.');
  });

  it('uses BOREALIS_URL, BOREALIS_API_KEY and BOREALIS_CA_FILE without a config file', async () => {
    const res = await runCli(['sites', 'list', '--json'], {
      config: configIn('empty'),
      env: { BOREALIS_URL: engine.url, BOREALIS_API_KEY: apiKey, BOREALIS_CA_FILE: caFile },
    });
    expect(res.code).toBe(0);
    const names = SiteListSchema.parse(JSON.parse(res.stdout)).sites.map((s) => s.name);
    expect(names.sort()).toEqual(['Branch', 'Head Office East']);
    expect(fs.existsSync(configIn('empty'))).toBe(false);
  });

  it('refuses to connect when --ca-fingerprint does not match the engine root CA', async () => {
    const pinned = configIn('wrong-pin');
    const res = await runCli(
      ['login', '--server', engine.url, '--ca-fingerprint', '00'.repeat(32), '--api-key', '-'],
      { config: pinned, input: [apiKey] },
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /^error: The server's root CA fingerprint .+ \(ca_fingerprint_mismatch\)\n$/,
    );
    expect(fs.existsSync(pinned)).toBe(false);
  });

  it('logs out: the server session ends and the credential is forgotten', async () => {
    const cookie = readConfig(admin()).auth.cookie as string;
    const res = await runCli(['logout'], { config: admin() });
    expect(res).toMatchObject({ code: 0, stdout: `Logged out of ${engine.url}.\n` });
    expect(readConfig(admin())).not.toHaveProperty('auth');
    const me = await httpsJson(engine, 'GET', '/api/auth/me', undefined, {
      cookie: `borealis_session=${cookie}`,
    });
    expect(me.status).toBe(401);
    const who = await runCli(['whoami'], { config: admin() });
    expect(who.code).toBe(1);
    expect(who.stderr).toMatch(/\(not_logged_in\)\n$/);
  });

  it('never printed a password, the TOTP secret outside setup, a session cookie or the API key', () => {
    const all = transcript.join('\n');
    expect(all).not.toContain(ADMIN_PASSWORD);
    expect(all).not.toContain(NEW_USER_PASSWORD);
    expect(all).not.toContain(apiKey);
    expect(all).not.toContain(sessionCookie);
    expect(all.split(totpSecret).length - 1).toBe(2); // the setup prompt: secret + otpauth URL
  });
});
