// Identity: created once with mode 0600 (PKCS8 PEM), reloaded with the same fingerprint, widened
// modes tightened; the enrollment proof and DPoP proofs verify with the protocol helpers.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  enrollmentProofMessage,
  jwkThumbprint,
  publicKeyFromSpki,
  spkiFingerprint,
  verifyEd25519,
} from '@borealis/protocol/crypto';
import { Identity } from '../src/identity.js';

const dirs: string[] = [];
const keyFile = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-id-'));
  dirs.push(d);
  return path.join(d, 'agent_key.ed25519');
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

describe('Identity', () => {
  it('creates an Ed25519 PKCS8 key with mode 0600 once, and loads the same key afterwards', () => {
    const file = keyFile();
    const first = Identity.loadOrCreate(file);
    expect(first.created).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const pem = fs.readFileSync(file, 'utf8');
    expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(crypto.createPrivateKey(pem).asymmetricKeyType).toBe('ed25519');
    const again = Identity.loadOrCreate(file);
    expect(again.created).toBe(false);
    expect(again.identity.fingerprint).toBe(first.identity.fingerprint);
    expect(first.identity.fingerprint).toBe(spkiFingerprint(first.identity.spkiDer));
    expect(first.identity.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('tightens a key file whose mode was widened, and refuses a non-Ed25519 key', () => {
    const file = keyFile();
    Identity.loadOrCreate(file);
    fs.chmodSync(file, 0o644);
    Identity.loadOrCreate(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    fs.writeFileSync(file, rsa.export({ format: 'pem', type: 'pkcs8' }));
    expect(() => Identity.loadOrCreate(file)).toThrow(/Ed25519/);
  });

  it('signs the enrollment proof over server_nonce ‖ approval_reference ‖ client_nonce', () => {
    const { identity } = Identity.loadOrCreate(keyFile());
    const serverNonce = crypto.randomBytes(32);
    const clientNonce = crypto.randomBytes(32);
    const sig = identity.enrollmentProof(serverNonce, 'ref-123', clientNonce);
    const pub = publicKeyFromSpki(Buffer.from(identity.publicKeyB64(), 'base64'));
    const msg = enrollmentProofMessage(serverNonce, 'ref-123', clientNonce);
    expect(verifyEd25519(pub, msg, Buffer.from(sig, 'base64'))).toBe(true);
    expect(
      verifyEd25519(
        pub,
        enrollmentProofMessage(serverNonce, 'ref-124', clientNonce),
        Buffer.from(sig, 'base64'),
      ),
    ).toBe(false);
  });

  it('makes DPoP proofs: typ dpop+jwt, jwk of the identity, htu without query, fresh jti, ath', () => {
    const { identity } = Identity.loadOrCreate(keyFile());
    const proof = identity.dpop({
      method: 'post',
      url: 'https://engine.example:5000/api/agent/heartbeat?x=1#f',
      accessToken: 'tok',
      iat: 1_700_000_000,
    });
    const [h, p, s] = proof.split('.');
    const header = decode(h!);
    const claims = decode(p!);
    expect(header).toMatchObject({
      alg: 'EdDSA',
      typ: 'dpop+jwt',
      jwk: { kty: 'OKP', crv: 'Ed25519' },
    });
    expect(jwkThumbprint(header.jwk)).toBe(identity.jkt);
    expect(claims).toMatchObject({
      htm: 'POST',
      htu: 'https://engine.example:5000/api/agent/heartbeat',
      iat: 1_700_000_000,
      ath: accessTokenHash('tok'),
    });
    const key = crypto.createPublicKey({ key: header.jwk, format: 'jwk' });
    expect(crypto.verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s!, 'base64url'))).toBe(
      true,
    );
    const other = decode(identity.dpop({ method: 'POST', url: 'https://e/x' }).split('.')[1]!);
    expect(other.jti).not.toBe(claims.jti);
    expect(other.ath).toBeUndefined();
  });
});
