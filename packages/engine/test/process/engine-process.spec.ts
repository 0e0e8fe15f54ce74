// The built engine as a real process: HTTPS with its own CA (TLS 1.3 only), log files on disk,
// CA reuse across restarts, one-line config errors, the one-time setup URL, and that no secret
// (password, TOTP secret, tokens, cookie, API key, codes) ever reaches a file under Engine/Logs.
// Needs `npm run build` (or `npx tsc -b packages/engine`) first.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { generateSync } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENGINE_MAIN,
  httpsJson,
  startEngineProcess,
  type EngineProcess,
} from '../support/engine-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function logsDir(e: EngineProcess): string {
  return path.join(e.root, 'Engine', 'Logs');
}

/** Every regular file under `dir`, recursively, with its content. */
function readTree(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...readTree(p));
    else if (entry.isFile()) out.push({ file: p, text: fs.readFileSync(p, 'latin1') });
  }
  return out;
}

/** Waits (bounded) until `file` contains `text`: log lines reach the disk asynchronously. */
async function untilFileHas(file: string, text: string, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const content = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (content.includes(text) || Date.now() > deadline) return content;
    await sleep(50);
  }
}

function handshake(e: EngineProcess, versions: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port: e.port, ca: e.caPem, ...versions },
      () => {
        const protocol = socket.getProtocol() ?? 'unknown';
        socket.end();
        resolve(protocol);
      },
    );
    socket.once('error', reject);
  });
}

function fingerprintOfCa(e: EngineProcess): string {
  return new crypto.X509Certificate(e.caPem).fingerprint256;
}

