// Operator sign-in: password login, TOTP challenge (setup or verify stage), sessions, lockout
// back-off per username and per client IP, first-admin bootstrap (seeded admin or one-time setup
// token) and pruning of expired state. Also the Authenticator the route guard asks per request.
import type { MfaRequired, Role, SessionInfo, User } from '@borealis/protocol';
import type { EngineConfig } from '../config.js';
import type { AuthRepository } from '../db/repositories/auth.repository.js';
import type { UserRepository, UserRow } from '../db/repositories/user.repository.js';
import type { Authenticator, Principal } from '../http/auth-guard.js';
import { AppError, conflict, forbidden, unauthorized } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import { dummyVerify, verifyPassword } from '../security/passwords.js';
import { randomToken, sha256Hex, type SecretBox } from '../security/secret-box.js';
import { newTotpSecret, totpEnrolment, verifyTotp } from '../security/totp.js';
import type { ApiKeyService } from './api-key.service.js';
import type { UserService } from './user.service.js';

export const LOCKOUT = {
  threshold: 5,
  baseMs: 30_000,
  maxMs: 15 * 60_000,
  /** Unlocked counter rows untouched this long are pruned. */
  staleMs: 24 * 3600_000,
};
const CHALLENGE_TTL_MS = 300_000;
const CHALLENGE_MAX_ATTEMPTS = 5;
const SETUP_TOKEN_TTL_MS = 24 * 3600_000;
const SESSION_TOUCH_MS = 60_000;
const TOTP_PURPOSE = 'totp';

export interface NewSession {
  token: string;
  maxAgeSeconds: number;
  info: SessionInfo;
}
export type LoginOutcome =
  { kind: 'session'; session: NewSession } | { kind: 'mfa'; mfa: MfaRequired };

export interface AuthDeps {
  users: UserRepository;
  repo: AuthRepository;
  userService: UserService;
  apiKeys: ApiKeyService;
  clock: Clock;
  secrets: SecretBox;
  config: EngineConfig;
  log: Logger;
}

export class AuthService implements Authenticator {
  constructor(private readonly d: AuthDeps) {}

  async authenticate(input: {
    sessionToken?: string;
    bearer?: string;
    ip: string;
  }): Promise<Principal | null> {
    if (input.bearer) return this.d.apiKeys.authenticate(input.bearer);
    if (!input.sessionToken) return null;
    const session = await this.d.repo.findSession(sha256Hex(input.sessionToken));
    const now = this.d.clock.now();
    if (!session || session.expires_at <= now) return null;
    const user = await this.d.users.findById(session.user_id);
    if (!user) return null;
    if (now - session.last_seen_at >= SESSION_TOUCH_MS)
      await this.d.repo.touchSession(session.id, now);
    return {
      userId: user.id,
      username: user.username,
      displayName: user.display_name,
      role: user.role as Role,
      via: 'session',
      sessionId: session.id,
      csrfToken: session.csrf_token,
    };
  }

  async login(input: { username: string; password: string; ip: string }): Promise<LoginOutcome> {
    const keys = throttleKeys(input.username, input.ip);
    await this.assertNotLocked(keys);
    const user = await this.d.users.findByUsername(input.username);
    const ok = user
      ? await verifyPassword(user.password_hash, input.password)
      : await dummyVerify(input.password);
    if (!user || !ok) {
      await this.recordFailure(keys);
      this.d.log.warn(`login failed for "${input.username}" from ${input.ip}`);
      throw unauthorized('invalid_credentials', 'Wrong username or password.');
    }
    if (user.mfa_enabled !== 1)
      return { kind: 'session', session: await this.openSession(user, input.ip) };
    return { kind: 'mfa', mfa: await this.startChallenge(user) };
  }

  /** Username behind a pending MFA token (for the audit row), or null. */
  async challengeUsername(pendingToken: string): Promise<string | null> {
    const ch = await this.d.repo.findChallenge(sha256Hex(pendingToken));
    if (!ch) return null;
    return (await this.d.users.findById(ch.user_id))?.username ?? null;
  }

