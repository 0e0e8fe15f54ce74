// Access tokens: EdDSA with kid, the reference's claims plus cnf.jkt, exp/nbf enforced without
// leeway, and every failure mapped to token_expired, invalid_token or invalid_claims.
import crypto from 'node:crypto';
import { SignJWT, decodeProtectedHeader, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { keyIdOf, type JwtSigningKey } from './engine-keys.js';
import { AccessTokenError, signAccessToken, verifyAccessToken } from './jwt.js';

function makeKey(): JwtSigningKey {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { privateKey, publicKey, spki, kid: keyIdOf(spki) };
}

const key = makeKey();
const subject = {
  guid: 'b7a3c1de-0000-4000-8000-000000000001',
  fingerprint: 'ab'.repeat(32),
  tokenVersion: 3,
  jkt: 'thumb',
};
const NOW = 1_800_000_000;

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AccessTokenError);
  return (err as AccessTokenError).code;
}

describe('access tokens', () => {
  it('carries the reference claims, cnf.jkt and a kid of 16 hex characters', async () => {
    const { token, expiresAt } = await signAccessToken(key, subject, NOW);
    expect(expiresAt).toBe(NOW + 900);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' });
    expect(key.kid).toMatch(/^[0-9a-f]{16}$/);
    expect(decodeJwt(token)).toEqual({
      sub: `device:${subject.guid}`,
      guid: subject.guid,
      ssl_key_fingerprint: subject.fingerprint,
      token_version: 3,
      cnf: { jkt: 'thumb' },
      iat: NOW,
      nbf: NOW,
      exp: NOW + 900,
    });
    expect(await verifyAccessToken(token, key.publicKey, NOW + 899)).toEqual({
      ...subject,
      iat: NOW,
      nbf: NOW,
      exp: NOW + 900,
    });
  });

  it('refuses expired, not-yet-valid, foreign and malformed tokens', async () => {
    const { token } = await signAccessToken(key, subject, NOW);
    expect(await codeOf(verifyAccessToken(token, key.publicKey, NOW + 900))).toBe('token_expired');
    expect(await codeOf(verifyAccessToken(token, key.publicKey, NOW - 1))).toBe('invalid_claims');
    expect(await codeOf(verifyAccessToken(token, makeKey().publicKey, NOW))).toBe('invalid_token');
    expect(await codeOf(verifyAccessToken('not.a.jwt', key.publicKey, NOW))).toBe('invalid_token');
    expect(await codeOf(verifyAccessToken(`${token.slice(0, -4)}AAAA`, key.publicKey, NOW))).toBe(
      'invalid_token',
    );
  });

  it('refuses alg none / HS256 and tokens missing a device claim', async () => {
    const [, payload] = (await signAccessToken(key, subject, NOW)).token.split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    expect(await codeOf(verifyAccessToken(none, key.publicKey, NOW))).toBe('invalid_token');
    const hs = await new SignJWT({ guid: subject.guid })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('secret'.repeat(6)));
    expect(await codeOf(verifyAccessToken(hs, key.publicKey, NOW))).toBe('invalid_token');
    const base = {
      guid: subject.guid,
      ssl_key_fingerprint: 'fp',
      token_version: 1,
      cnf: { jkt: 'j' },
    };
    const variants: Record<string, unknown>[] = [
      { ...base, cnf: undefined },
      { ...base, token_version: '1' },
      { ...base, ssl_key_fingerprint: undefined },
      { ...base, guid: 'other' },
    ];
    for (const claims of variants) {
      const t = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: key.kid })
        .setSubject(`device:${subject.guid}`)
        .setIssuedAt(NOW)
        .setExpirationTime(NOW + 900)
        .sign(key.privateKey);
      expect(await codeOf(verifyAccessToken(t, key.publicKey, NOW))).toBe('invalid_claims');
    }
    const noSub = await new SignJWT(base)
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuedAt(NOW)
      .setExpirationTime(NOW + 900)
      .sign(key.privateKey);
    expect(await codeOf(verifyAccessToken(noSub, key.publicKey, NOW))).toBe('invalid_claims');
  });
});
