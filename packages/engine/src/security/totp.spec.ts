import { describe, expect, it } from 'vitest';
import { newTotpSecret, totpCodeAt, totpEnrolment, verifyTotp } from './totp.js';

// RFC 6238 appendix B: SHA-1 seed "12345678901234567890" (base32 below), 8-digit code 94287082 at T=59.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

describe('totp', () => {
  it('matches the RFC 6238 test vector (last six digits)', () => {
    expect(totpCodeAt(RFC_SECRET, 59_000)).toBe('287082');
    expect(totpCodeAt(RFC_SECRET, 1_111_111_109_000)).toBe('081804');
  });

  it('accepts the current step and one step either side, nothing further', () => {
    const secret = newTotpSecret();
    const code = totpCodeAt(secret, T0);
    const step = Math.floor(T0 / 30_000);
    expect(verifyTotp(secret, code, T0, null)).toBe(step);
    expect(verifyTotp(secret, code, T0 + 30_000, null)).toBe(step);
    expect(verifyTotp(secret, code, T0 - 30_000, null)).toBe(step);
    expect(verifyTotp(secret, code, T0 + 61_000, null)).toBeNull();
    expect(verifyTotp(secret, code, T0 - 61_000, null)).toBeNull();
  });

  it('rejects a step at or before the last accepted one (replay)', () => {
    const secret = newTotpSecret();
    const step = Math.floor(T0 / 30_000);
    expect(verifyTotp(secret, totpCodeAt(secret, T0), T0, step)).toBeNull();
    expect(verifyTotp(secret, totpCodeAt(secret, T0), T0, step - 1)).toBe(step);
  });

  it('rejects malformed and wrong codes', () => {
    const secret = newTotpSecret();
    const good = totpCodeAt(secret, T0);
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    expect(verifyTotp(secret, wrong, T0, null)).toBeNull();
    expect(verifyTotp(secret, 'abcdef', T0, null)).toBeNull();
    expect(verifyTotp(secret, `${good}0`, T0, null)).toBeNull();
  });

  it('builds an otpauth URI and a PNG QR data URI', async () => {
    const secret = newTotpSecret();
    const e = await totpEnrolment(secret, 'Borealis', 'alice');
    expect(e.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Borealis:alice\?/);
    expect(e.otpauthUrl).toContain(`secret=${secret}`);
    expect(e.qrImage.startsWith('data:image/png;base64,')).toBe(true);
  });
});