  async verifyMfa(input: { pendingToken: string; code: string; ip: string }): Promise<NewSession> {
    const id = sha256Hex(input.pendingToken);
    const ch = await this.d.repo.findChallenge(id);
    if (!ch) throw unauthorized('invalid_session', 'Sign in again: this MFA request is unknown.');
    const now = this.d.clock.now();
    if (ch.expires_at <= now) {
      await this.d.repo.deleteChallenge(id);
      throw unauthorized('expired', 'The MFA request expired; sign in again.');
    }
    const user = await this.d.users.findById(ch.user_id);
    if (!user || ch.attempts >= CHALLENGE_MAX_ATTEMPTS) {
      await this.d.repo.deleteChallenge(id);
      throw unauthorized('invalid_session', 'Sign in again: this MFA request is no longer valid.');
    }
    const keys = throttleKeys(user.username, input.ip);
    await this.assertNotLocked(keys);
    const sealed = ch.stage === 'setup' ? ch.secret_enc : user.mfa_secret_enc;
    if (!sealed) throw forbidden('mfa_not_configured', 'MFA is not set up for this account.');
    const secret = this.d.secrets.decrypt(sealed, TOTP_PURPOSE);
    const step = verifyTotp(secret, input.code, now, user.mfa_last_step);
    if (step === null || !(await this.d.users.advanceMfaStep(user.id, step))) {
      const attempts = await this.d.repo.bumpChallengeAttempts(id);
      if (attempts >= CHALLENGE_MAX_ATTEMPTS) await this.d.repo.deleteChallenge(id);
      await this.recordFailure(keys);
      this.d.log.warn(`wrong MFA code for "${user.username}" from ${input.ip}`);
      throw unauthorized('invalid_code', 'That code is wrong or was already used.');
    }
    if (!(await this.d.repo.deleteChallenge(id))) {
      throw unauthorized('invalid_session', 'Sign in again: this MFA request was already used.');
    }
    if (ch.stage === 'setup') {
      await this.d.users.update(user.id, { mfa_secret_enc: ch.secret_enc, updated_at: now });
      this.d.log.info(`user "${user.username}" enrolled TOTP`);
    }
    return this.openSession(user, input.ip);
  }

  async logout(principal: Principal): Promise<void> {
    if (principal.via === 'session' && principal.sessionId)
      await this.d.repo.deleteSession(principal.sessionId);
  }

  async setupRequired(): Promise<boolean> {
    return (await this.d.users.count()) === 0;
  }

  /** First start: seed the configured admin, or mint a one-time setup token (printed, never logged). */
  async bootstrap(): Promise<{ setupToken?: string; seededAdmin?: string }> {
    if (!(await this.setupRequired())) return {};
    const { username, password } = this.d.config.admin;
    if (username && password) {
      await this.d.userService.create({ username, password, role: 'Admin', mfaEnabled: true });
      return { seededAdmin: username };
    }
    await this.d.repo.deleteUnusedSetupTokens();
    const token = randomToken(32);
    const now = this.d.clock.now();
    await this.d.repo.insertSetupToken({
      id: sha256Hex(token),
      created_at: now,
      expires_at: now + SETUP_TOKEN_TTL_MS,
      used_at: null,
    });
    return { setupToken: token };
  }

  /** Creates the first Admin with a valid, unused setup token. */
  async completeSetup(input: {
    token: string;
    username: string;
    displayName?: string;
    password: string;
  }): Promise<User> {
    if (!(await this.setupRequired()))
      throw conflict('setup_complete', 'An operator account already exists.');
    const id = sha256Hex(input.token);
    const row = await this.d.repo.findSetupToken(id);
    const now = this.d.clock.now();
    if (
      !row ||
      row.used_at !== null ||
      row.expires_at <= now ||
      !(await this.d.repo.consumeSetupToken(id, now))
    ) {
      throw unauthorized('invalid_setup_token', 'The setup token is wrong, used or expired.');
    }
    const user = await this.d.userService.create({
      username: input.username,
      displayName: input.displayName,
      password: input.password,
      role: 'Admin',
      mfaEnabled: true,
    });
    this.d.log.info(`first admin "${user.username}" created through setup`);
    return user;
  }

