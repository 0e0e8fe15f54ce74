import { describe, expect, it } from 'vitest';
import { SecretBox, randomToken, safeEqual, sha256Hex } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox('a-test-secret-that-is-long-enough-0123456789');

  it('round-trips and never emits the plaintext', () => {
    const sealed = box.encrypt('JBSWY3DPEHPK3PXP', 'totp');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.decrypt(sealed, 'totp')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('binds the ciphertext to its purpose and key', () => {
    const sealed = box.encrypt('value', 'totp');
    expect(() => box.decrypt(sealed, 'credential')).toThrow();
    expect(() =>
      new SecretBox('another-secret-entirely-0123456789abcdef').decrypt(sealed, 'totp'),
    ).toThrow();
  });

  it('detects tampering', () => {
    const parts = box.encrypt('value', 'totp').split('.');
    const body = Buffer.from(parts[3]!, 'base64url');
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'totp')).toThrow();
  });

  it('uses fresh IVs', () => {
    expect(box.encrypt('same', 'p')).not.toBe(box.encrypt('same', 'p'));
  });
});

describe('token helpers', () => {
  it('hashes, generates and compares', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(randomToken());
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
