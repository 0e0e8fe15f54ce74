// Canonical signing helpers shared by engine and agent (node:crypto only; not for the browser).
// Enrollment proof, fingerprints, JWK thumbprints (RFC 7638), DPoP proofs (RFC 9449), script
// signatures. Byte layouts here are the wire protocol: docs/agent-protocol.md specifies them.
import crypto, { type KeyObject } from 'node:crypto';

export interface Ed25519Jwk {
  crv: 'Ed25519';
  kty: 'OKP';
  x: string;
}

export const b64url = (buf: Buffer | Uint8Array | string): string =>
  Buffer.from(buf).toString('base64url');

/** Lowercase hex SHA-256 of the SubjectPublicKeyInfo DER: the agent key fingerprint. */
export function spkiFingerprint(spkiDer: Buffer): string {
  return crypto.createHash('sha256').update(spkiDer).digest('hex');
}

export function publicKeyFromSpki(spkiDer: Buffer): KeyObject {
  const key = crypto.createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return key;
}

export function spkiOf(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return pub.export({ format: 'der', type: 'spki' });
}

/** server_nonce ‖ UTF-8(approval_reference) ‖ client_nonce */
export function enrollmentProofMessage(
  serverNonce: Buffer,
  approvalReference: string,
  clientNonce: Buffer,
): Buffer {
  return Buffer.concat([serverNonce, Buffer.from(approvalReference, 'utf8'), clientNonce]);
}

export function signEd25519(privateKey: KeyObject, message: Buffer): Buffer {
  return crypto.sign(null, message, privateKey);
}

export function verifyEd25519(publicKey: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return crypto.verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

/** The public JWK of an Ed25519 key, members in RFC 7638 canonical order. */
export function ed25519Jwk(key: KeyObject): Ed25519Jwk {
  const jwk = (key.type === 'private' ? crypto.createPublicKey(key) : key).export({
    format: 'jwk',
  });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return { crv: 'Ed25519', kty: 'OKP', x: jwk.x };
}

/** RFC 7638 thumbprint: SHA-256 over {"crv","kty","x"} with no whitespace, base64url. */
export function jwkThumbprint(jwk: Ed25519Jwk): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return b64url(crypto.createHash('sha256').update(canonical, 'utf8').digest());
}

/** DPoP `ath`: base64url SHA-256 of the access token's ASCII bytes. */
export function accessTokenHash(accessToken: string): string {
  return b64url(crypto.createHash('sha256').update(accessToken, 'ascii').digest());
}

export interface DpopClaims {
  htm: string;
  htu: string;
  iat: number;
  jti: string;
  ath?: string;
}

/** A DPoP proof JWS: header {alg, jwk, typ}, payload {htm, htu, iat, jti, ath?}, in that order. */
export function createDpopProof(privateKey: KeyObject, claims: DpopClaims): string {
  const header = { alg: 'EdDSA', jwk: ed25519Jwk(privateKey), typ: 'dpop+jwt' };
  const payload: DpopClaims = {
    htm: claims.htm,
    htu: claims.htu,
    iat: claims.iat,
    jti: claims.jti,
  };
  if (claims.ath !== undefined) payload.ath = claims.ath;
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(signEd25519(privateKey, Buffer.from(input, 'ascii')))}`;
}

/** Ed25519 over the exact final script bytes, base64 (standard alphabet, as sent on the wire). */
export function signScript(privateKey: KeyObject, scriptBytes: Buffer): string {
  return signEd25519(privateKey, scriptBytes).toString('base64');
}

export function verifyScript(
  publicKey: KeyObject,
  scriptBytes: Buffer,
  signatureB64: string,
): boolean {
  return verifyEd25519(publicKey, scriptBytes, Buffer.from(signatureB64, 'base64'));
}

/** Decodes standard or URL-safe base64 strictly; null when it is not base64 at all. */
export function decodeB64(value: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) return null;
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** Canonical JSON: object keys sorted at every level, no whitespace (for signed envelopes). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function sha256Hex(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Ed25519 over the UTF-8 canonical JSON of a job envelope, base64. */
export function signEnvelope(privateKey: KeyObject, envelope: object): string {
  return signEd25519(privateKey, Buffer.from(canonicalJson(envelope), 'utf8')).toString('base64');
}

export function verifyEnvelope(
  publicKey: KeyObject,
  envelope: object,
  signatureB64: string,
): boolean {
  return verifyEd25519(
    publicKey,
    Buffer.from(canonicalJson(envelope), 'utf8'),
    Buffer.from(signatureB64, 'base64'),
  );
}
