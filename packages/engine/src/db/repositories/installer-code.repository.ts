// enrollment_install_codes: expiring, limited-use installer codes (optionally tied to a site).
// Status filters here mirror installerCodeStatus() in the service: used (use_count >= max_uses)
// wins over expired (expires_at <= now); everything else is active.
import type { Kysely } from 'kysely';
import type { InstallerCodeStatus } from '@borealis/protocol';
import type { DB, InstallCodesTable } from '../schema.js';

export type InstallerCodeRow = InstallCodesTable & { site_name: string | null };

export class InstallerCodeRepository {
  constructor(private readonly db: Kysely<DB>) {}

  private base() {
    return this.db
      .selectFrom('enrollment_install_codes as c')
      .leftJoin('sites as s', 's.id', 'c.site_id')
      .selectAll('c')
      .select('s.name as site_name');
  }

  /** Newest first; `status` narrows to codes in that state at `now`. */
  async list(filter: { status?: InstallerCodeStatus; now: number }): Promise<InstallerCodeRow[]> {
    let q = this.base();
    const { now } = filter;
    if (filter.status === 'used') {
      q = q.whereRef('c.use_count', '>=', 'c.max_uses');
    } else if (filter.status === 'expired') {
      q = q.whereRef('c.use_count', '<', 'c.max_uses').where('c.expires_at', '<=', now);
    } else if (filter.status === 'active') {
      q = q.whereRef('c.use_count', '<', 'c.max_uses').where('c.expires_at', '>', now);
    }
    return q.orderBy('c.created_at', 'desc').orderBy('c.id').execute();
  }

  async findById(id: string): Promise<InstallerCodeRow | null> {
    return (await this.base().where('c.id', '=', id).executeTakeFirst()) ?? null;
  }

  /** Exact match on the canonical (uppercase, dashed) code. */
  async findByCode(code: string): Promise<InstallerCodeRow | null> {
    return (await this.base().where('c.code', '=', code).executeTakeFirst()) ?? null;
  }

  async insert(row: InstallCodesTable): Promise<void> {
    await this.db.insertInto('enrollment_install_codes').values(row).execute();
  }

  /** Deletes the code only while it has never been used; returns whether a row went. */
  async deleteUnused(id: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('enrollment_install_codes')
      .where('id', '=', id)
      .where('use_count', '=', 0)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * Counts one use in a single conditional UPDATE, so concurrent enrollments can never push a
   * code past max_uses or use it after expiry. Returns false when the code was not usable.
   */
  async recordUse(id: string, guid: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('enrollment_install_codes')
      .set((eb) => ({
        use_count: eb('use_count', '+', 1),
        last_used_at: now,
        used_by_guid: guid,
      }))
      .where('id', '=', id)
      .whereRef('use_count', '<', 'max_uses')
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}
