// Sign-in state: operator_sessions, auth_challenges (pending MFA), login_throttle (lockout
// counters) and setup_tokens (first-admin bootstrap). Bearer values are stored as SHA-256 ids.
import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  AuthChallengesTable,
  DB,
  LoginThrottleTable,
  OperatorSessionsTable,
  SetupTokensTable,
} from '../schema.js';

export type SessionRow = Selectable<OperatorSessionsTable>;
export type ChallengeRow = Selectable<AuthChallengesTable>;
export type ThrottleRow = Selectable<LoginThrottleTable>;
export type SetupTokenRow = Selectable<SetupTokensTable>;

export class AuthRepository {
  constructor(private readonly db: Kysely<DB>) {}

  // ---- sessions
  async insertSession(row: SessionRow): Promise<void> {
    await this.db.insertInto('operator_sessions').values(row).execute();
  }

  findSession(id: string): Promise<SessionRow | undefined> {
    return this.db
      .selectFrom('operator_sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async touchSession(id: string, now: number): Promise<void> {
    await this.db
      .updateTable('operator_sessions')
      .set({ last_seen_at: now })
      .where('id', '=', id)
      .execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.deleteFrom('operator_sessions').where('id', '=', id).execute();
  }

  async deleteSessionsForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('operator_sessions').where('user_id', '=', userId).execute();
  }

  // ---- MFA challenges
  async insertChallenge(row: ChallengeRow): Promise<void> {
    await this.db.insertInto('auth_challenges').values(row).execute();
  }

  findChallenge(id: string): Promise<ChallengeRow | undefined> {
    return this.db
      .selectFrom('auth_challenges')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Counts one more attempt against the challenge; returns the new total. */
  async bumpChallengeAttempts(id: string): Promise<number> {
    await this.db
      .updateTable('auth_challenges')
      .set({ attempts: sql<number>`attempts + 1` })
      .where('id', '=', id)
      .execute();
    const r = await this.db
      .selectFrom('auth_challenges')
      .select('attempts')
      .where('id', '=', id)
      .executeTakeFirst();
    return r?.attempts ?? Number.MAX_SAFE_INTEGER;
  }

  /** True when this call removed the challenge (so only one request can complete it). */
  async deleteChallenge(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('auth_challenges').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteChallengesForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('auth_challenges').where('user_id', '=', userId).execute();
  }

  // ---- lockout counters
  findThrottle(keys: string[]): Promise<ThrottleRow[]> {
    return this.db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute();
  }

  /** Adds one failure to `key` (creating the row) and returns the new consecutive count. */
  async addFailure(key: string, now: number): Promise<number> {
    await this.db
      .insertInto('login_throttle')
      .values({ key, failures: 1, locked_until: 0, updated_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`login_throttle.failures + 1`,
          updated_at: now,
        }),
      )
      .execute();
    const r = await this.db
      .selectFrom('login_throttle')
      .select('failures')
      .where('key', '=', key)
      .executeTakeFirst();
    return r?.failures ?? 1;
  }

  async lock(key: string, until: number): Promise<void> {
    await this.db
      .updateTable('login_throttle')
      .set({ locked_until: until })
      .where('key', '=', key)
      .execute();
  }

  async clearThrottle(keys: string[]): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', 'in', keys).execute();
  }

  // ---- first-admin setup tokens
  async insertSetupToken(row: SetupTokenRow): Promise<void> {
    await this.db.insertInto('setup_tokens').values(row).execute();
  }

  findSetupToken(id: string): Promise<SetupTokenRow | undefined> {
    return this.db.selectFrom('setup_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Marks an unused token used; false if it was already used (or is unknown). */
  async consumeSetupToken(id: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('setup_tokens')
      .set({ used_at: now })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async deleteUnusedSetupTokens(): Promise<void> {
    await this.db.deleteFrom('setup_tokens').where('used_at', 'is', null).execute();
  }

  // ---- maintenance
  async prune(now: number, staleThrottleBefore: number): Promise<void> {
    await this.db.deleteFrom('operator_sessions').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('auth_challenges').where('expires_at', '<=', now).execute();
    await this.db
      .deleteFrom('setup_tokens')
      .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]))
      .execute();
    await this.db
      .deleteFrom('login_throttle')
      .where('locked_until', '<=', now)
      .where('updated_at', '<', staleThrottleBefore)
      .execute();
  }
}
