// DPoP proof verification: the product lead's vector verifies at its iat, and each RFC 9449 rule
// (typ, alg, jwk, signature, htm, htu, iat window, ath) refuses a proof that breaks it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { accessTokenHash, b64url, createDpopProof } from '@borealis/protocol/crypto';
import { DpopError, jtiCacheKey, jtiExpiry, normalizeHtu, verifyDpopProof } from './dpop.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const V = JSON.parse(
  fs.readFileSync(
    path.resolve(here, '../../../protocol/test/fixtures/protocol-vectors.json'),
    'utf8',
  ),
);
const URL_HB = 'https://127.0.0.1:5000/api/agent/heartbeat';
const NOW = 1_800_000_000;

function keyFromSeed(seedHex: string) {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return crypto.createPrivateKey({
    key: Buffer.concat([prefix, Buffer.from(seedHex, 'hex')]),
    format: 'der',
    type: 'pkcs8',
  });
}

/** Signs arbitrary header/payload objects, for proofs createDpopProof would never produce. */
function rawProof(key: crypto.KeyObject, header: object, payload: object): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(crypto.sign(null, Buffer.from(input), key))}`;
}

const agentKey = keyFromSeed(V.agent_identity.seed_hex);
const jwk = V.agent_identity.jwk;
const good = (
  over: Partial<{ htm: string; htu: string; iat: number; jti: string; ath: string }> = {},
) =>
  createDpopProof(agentKey, {
    htm: 'POST',
    htu: URL_HB,
    iat: NOW,
    jti: crypto.randomUUID(),
    ath: accessTokenHash('tok'),
    ...over,
  });
const expectation = { method: 'POST', url: URL_HB, nowSeconds: NOW, accessToken: 'tok' };

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DpopError);
    return (err as Error).message;
  }
  throw new Error('expected a DpopError');
}

describe('verifyDpopProof', () => {
  it('verifies the product lead’s vector with a clock set to its iat', () => {
    const d = V.dpop;
    const out = verifyDpopProof(d.proof_jws, {
      method: d.claims.htm,
      url: d.claims.htu,
      nowSeconds: d.claims.iat,
      accessToken: d.access_token,
    });
    expect(out).toEqual({
      jkt: V.agent_identity.jwk_thumbprint_rfc7638,
      jti: 'vector-jti-1',
      iat: d.claims.iat,
    });
    // The same vector is stale an hour later, and bound to its access token.
    expect(
      refusal(() =>
        verifyDpopProof(d.proof_jws, {
          method: 'POST',
          url: d.claims.htu,
          nowSeconds: d.claims.iat + 3600,
          accessToken: d.access_token,
        }),
      ),
    ).toMatch(/iat/);
    expect(
      refusal(() =>
        verifyDpopProof(d.proof_jws, {
          method: 'POST',
          url: d.claims.htu,
          nowSeconds: d.claims.iat,
          accessToken: 'other',
        }),
      ),
    ).toMatch(/ath/);
  });

  it('accepts a fresh proof within ±300 s and returns the key thumbprint', () => {
    expect(verifyDpopProof(good(), expectation).jkt).toBe(V.agent_identity.jwk_thumbprint_rfc7638);
    expect(() => verifyDpopProof(good({ iat: NOW - 300 }), expectation)).not.toThrow();
    expect(() => verifyDpopProof(good({ iat: NOW + 300 }), expectation)).not.toThrow();
    expect(refusal(() => verifyDpopProof(good({ iat: NOW - 301 }), expectation))).toMatch(/iat/);
    expect(refusal(() => verifyDpopProof(good({ iat: NOW + 301 }), expectation))).toMatch(/iat/);
  });

  it('checks htm and htu (query, fragment, case of host and default port ignored)', () => {
    expect(refusal(() => verifyDpopProof(good({ htm: 'GET' }), expectation))).toMatch(/htm/);
    expect(
      refusal(() =>
        verifyDpopProof(good({ htu: 'https://127.0.0.1:5000/api/agent/details' }), expectation),
      ),
    ).toMatch(/htu/);
    expect(
      refusal(() =>
        verifyDpopProof(
          good({ htu: 'https://evil.example:5000/api/agent/heartbeat' }),
          expectation,
        ),
      ),
    ).toMatch(/htu/);
    expect(
      refusal(() =>
        verifyDpopProof(good({ htu: 'http://127.0.0.1:5000/api/agent/heartbeat' }), expectation),
      ),
    ).toMatch(/htu/);
    expect(() => verifyDpopProof(good({ htu: `${URL_HB}?x=1#frag` }), expectation)).not.toThrow();
    const hostUrl = 'https://Engine.Example:443/api/x';
    expect(() =>
      verifyDpopProof(good({ htu: 'https://engine.example/api/x' }), {
        ...expectation,
        url: hostUrl,
      }),
    ).not.toThrow();
    expect(normalizeHtu('ftp://x/y')).toBeNull();
    expect(normalizeHtu('not a url')).toBeNull();
  });

  it('requires ath only when an access token is presented', () => {
    const noAth = createDpopProof(agentKey, { htm: 'POST', htu: URL_HB, iat: NOW, jti: 'j' });
    expect(refusal(() => verifyDpopProof(noAth, expectation))).toMatch(/ath/);
    expect(() =>
      verifyDpopProof(noAth, { method: 'POST', url: URL_HB, nowSeconds: NOW }),
    ).not.toThrow();
  });

  it('refuses wrong typ, alg, private or foreign keys, bad signatures and garbage', () => {
    const payload = { htm: 'POST', htu: URL_HB, iat: NOW, jti: 'j', ath: accessTokenHash('tok') };
    const header = { alg: 'EdDSA', jwk, typ: 'dpop+jwt' };
    expect(
      refusal(() =>
        verifyDpopProof(rawProof(agentKey, { ...header, typ: 'JWT' }, payload), expectation),
      ),
    ).toMatch(/typ/);
    expect(
      refusal(() =>
        verifyDpopProof(rawProof(agentKey, { ...header, alg: 'ES256' }, payload), expectation),
      ),
    ).toMatch(/alg/);
    const withD = { ...jwk, d: 'AAAA' };
    expect(
      refusal(() =>
        verifyDpopProof(rawProof(agentKey, { ...header, jwk: withD }, payload), expectation),
      ),
    ).toMatch(/private/);
    expect(
      refusal(() =>
        verifyDpopProof(
          rawProof(agentKey, { ...header, jwk: { kty: 'EC' } }, payload),
          expectation,
        ),
      ),
    ).toMatch(/Ed25519/);
    const other = crypto.generateKeyPairSync('ed25519').privateKey;
    expect(refusal(() => verifyDpopProof(rawProof(other, header, payload), expectation))).toMatch(
      /signature/,
    );
    const [h, p] = good().split('.');
    expect(refusal(() => verifyDpopProof(`${h}.${p}.${'A'.repeat(86)}`, expectation))).toMatch(
      /signature/,
    );
    expect(refusal(() => verifyDpopProof('a.b', expectation))).toMatch(/compact/);
    expect(refusal(() => verifyDpopProof('!!.??.**', expectation))).toMatch(/base64url/);
    expect(refusal(() => verifyDpopProof(`${b64url('[1]')}.${p}.x`, expectation))).toMatch(
      /object/,
    );
    expect(refusal(() => verifyDpopProof('x'.repeat(5000), expectation))).toMatch(/too long/);
    expect(
      refusal(() =>
        verifyDpopProof(rawProof(agentKey, header, { ...payload, iat: 'now' }), expectation),
      ),
    ).toMatch(/iat/);
    expect(
      refusal(() =>
        verifyDpopProof(rawProof(agentKey, header, { ...payload, jti: '' }), expectation),
      ),
    ).toMatch(/jti/);
  });

  it('keys the replay cache per device key and expires it after the iat window', () => {
    expect(jtiCacheKey('a', 'j')).not.toBe(jtiCacheKey('b', 'j'));
    expect(jtiCacheKey('a', 'j')).toMatch(/^[0-9a-f]{64}$/);
    expect(jtiExpiry(NOW)).toBe((NOW + 301) * 1000);
  });
});
