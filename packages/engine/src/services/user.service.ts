// Operator accounts: create, list, delete, reset password, change role, MFA on/off. Guards the
// rules that keep the system administrable: usernames unique (case-insensitively), the last Admin
// can be neither deleted nor demoted, and nobody deletes their own account.
import crypto from 'node:crypto';
import { PasswordSchema, USERNAME_RE, type Role, type User } from '@borealis/protocol';
import type { ApiKeyRepository } from '../db/repositories/api-key.repository.js';
import type { AuthRepository } from '../db/repositories/auth.repository.js';
import type { UserRepository, UserRow } from '../db/repositories/user.repository.js';
import { AppError, badRequest, conflict, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import { hashPassword } from '../security/passwords.js';

export interface NewUser {
  username: string;
  displayName?: string;
  password: string;
  role: Role;
  /** Defaults to true: every operator enrols TOTP unless an admin turns it off. */
  mfaEnabled?: boolean;
}

export function toUser(row: UserRow): User {
  return {
    username: row.username,
    display_name: row.display_name,
    role: row.role as Role,
    mfa_enabled: row.mfa_enabled === 1,
    last_login: row.last_login,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function checkPassword(password: string): void {
  const r = PasswordSchema.safeParse(password);
  if (!r.success) {
    throw badRequest(
      'invalid_request',
      `password: ${r.error.issues[0]?.message ?? 'invalid'}`,
      'password',
    );
  }
}

export class UserService {
  constructor(
    private readonly users: UserRepository,
    private readonly auth: AuthRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async list(): Promise<User[]> {
    return (await this.users.list()).map(toUser);
  }

  async count(): Promise<number> {
    return this.users.count();
  }

  async create(input: NewUser): Promise<User> {
    if (!USERNAME_RE.test(input.username)) {
      throw badRequest(
        'invalid_request',
        'username: letters, digits and . _ @ - only (1-64)',
        'username',
      );
    }
    checkPassword(input.password);
    if (await this.users.findByUsernameIgnoringCase(input.username)) {
      throw conflict('username_taken', `A user named "${input.username}" already exists.`);
    }
    const now = this.clock.now();
    const row: UserRow = {
      id: crypto.randomUUID(),
      username: input.username,
      display_name: input.displayName?.trim() || input.username,
      password_hash: await hashPassword(input.password),
      role: input.role,
      mfa_enabled: input.mfaEnabled === false ? 0 : 1,
      mfa_secret_enc: null,
      mfa_last_step: null,
      last_login: null,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.users.insert(row);
    } catch (err) {
      if (await this.users.findByUsername(input.username)) {
        throw conflict('username_taken', `A user named "${input.username}" already exists.`);
      }
      throw err;
    }
    this.log.info(`user "${row.username}" created with role ${row.role}`);
    return toUser(row);
  }

  /** Deletes `username`; their sessions and pending challenges go, their API keys are revoked. */
  async remove(actor: string, username: string): Promise<void> {
    const user = await this.mustGet(username);
    if (user.username === actor) {
      throw conflict('cannot_delete_self', 'You cannot delete your own account.');
    }
    await this.assertNotLastAdmin(user, 'delete');
    await this.auth.deleteSessionsForUser(user.id);
    await this.auth.deleteChallengesForUser(user.id);
    await this.apiKeys.revokeByCreator(user.username, this.clock.now());
    await this.users.delete(user.id);
    this.log.info(`user "${user.username}" deleted by "${actor}"`);
  }

  /** Sets a new password and signs the user out everywhere. */
  async resetPassword(username: string, password: string): Promise<User> {
    const user = await this.mustGet(username);
    checkPassword(password);
    const now = this.clock.now();
    const patch = { password_hash: await hashPassword(password), updated_at: now };
    await this.users.update(user.id, patch);
    await this.auth.deleteSessionsForUser(user.id);
    await this.auth.deleteChallengesForUser(user.id);
    this.log.info(`password reset for user "${user.username}"`);
    return toUser({ ...user, ...patch });
  }

  async setRole(username: string, role: Role): Promise<User> {
    const user = await this.mustGet(username);
    if (role !== 'Admin') await this.assertNotLastAdmin(user, 'demote');
    const patch = { role, updated_at: this.clock.now() };
    await this.users.update(user.id, patch);
    this.log.info(`user "${user.username}" role ${user.role} -> ${role}`);
    return toUser({ ...user, ...patch });
  }

  /** Turns MFA on or off; `resetSecret` forgets the enrolled secret so the next login re-enrols. */
  async setMfa(username: string, enabled: boolean, resetSecret = false): Promise<User> {
    const user = await this.mustGet(username);
    const patch = {
      mfa_enabled: enabled ? 1 : 0,
      mfa_secret_enc: resetSecret ? null : user.mfa_secret_enc,
      updated_at: this.clock.now(),
    };
    await this.users.update(user.id, patch);
    await this.auth.deleteChallengesForUser(user.id);
    this.log.info(
      `user "${user.username}" MFA ${enabled ? 'enabled' : 'disabled'}${resetSecret ? ', secret reset' : ''}`,
    );
    return toUser({ ...user, ...patch });
  }

  private async mustGet(username: string): Promise<UserRow> {
    const user = await this.users.findByUsername(username);
    if (!user) throw notFound('user_not_found', `No user named "${username}".`);
    return user;
  }

  private async assertNotLastAdmin(user: UserRow, what: 'delete' | 'demote'): Promise<void> {
    if (user.role !== 'Admin') return;
    if ((await this.users.countByRole('Admin')) <= 1) {
      throw new AppError(
        409,
        'last_admin',
        `Cannot ${what} the last Admin; promote another user first.`,
      );
    }
  }
}