describe('engine process', () => {
  let e: EngineProcess;
  beforeAll(async () => {
    e = await startEngineProcess();
  }, 60_000);
  afterAll(async () => {
    await e?.stop();
    if (e) fs.rmSync(e.root, { recursive: true, force: true });
  });

  it('answers GET /health over HTTPS verified against its own root CA', async () => {
    const res = await httpsJson(e, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', version: expect.any(String) });
    expect(e.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('refuses a TLS 1.2 client and accepts TLS 1.3', async () => {
    await expect(handshake(e, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).rejects.toThrow(
      /protocol version|unsupported protocol|wrong version|handshake/i,
    );
    expect(await handshake(e, { minVersion: 'TLSv1.3' })).toBe('TLSv1.3');
  });

  it('writes engine.log and api.log under Engine/Logs, and api.log grows with each /api request', async () => {
    const engineLog = path.join(logsDir(e), 'engine.log');
    const apiLog = path.join(logsDir(e), 'api.log');
    expect(fs.readFileSync(engineLog, 'utf8')).toMatch(
      /-engine-INFO: Borealis Engine .* listening on https:\/\//,
    );
    const before = fs.existsSync(apiLog) ? fs.statSync(apiLog).size : 0;
    const res = await httpsJson(e, 'GET', '/api/server/time');
    expect(res.status).toBe(401);
    const text = await untilFileHas(apiLog, 'path=/api/server/time status=401');
    expect(text).toMatch(
      /-api-INFO: client=127\.0\.0\.1 method=GET path=\/api\/server\/time status=401 success=false duration_ms=\d+\.\d/,
    );
    expect(fs.statSync(apiLog).size).toBeGreaterThan(before);
  });

  it('prints a one-time setup URL on stdout that never reaches a log file, and the link works', async () => {
    const m =
      /First admin setup \(one-time link\): (https:\/\/\S+)\/setup#token=([A-Za-z0-9_-]+)/.exec(
        e.output(),
      );
    expect(m, e.output()).not.toBeNull();
    expect(m![1]).toBe(e.url);
    const token = m![2]!;
    expect(fs.readFileSync(path.join(logsDir(e), 'engine.log'), 'utf8')).toContain(
      '/setup#token=<one-time token>',
    );

    const password = `setup-pass-${Date.now()}-Zq`;
    const res = await httpsJson(e, 'POST', '/api/auth/setup', {
      token,
      username: 'firstadmin',
      password,
    });
    expect(res.status).toBe(201);
    await untilFileHas(path.join(logsDir(e), 'api.log'), 'path=/api/auth/setup');
    for (const { file, text } of readTree(logsDir(e))) {
      expect(text.includes(token), `token in ${file}`).toBe(false);
      expect(text.includes(password), `password in ${file}`).toBe(false);
    }
  });

  it('restarts with the same root CA and prints its fingerprint at every start', async () => {
    const fingerprint = fingerprintOfCa(e);
    const engineLog = path.join(logsDir(e), 'engine.log');
    const sizeBefore = fs.statSync(engineLog).size;
    expect(e.output()).toContain(`SHA-256 fingerprint ${fingerprint}`);
    const caBefore = e.caPem;
    await e.restart();
    expect(e.caPem).toBe(caBefore);
    expect(e.output().split(`SHA-256 fingerprint ${fingerprint}`).length - 1).toBe(2);
    expect(fs.statSync(engineLog).size).toBeGreaterThan(sizeBefore);
    expect((await httpsJson(e, 'GET', '/health')).status).toBe(200);
    // The admin created through the setup link survives: no new setup link is printed.
    expect(e.output().match(/one-time link/g)).toHaveLength(1);
  });
});

describe('engine process configuration errors', () => {
  it('exits 1 with one stderr line naming the bad variable', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-badcfg-'));
    try {
      const env = Object.fromEntries(
        Object.entries(process.env).filter(([k]) => !k.startsWith('BOREALIS_')),
      );
      const r = spawnSync(process.execPath, [ENGINE_MAIN], {
        env: { ...env, BOREALIS_ROOT: root, BOREALIS_PORT: 'abc' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status).toBe(1);
      const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('BOREALIS_PORT');
      expect(fs.existsSync(path.join(root, 'Engine', 'Certificates'))).toBe(false);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('engine process never logs secrets', () => {
  const username = 'seeded-admin';
  const password = `Seeded-Pass-${Math.random().toString(36).slice(2)}-9x`;
  let e: EngineProcess;
  beforeAll(async () => {
    e = await startEngineProcess({
      env: { BOREALIS_ADMIN_USERNAME: username, BOREALIS_ADMIN_PASSWORD: password },
    });
  }, 60_000);
  afterAll(async () => {
    await e?.stop();
    if (e) fs.rmSync(e.root, { recursive: true, force: true });
  });

  it('keeps password, TOTP secret, tokens, cookie, API key and codes out of every log file', async () => {
    const secrets: Record<string, string> = { password };
    expect(e.output()).not.toContain('one-time link');

    const wrong = await httpsJson(e, 'POST', '/api/auth/login', {
      username,
      password: `${password}-wrong`,
    });
    expect(wrong.status).toBe(401);
    secrets.wrongPassword = `${password}-wrong`;

    const login = await httpsJson(e, 'POST', '/api/auth/login', { username, password });
    expect(login.status).toBe(200);
    // A seeded admin has MFA on and no secret yet: the first login enrols it.
    expect(login.body).toMatchObject({ status: 'mfa_required', stage: 'setup' });
    secrets.totpSecret = login.body.secret;
    secrets.pendingToken = login.body.pending_token;
    const totp = generateSync({ secret: login.body.secret, digits: 6, period: 30 });
    const verified = await httpsJson(e, 'POST', '/api/auth/mfa/verify', {
      pending_token: login.body.pending_token,
      code: totp,
    });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const csrf: string = verified.body.csrf_token;
    const cookieHeader = verified.headers['set-cookie'];
    const cookie = [cookieHeader ?? []].flat().find((c) => c.startsWith('borealis_session='));
    expect(cookie).toBeDefined();
    const sessionValue = cookie!.split(';')[0]!.slice('borealis_session='.length);
    secrets.session = sessionValue;
    secrets.csrf = csrf;
    const asAdmin = { cookie: `borealis_session=${sessionValue}`, 'x-csrf-token': csrf };

    const key = await httpsJson(e, 'POST', '/api/api_keys', { name: 'ci', role: 'Admin' }, asAdmin);
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    secrets.apiKey = key.body.key;
    const bearer = { authorization: `Bearer ${key.body.key}` };

    const site = await httpsJson(e, 'POST', '/api/sites', { name: 'Main Office' }, bearer);
    expect(site.status, JSON.stringify(site.body)).toBe(201);
    secrets.enrollmentCode = site.body.enrollment_code;

    const code = await httpsJson(
      e,
      'POST',
      '/api/admin/enrollment-codes',
      { ttl_hours: 1, max_uses: 1 },
      bearer,
    );
    expect(code.status, JSON.stringify(code.body)).toBe(201);
    secrets.installerCode = code.body.code;

    const logout = await httpsJson(e, 'POST', '/api/auth/logout', undefined, asAdmin);
    expect(logout.status).toBe(200);

    for (const [name, value] of Object.entries(secrets)) {
      expect(typeof value === 'string' && value.length >= 6, `${name} is a real secret`).toBe(true);
    }
    // Flush: the engine writes log lines asynchronously; stopping it closes every file.
    await untilFileHas(path.join(logsDir(e), 'api.log'), 'path=/api/auth/logout');
    await e.stop();
    const files = readTree(logsDir(e));
    expect(files.map((f) => path.basename(f.file))).toEqual(
      expect.arrayContaining(['engine.log', 'api.log']),
    );
    expect(files.find((f) => f.file.endsWith('api.log'))!.text).toContain(
      'path=/api/admin/enrollment-codes status=201',
    );
    for (const { file, text } of files) {
      for (const [name, value] of Object.entries(secrets)) {
        expect(text.includes(value), `${name} found in ${file}`).toBe(false);
      }
    }
    for (const [name, value] of Object.entries(secrets)) {
      expect(e.output().includes(value), `${name} printed by the engine`).toBe(false);
    }
  });
});
