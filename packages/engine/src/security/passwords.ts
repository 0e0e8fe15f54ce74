// Operator password hashing: Argon2id (explicitly selected, OWASP baseline cost) via @node-rs/argon2.
// Only the encoded hash ($argon2id$...) is ever stored; plaintext never leaves this call.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

/** Argon2id's numeric id in @node-rs/argon2 (its enum is a const enum, unusable under isolatedModules). */
const ARGON2ID = 2 as Algorithm;

const OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
};

/** A hash of a fixed throwaway password, verified against for unknown users so timing matches. */
let dummyHash: Promise<string> | null = null;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** True when `password` matches `encoded`; false (never throws) for malformed hashes. */
export async function verifyPassword(encoded: string, password: string): Promise<boolean> {
  try {
    return await verify(encoded, password, OPTIONS);
  } catch {
    return false;
  }
}

/** Spends the same work as a real verification, for usernames that do not exist. */
export async function dummyVerify(password: string): Promise<false> {
  dummyHash ??= hashPassword('borealis-timing-equaliser');
  await verifyPassword(await dummyHash, password);
  return false;
}