  async prune(): Promise<void> {
    const now = this.d.clock.now();
    await this.d.repo.prune(now, now - LOCKOUT.staleMs);
  }

  private async startChallenge(user: UserRow): Promise<MfaRequired> {
    await this.d.repo.deleteChallengesForUser(user.id);
    const pending = randomToken(32);
    const now = this.d.clock.now();
    const setup = !user.mfa_secret_enc;
    const secret = setup ? newTotpSecret() : null;
    await this.d.repo.insertChallenge({
      id: sha256Hex(pending),
      user_id: user.id,
      stage: setup ? 'setup' : 'verify',
      secret_enc: secret ? this.d.secrets.encrypt(secret, TOTP_PURPOSE) : null,
      attempts: 0,
      created_at: now,
      expires_at: now + CHALLENGE_TTL_MS,
    });
    const base = {
      status: 'mfa_required' as const,
      pending_token: pending,
      username: user.username,
      role: user.role as Role,
    };
    if (!secret) return { ...base, stage: 'verify' };
    const e = await totpEnrolment(secret, this.d.config.mfaIssuer, user.username);
    return {
      ...base,
      stage: 'setup',
      secret: e.secret,
      otpauth_url: e.otpauthUrl,
      qr_image: e.qrImage,
    };
  }

  private async openSession(user: UserRow, ip: string): Promise<NewSession> {
    const token = randomToken(32);
    const csrf = randomToken(32);
    const now = this.d.clock.now();
    const ttl = this.d.config.sessionTtlSeconds;
    await this.d.repo.insertSession({
      id: sha256Hex(token),
      user_id: user.id,
      csrf_token: csrf,
      source_ip: ip,
      created_at: now,
      expires_at: now + ttl * 1000,
      last_seen_at: now,
    });
    await this.d.users.update(user.id, { last_login: now });
    await this.d.repo.clearThrottle(throttleKeys(user.username, ip));
    this.d.log.info(`login ok for "${user.username}" from ${ip}`);
    return {
      token,
      maxAgeSeconds: ttl,
      info: {
        status: 'ok',
        username: user.username,
        display_name: user.display_name,
        role: user.role as Role,
        csrf_token: csrf,
      },
    };
  }

  private async assertNotLocked(keys: string[]): Promise<void> {
    const now = this.d.clock.now();
    const until = Math.max(0, ...(await this.d.repo.findThrottle(keys)).map((r) => r.locked_until));
    if (until > now) {
      const retryAfter = Math.ceil((until - now) / 1000);
      throw new AppError(
        429,
        'rate_limited',
        `Too many failed sign-ins; try again in ${retryAfter} s.`,
        {
          retryAfter,
        },
      );
    }
  }

  private async recordFailure(keys: string[]): Promise<void> {
    const now = this.d.clock.now();
    for (const key of keys) {
      const failures = await this.d.repo.addFailure(key, now);
      if (failures >= LOCKOUT.threshold) {
        const ms = Math.min(LOCKOUT.baseMs * 2 ** (failures - LOCKOUT.threshold), LOCKOUT.maxMs);
        await this.d.repo.lock(key, now + ms);
        this.d.log.warn(`sign-in locked for ${key} for ${ms / 1000} s after ${failures} failures`);
      }
    }
  }
}

/** Lockout counters are kept per username (case-folded) and per client IP. */
export function throttleKeys(username: string, ip: string): string[] {
  return [`user:${username.toLowerCase()}`, `ip:${ip}`];
}
