// The command tree run in-process with captured output: usage errors exit 2 before any network
// access, runtime and API failures exit 1 with `error: <message> (<code>)`, and an API-key login
// against a local TLS server stores the key 0600 and never prints it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli-context.js';
import { createPrompter } from '../src/prompt.js';
import { run } from '../src/program.js';
import { Readable } from 'node:stream';
import { makePki, startTestServer, type TestPki, type TestServer } from './support/test-pki.js';

const ME = { username: 'robot', display_name: 'Robot', role: 'Admin', auth: 'api_key' };

let dir: string;
let pki: TestPki;
let server: TestServer;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-cli-prog-'));
  pki = await makePki();
  fs.writeFileSync(path.join(dir, 'ca.pem'), pki.caPem);
  server = await startTestServer(pki, (req) => {
    if (req.headers.authorization !== 'Bearer good-key') {
      return {
        status: 401,
        body: { error: 'unauthorized', message: 'Sign in or send a valid API key.' },
      };
    }
    if (req.url === '/api/auth/me') return { status: 200, body: ME };
    if (req.url === '/api/sites/delete') {
      return { status: 404, body: { error: 'site_not_found', message: 'No site with id nope.' } };
    }
    return { status: 404, body: { error: 'not_found', message: 'No such route.' } };
  });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const input = Readable.from([opts.stdin ?? '']) as unknown as NodeJS.ReadStream;
  const prompter = createPrompter(input, { write: () => true } as unknown as NodeJS.WritableStream);
  const io: CliIo = {
    env: { BOREALIS_CLI_CONFIG: path.join(dir, 'cli.json'), ...opts.env },
    output: { out: (t) => void (stdout += t), err: (t) => void (stderr += t) },
    prompter: () => prompter,
    close: () => prompter.close(),
  };
  const code = await run(['node', 'borealis', ...args], io);
  io.close();
  return { code, stdout, stderr };
}

describe('usage errors exit 2', () => {
  it.each([
    [['nonsense']],
    [['sites', 'list', '--bogus']],
    [['users', 'set-role', 'bob', 'superuser']],
    [['users', 'create', 'bob']],
    [['users', 'mfa', 'bob']],
    [['users', 'mfa', 'bob', '--enable', '--disable']],
    [['codes', 'create', '--ttl-hours', '25']],
    [['codes', 'create', '--max-uses', '0']],
    [['codes', 'list', '--status', 'pending']],
    [['login', '--server', 'http://127.0.0.1:5000', '--api-key', 'k']],
    [['login', '--server', 'https://127.0.0.1:5000', '--ca-fingerprint', 'abc', '--api-key', 'k']],
    [[]],
  ])('borealis %j', async (args) => {
    const before = server.seen.length;
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/error:|Usage:/);
    expect(server.seen.length).toBe(before);
  });
});

describe('runtime failures exit 1', () => {
  it('says how to log in when nothing is configured', async () => {
    const res = await cli(['sites', 'list']);
    expect(res).toMatchObject({ code: 1, stdout: '' });
    expect(res.stderr).toMatch(/^error: .*borealis login.* \(not_logged_in\)\n$/);
  });

  it('refuses an API key the server rejects and stores nothing', async () => {
    const res = await cli([
      'login',
      '--server',
      server.url,
      '--ca-file',
      path.join(dir, 'ca.pem'),
      '--api-key',
      'bad-key',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe('error: Sign in or send a valid API key. (unauthorized)\n');
    expect(fs.existsSync(path.join(dir, 'cli.json'))).toBe(false);
  });
});

describe('API-key login', () => {
  it('verifies the key, stores it 0600 without printing it, and uses it afterwards', async () => {
    const login = await cli(
      ['login', '--server', server.url, '--ca-file', path.join(dir, 'ca.pem'), '--api-key', '-'],
      {
        stdin: 'good-key\n',
      },
    );
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toBe(`Logged in to ${server.url} as robot (Admin) with an API key.\n`);
    const file = path.join(dir, 'cli.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({
      server_url: server.url,
      ca_file: path.join(dir, 'ca.pem'),
      auth: { type: 'api_key', key: 'good-key' },
    });

    const who = await cli(['whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toEqual({ server_url: server.url, ...ME });
    expect(who.stdout + who.stderr).not.toContain('good-key');

    const del = await cli(['sites', 'delete', 'nope']);
    expect(del).toMatchObject({ code: 1, stdout: '' });
    expect(del.stderr).toBe('error: No site with id nope. (site_not_found)\n');
    expect(JSON.parse(server.seen.at(-1)!.body)).toEqual({ ids: ['nope'] });

    const out = await cli(['logout']);
    expect(out.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).not.toHaveProperty('auth');
  });
});
