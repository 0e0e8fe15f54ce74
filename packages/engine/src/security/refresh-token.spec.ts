// Refresh tokens: 48 random bytes as 64 base64url characters, only the SHA-256 hex is stored.
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-token.js';

describe('refresh tokens', () => {
  it('are 48 random bytes, base64url, hashed with SHA-256', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(Buffer.from(a.token, 'base64url')).toHaveLength(48);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toBe(crypto.createHash('sha256').update(a.token).digest('hex'));
    expect(hashRefreshToken(a.token)).toBe(a.hash);
    expect(looksLikeRefreshToken(a.token)).toBe(true);
    expect(looksLikeRefreshToken(`${a.token}x`)).toBe(false);
    expect(looksLikeRefreshToken('a'.repeat(63) + '=')).toBe(false);
  });
});
