// Device access tokens: EdDSA JWTs (jose) signed with the engine's Ed25519 key, header `kid`,
// claims sub "device:<GUID>", guid, ssl_key_fingerprint, token_version, iat, nbf, exp and
// cnf.jkt (the RFC 7638 thumbprint of the device's enrolled key, which must sign its DPoP proofs).
import { errors, jwtVerify, SignJWT } from 'jose';
import type { KeyObject } from 'node:crypto';
import { ACCESS_TOKEN_TTL_SECONDS } from '@borealis/protocol';
import type { JwtSigningKey } from './engine-keys.js';

export interface AccessTokenSubject {
  guid: string;
  fingerprint: string;
  tokenVersion: number;
  jkt: string;
}

export interface AccessTokenClaims extends AccessTokenSubject {
  iat: number;
  nbf: number;
  exp: number;
}

/** Why a token was refused; maps 1:1 onto the device-auth error codes. */
export class AccessTokenError extends Error {
  constructor(
    readonly code: 'token_expired' | 'invalid_token' | 'invalid_claims',
    message: string,
  ) {
    super(message);
  }
}

/** Signs an access token valid from `nowSeconds` for ACCESS_TOKEN_TTL_SECONDS. */
export async function signAccessToken(
  key: JwtSigningKey,
  subject: AccessTokenSubject,
  nowSeconds: number,
): Promise<{ token: string; expiresAt: number }> {
  const exp = nowSeconds + ACCESS_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({
    guid: subject.guid,
    ssl_key_fingerprint: subject.fingerprint,
    token_version: subject.tokenVersion,
    cnf: { jkt: subject.jkt },
  })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'JWT' })
    .setSubject(`device:${subject.guid}`)
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(exp)
    .sign(key.privateKey);
  return { token, expiresAt: exp };
}

const isStr = (v: unknown, max = 256): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;

/**
 * Verifies signature, alg, exp and nbf at `nowSeconds` (no leeway), then the claim shapes.
 * Throws AccessTokenError with token_expired, invalid_token or invalid_claims.
 */
export async function verifyAccessToken(
  token: string,
  publicKey: KeyObject,
  nowSeconds: number,
): Promise<AccessTokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      currentDate: new Date(nowSeconds * 1000),
      requiredClaims: ['sub', 'iat', 'exp'],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      throw new AccessTokenError('token_expired', 'The access token has expired; refresh it.');
    }
    if (err instanceof errors.JWTClaimValidationFailed) {
      throw new AccessTokenError(
        'invalid_claims',
        `The access token's ${err.claim} claim is not acceptable.`,
      );
    }
    throw new AccessTokenError(
      'invalid_token',
      'The access token is malformed or its signature is invalid.',
    );
  }
  const { guid, ssl_key_fingerprint: fp, token_version: tv, cnf, sub, iat, nbf, exp } = payload;
  const jkt = (cnf as { jkt?: unknown } | undefined)?.jkt;
  if (
    !isStr(guid, 64) ||
    sub !== `device:${guid}` ||
    !isStr(fp, 128) ||
    typeof tv !== 'number' ||
    !Number.isInteger(tv) ||
    !isStr(jkt, 128) ||
    typeof iat !== 'number' ||
    typeof exp !== 'number'
  ) {
    throw new AccessTokenError('invalid_claims', 'The access token lacks a required device claim.');
  }
  return {
    guid,
    fingerprint: fp,
    tokenVersion: tv,
    jkt,
    iat,
    nbf: typeof nbf === 'number' ? nbf : iat,
    exp,
  };
}
