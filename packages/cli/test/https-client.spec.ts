// The HTTPS client against a local TLS server with a self-made CA: trust by CA file or pinned
// root fingerprint (a wrong pin aborts before any request), no silent fallback to unverified
// TLS, credentials and CSRF headers, and `{error, message}` bodies turned into ApiError.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, CliError } from '../src/errors.js';
import { ApiClient } from '../src/https-client.js';
import { fingerprintsMatch } from '../src/tls-trust.js';
import { makePki, startTestServer, type TestPki, type TestServer } from './support/test-pki.js';

const Echo = z.object({ ok: z.literal(true), method: z.string() });

let pki: TestPki;
let otherPki: TestPki;
let server: TestServer;
let dir: string;
let caFile: string;
let otherCaFile: string;

beforeAll(async () => {
  [pki, otherPki] = await Promise.all([makePki('Engine Root'), makePki('Someone Else')]);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-cli-tls-'));
  caFile = path.join(dir, 'ca.pem');
  otherCaFile = path.join(dir, 'other-ca.pem');
  fs.writeFileSync(caFile, pki.caPem);
  fs.writeFileSync(otherCaFile, otherPki.caPem);
  server = await startTestServer(pki, (req) => {
    if (req.url === '/api/fail') {
      return { status: 404, body: { error: 'site_not_found', message: 'No such site.' } };
    }
    if (req.url === '/api/login') {
      return {
        status: 200,
        body: { ok: true, method: req.method },
        headers: { 'set-cookie': 'borealis_session=s3ss10n; Path=/; HttpOnly; Secure' },
      };
    }
    return { status: 200, body: { ok: true, method: req.method } };
  });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('trust', () => {
  it('verifies the server against a CA file', async () => {
    const client = new ApiClient({ serverUrl: server.url, trust: { caFile } });
    const res = await client.get('/api/echo', Echo);
    expect(res.data).toEqual({ ok: true, method: 'GET' });
  });

  it('accepts a pinned root fingerprint that matches, then talks over verified TLS', async () => {
    const client = new ApiClient({
      serverUrl: server.url,
      trust: { caFingerprint: pki.caFingerprint },
    });
    expect((await client.get('/api/echo', Echo)).status).toBe(200);
  });

  it('refuses a wrong fingerprint before sending any request', async () => {
    const before = server.seen.length;
    const client = new ApiClient({
      serverUrl: server.url,
      trust: { caFingerprint: otherPki.caFingerprint },
      auth: { type: 'api_key', key: 'secret-key' },
    });
    const err = await client.get('/api/echo', Echo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err).toMatchObject({ code: 'ca_fingerprint_mismatch', exitCode: 1 });
    expect((err as Error).message).toMatch(/does not match the pinned/);
    expect(server.seen.length).toBe(before);
  });

  it('does not fall back to unverified TLS without trust or with the wrong CA file', async () => {
    const before = server.seen.length;
    const plain = new ApiClient({ serverUrl: server.url, trust: {} });
    await expect(plain.get('/api/echo', Echo)).rejects.toMatchObject({ code: 'tls_untrusted' });
    const wrong = new ApiClient({ serverUrl: server.url, trust: { caFile: otherCaFile } });
    await expect(wrong.get('/api/echo', Echo)).rejects.toMatchObject({ code: 'tls_untrusted' });
    expect(server.seen.length).toBe(before);
  });

  it('checks the host name against the certificate, also when the root is pinned', async () => {
    const elsewhere = await makePki('Elsewhere Root', [{ type: 'dns', value: 'engine.invalid' }]);
    const other = await startTestServer(elsewhere, () => ({ status: 200, body: { ok: true } }));
    try {
      const pinned = new ApiClient({
        serverUrl: other.url,
        trust: { caFingerprint: elsewhere.caFingerprint },
      });
      await expect(pinned.get('/api/echo', Echo)).rejects.toMatchObject({
        code: 'tls_hostname_mismatch',
      });
      expect(other.seen).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('compares fingerprints only when both are full SHA-256 values', () => {
    expect(fingerprintsMatch(pki.caFingerprint, pki.caFingerprint)).toBe(true);
    expect(fingerprintsMatch(pki.caFingerprint, otherPki.caFingerprint)).toBe(false);
    expect(fingerprintsMatch('', '')).toBe(false);
  });
});

describe('requests', () => {
  it('sends the session cookie everywhere and X-CSRF-Token only on writes', async () => {
    const client = new ApiClient({
      serverUrl: server.url,
      trust: { caFile },
      auth: { type: 'session', cookie: 'abc', csrf_token: 'tok' },
    });
    await client.get('/api/echo', Echo);
    await client.send('POST', '/api/echo', Echo, { a: 1 });
    const [get, post] = server.seen.slice(-2);
    expect(get!.headers.cookie).toBe('borealis_session=abc');
    expect(get!.headers['x-csrf-token']).toBeUndefined();
    expect(post!.headers['x-csrf-token']).toBe('tok');
    expect(post!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post!.body)).toEqual({ a: 1 });
  });

  it('sends an API key as a bearer token without CSRF, and no body on DELETE', async () => {
    const client = new ApiClient({
      serverUrl: server.url,
      trust: { caFile },
      auth: { type: 'api_key', key: 'brk_live' },
    });
    await client.send('DELETE', '/api/echo', Echo);
    const last = server.seen.at(-1)!;
    expect(last.headers.authorization).toBe('Bearer brk_live');
    expect(last.headers['x-csrf-token']).toBeUndefined();
    expect(last.headers['content-type']).toBeUndefined();
    expect(last.body).toBe('');
  });

  it('keeps cookies the server sets for later requests', async () => {
    const client = new ApiClient({ serverUrl: server.url, trust: { caFile } });
    await client.send('POST', '/api/login', Echo, {});
    expect(client.cookie('borealis_session')).toBe('s3ss10n');
    await client.get('/api/echo', Echo);
    expect(server.seen.at(-1)!.headers.cookie).toBe('borealis_session=s3ss10n');
  });

  it('turns an error body into ApiError and an unexpected body into a CliError', async () => {
    const client = new ApiClient({ serverUrl: server.url, trust: { caFile } });
    const err = await client.get('/api/fail', Echo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, code: 'site_not_found', message: 'No such site.' });
    await expect(client.get('/api/echo', z.object({ other: z.string() }))).rejects.toMatchObject({
      code: 'unexpected_response',
    });
  });
});
