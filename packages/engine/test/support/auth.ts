// Test helpers for operator access: create users through the services, mint API-key or session
// headers for a role, and compute the current TOTP code for a secret at a (fake) clock time.
import crypto from 'node:crypto';
import type { Role } from '@borealis/protocol';
import { totpCodeAt } from '../../src/security/totp.js';
import type { TestApp } from './test-app.js';

export const DEFAULT_TEST_PASSWORD = 'correct-horse-battery-staple';

function uniqueName(role: Role): string {
  return `${role.toLowerCase()}-${crypto.randomBytes(4).toString('hex')}`;
}

/** Creates an operator account directly through the user service (MFA off unless asked). */
export async function createUser(
  t: TestApp,
  opts: { role: Role; username?: string; password?: string; mfa?: boolean },
): Promise<{ username: string; password: string }> {
  const username = opts.username ?? uniqueName(opts.role);
  const password = opts.password ?? DEFAULT_TEST_PASSWORD;
  await t.ctx.services.users.create({
    username,
    password,
    role: opts.role,
    mfaEnabled: opts.mfa ?? false,
  });
  return { username, password };
}

/** A fresh user and API key of `role`; returns the Authorization header that carries the key. */
export async function apiKeyHeaders(t: TestApp, role: Role): Promise<Record<string, string>> {
  const { username } = await createUser(t, { role });
  const created = await t.ctx.services.apiKeys.create({
    name: `test ${role}`,
    role,
    createdBy: username,
  });
  return { authorization: `Bearer ${created.key}` };
}

/** A fresh user (no MFA) of `role`, logged in over HTTP; returns its cookie and CSRF headers. */
export async function sessionHeaders(t: TestApp, role: Role): Promise<Record<string, string>> {
  const { username, password } = await createUser(t, { role });
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) {
    throw new Error(`test login failed: ${res.statusCode} ${res.body}`);
  }
  const cookie = res.cookies.find((c) => c.name === 'borealis_session');
  const body = res.json<{ csrf_token?: string }>();
  if (!cookie || !body.csrf_token) throw new Error('test login returned no session');
  return { cookie: `borealis_session=${cookie.value}`, 'x-csrf-token': body.csrf_token };
}

/** The 6-digit TOTP code for `secret` (base32) at `epochMs`. */
export function totpCode(secret: string, epochMs: number): string {
  return totpCodeAt(secret, epochMs);
}
