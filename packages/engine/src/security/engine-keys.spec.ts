// Engine keys: created on first use with mode 0600 in the reference's paths, reused afterwards
// (also by a second instance), kid = first 16 hex of SHA-256(SPKI), the script key's .pub SPKI
// DER written beside it, and the CA PEM read lazily ('' when absent).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineKeys, JWT_KEY_FILE, SCRIPT_KEY_FILE } from './engine-keys.js';

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-keys-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('EngineKeys', () => {
  it('creates the JWT key once (0600) and reuses it', () => {
    const dir = tmp();
    const a = new EngineKeys({ engineDir: dir, caFile: null });
    const k = a.jwtKey();
    const file = path.join(dir, JWT_KEY_FILE);
    expect(file).toBe(path.join(dir, 'Auth_Tokens', 'borealis-jwt-ed25519.key'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(k.kid).toBe(crypto.createHash('sha256').update(k.spki).digest('hex').slice(0, 16));
    const b = new EngineKeys({ engineDir: dir, caFile: null });
    expect(b.jwtKey().kid).toBe(k.kid);
    expect(a.jwtKey()).toBe(k);
  });

  it('creates the script-signing key with its .pub and hands out its SPKI as signing_key', () => {
    const dir = tmp();
    const keys = new EngineKeys({ engineDir: dir, caFile: null });
    const b64 = keys.signingKeyB64();
    const keyFile = path.join(dir, SCRIPT_KEY_FILE);
    expect(keyFile).toBe(
      path.join(dir, 'Certificates', 'Code-Signing', 'borealis-script-ed25519.key'),
    );
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const pub = fs.readFileSync(keyFile.replace(/\.key$/, '.pub'));
    expect(pub.toString('base64')).toBe(b64);
    const sig = crypto.sign(null, Buffer.from('x'), keys.scriptKey().privateKey);
    const verifier = crypto.createPublicKey({ key: pub, format: 'der', type: 'spki' });
    expect(crypto.verify(null, Buffer.from('x'), verifier, sig)).toBe(true);
    expect(new EngineKeys({ engineDir: dir, caFile: null }).signingKeyB64()).toBe(b64);
  });

  it('refuses a key file that is not Ed25519', () => {
    const dir = tmp();
    const file = path.join(dir, JWT_KEY_FILE);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    fs.writeFileSync(file, ec.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => new EngineKeys({ engineDir: dir, caFile: null }).jwtKey()).toThrow(/Ed25519/);
  });

  it('reads the CA PEM on demand and answers empty without one', () => {
    const dir = tmp();
    const ca = path.join(dir, 'ca.pem');
    const keys = new EngineKeys({ engineDir: dir, caFile: ca });
    expect(keys.serverCertificate()).toBe('');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
    expect(keys.serverCertificate()).toContain('BEGIN CERTIFICATE');
    expect(new EngineKeys({ engineDir: dir, caFile: null }).serverCertificate()).toBe('');
  });
});
