// TOTP (RFC 6238) for operator MFA via otplib 13: SHA-1, 6 digits, 30 s steps, one step of drift
// either way. Time comes from the injected clock, and the caller passes the last accepted step
// so a code is never accepted twice. Enrolment QR codes are PNG data URIs.
import { generateSecret, generateSync, generateURI, verifySync } from 'otplib';
import QRCode from 'qrcode';

const PERIOD_SECONDS = 30;
const DIGITS = 6;

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  qrImage: string;
}

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** otpauth:// URI and its QR code (PNG data URI) for an authenticator app. */
export async function totpEnrolment(
  secret: string,
  issuer: string,
  username: string,
): Promise<TotpEnrolment> {
  const otpauthUrl = generateURI({
    issuer,
    label: username,
    secret,
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });
  const qrImage = await QRCode.toDataURL(otpauthUrl, { errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUrl, qrImage };
}

/** The code for `secret` at `epochMs`. */
export function totpCodeAt(secret: string, epochMs: number): string {
  return generateSync({
    secret,
    digits: DIGITS,
    period: PERIOD_SECONDS,
    epoch: Math.floor(epochMs / 1000),
  });
}

/**
 * Checks `code` at `epochMs` (±1 step). Returns the matched time step, or null when the code is
 * wrong or its step is not after `lastStep` (a replay).
 */
export function verifyTotp(
  secret: string,
  code: string,
  epochMs: number,
  lastStep: number | null,
): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const result = verifySync({
    secret,
    token: code,
    digits: DIGITS,
    period: PERIOD_SECONDS,
    epoch: Math.floor(epochMs / 1000),
    epochTolerance: PERIOD_SECONDS,
    ...(lastStep !== null ? { afterTimeStep: lastStep } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}
