import { describe, expect, it } from 'vitest';
import { ENROLLMENT_CODE_RE } from '@borealis/protocol';
import { generateEnrollmentCode, normalizeEnrollmentCode } from './enrollment-code.js';

describe('generateEnrollmentCode', () => {
  it('yields 32 uppercase hex characters in 8 dash-separated groups of 4', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateEnrollmentCode();
      expect(code).toMatch(ENROLLMENT_CODE_RE);
      expect(code).toHaveLength(39);
      expect(code.split('-')).toHaveLength(8);
      expect(code.replaceAll('-', '')).toMatch(/^[0-9A-F]{32}$/);
    }
  });

  it('does not repeat itself', () => {
    const seen = new Set(Array.from({ length: 1000 }, () => generateEnrollmentCode()));
    expect(seen.size).toBe(1000);
  });

  it('uses every hex digit over many codes (randomness, not a fixed alphabet subset)', () => {
    const digits = new Set(
      Array.from({ length: 50 }, () => generateEnrollmentCode().replaceAll('-', '')).join(''),
    );
    expect(digits.size).toBe(16);
  });
});

describe('normalizeEnrollmentCode', () => {
  const code = 'ABCD-0123-4567-89EF-FEDC-BA98-7654-3210';

  it('keeps a canonical code as it is', () => {
    expect(normalizeEnrollmentCode(code)).toBe(code);
  });

  it('uppercases and trims', () => {
    expect(normalizeEnrollmentCode(`  ${code.toLowerCase()}\n`)).toBe(code);
  });

  it('regroups the bare 32-character form', () => {
    expect(normalizeEnrollmentCode(code.replaceAll('-', '').toLowerCase())).toBe(code);
  });

  it.each([
    '',
    'ABCD-0123',
    'ABCD-0123-4567-89EF-FEDC-BA98-7654-321',
    'ABCD-0123-4567-89EF-FEDC-BA98-7654-32100',
    'GBCD-0123-4567-89EF-FEDC-BA98-7654-3210',
    'ABCD_0123_4567_89EF_FEDC_BA98_7654_3210',
    'ABCD01234567-89EF-FEDC-BA98-7654-3210',
  ])('rejects %j', (input) => {
    expect(normalizeEnrollmentCode(input)).toBeNull();
  });
});
