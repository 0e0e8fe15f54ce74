// Device refresh tokens: 48 random bytes (base64url, 64 characters) handed to the agent once;
// only their SHA-256 hex is stored. Each token lives 90 days and is replaced on every use; the
// replaced row is kept a day longer so that presenting it again is recognised as reuse.
import crypto from 'node:crypto';
import { sha256Hex } from './secret-box.js';

export const REFRESH_TOKEN_BYTES = 48;
export const REFRESH_TOKEN_TTL_MS = 90 * 86_400_000;
/** How long a rotated or revoked token is remembered (reuse detection, clear error codes). */
export const SPENT_TOKEN_RETENTION_MS = 86_400_000;

export interface IssuedRefreshToken {
  /** The secret, returned to the agent exactly once. */
  token: string;
  hash: string;
}

export function newRefreshToken(): IssuedRefreshToken {
  const token = crypto.randomBytes(REFRESH_TOKEN_BYTES).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
  return sha256Hex(token);
}

/** The shape a presented token must have before it is worth a database lookup. */
export function looksLikeRefreshToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{64}$/.test(token);
}
