// Reproduces the independently computed protocol vectors byte for byte.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  accessTokenHash,
  canonicalJson,
  sha256Hex,
  signEnvelope,
  verifyEnvelope,
  createDpopProof,
  decodeB64,
  ed25519Jwk,
  enrollmentProofMessage,
  jwkThumbprint,
  publicKeyFromSpki,
  signEd25519,
  signScript,
  spkiFingerprint,
  spkiOf,
  verifyEd25519,
  verifyScript,
} from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../test/fixtures/protocol-vectors.json');
const shared = path.resolve(here, '../../../../../shared/vectors/protocol-vectors.json');
const V = JSON.parse(fs.readFileSync(fixture, 'utf8'));

/** Ed25519 private key from a raw 32-byte seed (PKCS#8 prefix for Ed25519). */
function keyFromSeed(seedHex: string) {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return crypto.createPrivateKey({
    key: Buffer.concat([prefix, Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
}

describe('protocol vectors', () => {
  it('the fixture is the product lead’s file, unchanged (when shared/ is beside the repo)', () => {
    if (!fs.existsSync(shared)) return;
    expect(fs.readFileSync(fixture, 'utf8')).toBe(fs.readFileSync(shared, 'utf8'));
  });

  it('RFC 8032 test 1', () => {
    const sig = signEd25519(keyFromSeed(V.rfc8032_test1.seed_hex), Buffer.alloc(0));
    expect(sig.toString('hex')).toBe(V.rfc8032_test1.signature_hex);
  });

  it('agent identity: SPKI, fingerprint, PEM, JWK and thumbprint', () => {
    const a = V.agent_identity;
    const priv = keyFromSeed(a.seed_hex);
    expect(priv.export({ format: 'pem', type: 'pkcs8' })).toBe(a.private_pkcs8_pem);
    const spki = spkiOf(priv);
    expect(spki.toString('base64')).toBe(a.spki_der_b64);
    expect(spkiFingerprint(spki)).toBe(a.fingerprint_sha256_hex_of_spki);
    expect(ed25519Jwk(priv)).toEqual(a.jwk);
    expect(JSON.stringify(ed25519Jwk(priv))).toBe(JSON.stringify(a.jwk));
    expect(jwkThumbprint(a.jwk)).toBe(a.jwk_thumbprint_rfc7638);
    expect(ed25519Jwk(publicKeyFromSpki(spki)).x).toBe(a.public_raw_b64url);
  });

  it('enrollment proof', () => {
    const e = V.enrollment_proof;
    const msg = enrollmentProofMessage(
      decodeB64(e.server_nonce_b64)!,
      e.approval_reference,
      decodeB64(e.client_nonce_b64)!,
    );
    expect(msg.toString('hex')).toBe(e.signed_message_hex);
    const priv = keyFromSeed(V.agent_identity.seed_hex);
    expect(signEd25519(priv, msg).toString('base64')).toBe(e.proof_sig_b64);
    const pub = publicKeyFromSpki(Buffer.from(V.agent_identity.spki_der_b64, 'base64'));
    expect(verifyEd25519(pub, msg, Buffer.from(e.proof_sig_b64, 'base64'))).toBe(true);
    msg[0] = msg[0]! ^ 1;
    expect(verifyEd25519(pub, msg, Buffer.from(e.proof_sig_b64, 'base64'))).toBe(false);
  });

  it('DPoP proof, byte for byte', () => {
    const d = V.dpop;
    expect(accessTokenHash(d.access_token)).toBe(d.ath);
    const proof = createDpopProof(keyFromSeed(V.agent_identity.seed_hex), {
      ...d.claims,
      ath: d.ath,
    });
    expect(proof).toBe(d.proof_jws);
  });

  it('script signature', () => {
    const s = V.script_signature;
    const priv = keyFromSeed(s.signing_seed_hex);
    expect(spkiOf(priv).toString('base64')).toBe(s.signing_public_spki_der_b64);
    const bytes = Buffer.from(s.script_utf8, 'utf8');
    expect(bytes.toString('base64')).toBe(s.script_b64);
    expect(signScript(priv, bytes)).toBe(s.signature_b64);
    const pub = publicKeyFromSpki(Buffer.from(s.signing_public_spki_der_b64, 'base64'));
    expect(verifyScript(pub, bytes, s.signature_b64)).toBe(true);
    expect(
      verifyScript(pub, Buffer.from(s.script_utf8.replace('hello', 'hullo')), s.signature_b64),
    ).toBe(false);
  });

  it('strict base64 decoding', () => {
    expect(decodeB64('not base64!')).toBeNull();
    expect(decodeB64('AAEC')?.toString('hex')).toBe('000102');
    expect(decodeB64('-_8')?.toString('hex')).toBe('fbff');
  });
});

describe('job envelopes', () => {
  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 'x' }], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[2,{"y":"x","z":1}]},"b":1}',
    );
  });

  it('signs and verifies an envelope; any change breaks it', () => {
    const priv = keyFromSeed(V.script_signature.signing_seed_hex);
    const pub = publicKeyFromSpki(
      Buffer.from(V.script_signature.signing_public_spki_der_b64, 'base64'),
    );
    const env = {
      v: 1,
      job_id: 'j1',
      device_guid: 'g1',
      run_mode: 'system',
      script_type: 'bash',
      script_sha256: sha256Hex(Buffer.from(V.script_signature.script_utf8, 'utf8')),
      environment: { WHO: 'world' },
      timeout_seconds: 60,
      expires_at: 1795300000000,
    };
    const sig = signEnvelope(priv, env);
    expect(verifyEnvelope(pub, { ...env }, sig)).toBe(true);
    expect(verifyEnvelope(pub, { ...env, device_guid: 'g2' }, sig)).toBe(false);
    expect(verifyEnvelope(pub, { ...env, environment: { WHO: 'mallory' } }, sig)).toBe(false);
  });
});
