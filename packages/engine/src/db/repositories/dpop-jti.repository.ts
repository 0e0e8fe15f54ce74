// dpop_jti: the DPoP replay cache. A proof's (key, jti) hash is remembered until its iat can no
// longer pass the freshness window; storing it in the database makes replay detection survive
// restarts and hold across engine nodes sharing PostgreSQL.
import type { Kysely } from 'kysely';
import type { DB } from '../schema.js';

export class DpopJtiRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Records `jtiHash` until `expiresAt`. Returns true when it was new (or only an expired record
   * of it remained), false when a live record exists: a replay. Atomic under concurrency.
   */
  async remember(jtiHash: string, expiresAt: number, now: number): Promise<boolean> {
    const res = await this.db
      .insertInto('dpop_jti')
      .values({ jti_hash: jtiHash, expires_at: expiresAt })
      .onConflict((oc) =>
        oc
          .column('jti_hash')
          .doUpdateSet({ expires_at: expiresAt })
          .where('dpop_jti.expires_at', '<=', now),
      )
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async deleteExpired(now: number): Promise<number> {
    const res = await this.db
      .deleteFrom('dpop_jti')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
