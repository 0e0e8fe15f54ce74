import { describe, expect, it } from 'vitest';
import { dummyVerify, hashPassword, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('hashes with Argon2id and never keeps the plaintext', async () => {
    const h = await hashPassword('a-long-enough-password');
    expect(h.startsWith('$argon2id$')).toBe(true);
    expect(h).toContain('m=19456,t=2,p=1');
    expect(h).not.toContain('a-long-enough-password');
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([
      hashPassword('same-password-twice'),
      hashPassword('same-password-twice'),
    ]);
    expect(a).not.toBe(b);
  });

  it('verifies the right password only', async () => {
    const h = await hashPassword('right-password-123');
    expect(await verifyPassword(h, 'right-password-123')).toBe(true);
    expect(await verifyPassword(h, 'wrong-password-123')).toBe(false);
  });

  it('treats a malformed hash as a mismatch instead of throwing', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
    expect(await dummyVerify('anything')).toBe(false);
  });
});
