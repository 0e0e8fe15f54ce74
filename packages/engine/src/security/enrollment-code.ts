// Enrollment codes (site codes and installer codes): 32 uppercase hex characters from 16 random
// bytes, shown as 8 dash-separated groups of 4. Matching is case-insensitive, so inputs are
// normalised to the canonical form before any lookup.
import crypto from 'node:crypto';
import { ENROLLMENT_CODE_RE } from '@borealis/protocol';

const GROUP = 4;

function group(hex32: string): string {
  const parts: string[] = [];
  for (let i = 0; i < hex32.length; i += GROUP) parts.push(hex32.slice(i, i + GROUP));
  return parts.join('-');
}

/** A fresh code, e.g. `3F2A-09BC-…` (8 groups). */
export function generateEnrollmentCode(): string {
  return group(crypto.randomBytes(16).toString('hex').toUpperCase());
}

/**
 * Canonical form of a typed or pasted code: trimmed, uppercase, dashed. Accepts the dashed form
 * or the bare 32 hex characters; anything else yields null.
 */
export function normalizeEnrollmentCode(input: string): string | null {
  const upper = input.trim().toUpperCase();
  if (ENROLLMENT_CODE_RE.test(upper)) return upper;
  if (/^[0-9A-F]{32}$/.test(upper)) return group(upper);
  return null;
}
