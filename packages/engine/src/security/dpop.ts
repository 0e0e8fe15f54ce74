// DPoP proof verification (RFC 9449) for device requests, the token refresh and the Socket.IO
// handshake: a compact JWS with header {typ "dpop+jwt", alg "EdDSA", jwk (public Ed25519 key)}
// and claims htm, htu, iat (±300 s), jti and, when an access token is presented, ath. Replay
// (jti) bookkeeping is the caller's: this module is pure.
import crypto from 'node:crypto';
import { accessTokenHash, jwkThumbprint, type Ed25519Jwk } from '@borealis/protocol/crypto';

/** Accepted distance between a proof's iat and the engine clock. */
export const DPOP_IAT_WINDOW_SECONDS = 300;
export const DPOP_MAX_LENGTH = 4096;

export class DpopError extends Error {
  readonly code = 'dpop_invalid';
}

export interface DpopExpectation {
  /** HTTP method the proof must name (GET for the socket handshake). */
  method: string;
  /** Full URL the proof must name; query and fragment are ignored on both sides. */
  url: string;
  /** Engine time in seconds. */
  nowSeconds: number;
  /** When set, `ath` must be the hash of this token; when absent `ath` is not checked. */
  accessToken?: string;
}

export interface VerifiedDpop {
  /** RFC 7638 thumbprint of the proof's key. */
  jkt: string;
  jti: string;
  iat: number;
}

const B64URL = /^[A-Za-z0-9_-]+$/;

function decodeSegment(seg: string, what: string): Record<string, unknown> {
  if (!B64URL.test(seg)) throw new DpopError(`The DPoP proof ${what} is not base64url.`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(seg, 'base64url').toString('utf8'));
  } catch {
    throw new DpopError(`The DPoP proof ${what} is not JSON.`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new DpopError(`The DPoP proof ${what} is not a JSON object.`);
  }
  return value as Record<string, unknown>;
}

/** scheme://host[:port]/path, lowercased scheme and host, default port dropped; null if not a URL. */
export function normalizeHtu(url: string): string | null {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return null;
  }
}

function publicJwk(jwk: unknown): Ed25519Jwk {
  const j = jwk as Record<string, unknown> | null;
  if (!j || typeof j !== 'object' || j.kty !== 'OKP' || j.crv !== 'Ed25519') {
    throw new DpopError('The DPoP proof jwk must be an Ed25519 (OKP) public key.');
  }
  if ('d' in j) throw new DpopError('The DPoP proof jwk must not contain a private key.');
  if (typeof j.x !== 'string' || !B64URL.test(j.x) || Buffer.from(j.x, 'base64url').length !== 32) {
    throw new DpopError('The DPoP proof jwk has no valid x coordinate.');
  }
  return { crv: 'Ed25519', kty: 'OKP', x: j.x };
}

/** Verifies a DPoP proof against the request it accompanies; throws DpopError (dpop_invalid). */
export function verifyDpopProof(proof: string, expect: DpopExpectation): VerifiedDpop {
  if (proof.length > DPOP_MAX_LENGTH) throw new DpopError('The DPoP proof is too long.');
  const parts = proof.split('.');
  if (parts.length !== 3) throw new DpopError('The DPoP proof is not a compact JWS.');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeSegment(h, 'header');
  if (header.typ !== 'dpop+jwt') throw new DpopError('The DPoP proof typ must be dpop+jwt.');
  if (header.alg !== 'EdDSA') throw new DpopError('The DPoP proof alg must be EdDSA.');
  const jwk = publicJwk(header.jwk);
  if (!B64URL.test(s)) throw new DpopError('The DPoP proof signature is not base64url.');
  let signed = false;
  try {
    const key = crypto.createPublicKey({ key: { ...jwk }, format: 'jwk' });
    signed = crypto.verify(
      null,
      Buffer.from(`${h}.${p}`, 'ascii'),
      key,
      Buffer.from(s, 'base64url'),
    );
  } catch {
    signed = false;
  }
  if (!signed) throw new DpopError('The DPoP proof signature does not verify.');

  const claims = decodeSegment(p, 'payload');
  const { htm, htu, iat, jti, ath } = claims;
  if (typeof htm !== 'string' || htm !== expect.method.toUpperCase()) {
    throw new DpopError(`The DPoP proof htm must be ${expect.method.toUpperCase()}.`);
  }
  const wanted = normalizeHtu(expect.url);
  if (typeof htu !== 'string' || wanted === null || normalizeHtu(htu) !== wanted) {
    throw new DpopError(`The DPoP proof htu must be ${wanted ?? expect.url}.`);
  }
  if (typeof iat !== 'number' || !Number.isInteger(iat)) {
    throw new DpopError('The DPoP proof iat must be an integer (seconds).');
  }
  if (Math.abs(iat - expect.nowSeconds) > DPOP_IAT_WINDOW_SECONDS) {
    throw new DpopError(
      `The DPoP proof iat is more than ${DPOP_IAT_WINDOW_SECONDS} s from the engine clock.`,
    );
  }
  if (typeof jti !== 'string' || jti.length < 1 || jti.length > 256) {
    throw new DpopError('The DPoP proof jti must be a string of 1–256 characters.');
  }
  if (expect.accessToken !== undefined) {
    if (typeof ath !== 'string')
      throw new DpopError('The DPoP proof lacks ath (the access token hash).');
    const want = Buffer.from(accessTokenHash(expect.accessToken));
    const got = Buffer.from(ath);
    if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) {
      throw new DpopError('The DPoP proof ath does not match the access token.');
    }
  }
  return { jkt: jwkThumbprint(jwk), jti, iat };
}

/** Key of the replay cache: SHA-256 hex over jkt and jti, so a jti is unique per device key. */
export function jtiCacheKey(jkt: string, jti: string): string {
  return crypto.createHash('sha256').update(`${jkt}\n${jti}`, 'utf8').digest('hex');
}

/** When a proof's record may be forgotten: after its iat can no longer pass the window (ms). */
export function jtiExpiry(iatSeconds: number): number {
  return (iatSeconds + DPOP_IAT_WINDOW_SECONDS + 1) * 1000;
}
