// sites: one row per site with its static enrollment code. Reads join a per-site device count
// (one grouped subquery, never a query per site); deletes run in one transaction that detaches
// the site's devices and removes its installer codes.
import type { Kysely } from 'kysely';
import type { DB, SitesTable } from '../schema.js';

export type SiteRow = SitesTable & { device_count: number };
export type SitePatch = Partial<
  Pick<SitesTable, 'name' | 'description' | 'enrollment_code' | 'auto_approve'>
> & {
  updated_at: number;
};

/** True when a driver error is a UNIQUE constraint violation (better-sqlite3 or pg). */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

export class SiteRepository {
  constructor(private readonly db: Kysely<DB>) {}

  private withCounts() {
    const counts = this.db
      .selectFrom('devices')
      .select((eb) => ['devices.site_id', eb.fn.countAll<number>().as('n')])
      .where('devices.site_id', 'is not', null)
      .groupBy('devices.site_id')
      .as('dc');
    return this.db
      .selectFrom('sites')
      .leftJoin(counts, 'dc.site_id', 'sites.id')
      .selectAll('sites')
      .select((eb) => eb.fn.coalesce('dc.n', eb.lit(0)).as('device_count'));
  }

  async list(): Promise<SiteRow[]> {
    const rows = await this.withCounts()
      .orderBy((eb) => eb.fn('lower', ['sites.name']))
      .orderBy('sites.name')
      .execute();
    return rows.map(toRow);
  }

  async findById(id: string): Promise<SiteRow | null> {
    const row = await this.withCounts().where('sites.id', '=', id).executeTakeFirst();
    return row ? toRow(row) : null;
  }

  /** Case-insensitive name lookup (names are unique regardless of case). */
  async findByName(name: string): Promise<SitesTable | null> {
    const row = await this.db
      .selectFrom('sites')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['name']), '=', eb.fn('lower', [eb.val(name)])))
      .executeTakeFirst();
    return row ?? null;
  }

  /** Exact match on the canonical (uppercase, dashed) enrollment code. */
  async findByEnrollmentCode(code: string): Promise<SitesTable | null> {
    const row = await this.db
      .selectFrom('sites')
      .selectAll()
      .where('enrollment_code', '=', code)
      .executeTakeFirst();
    return row ?? null;
  }

  async insert(row: SitesTable): Promise<void> {
    await this.db.insertInto('sites').values(row).execute();
  }

  /** Returns false when no site has that id. */
  async update(id: string, patch: SitePatch): Promise<boolean> {
    const res = await this.db
      .updateTable('sites')
      .set(patch)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Deletes the sites, their installer codes and device mappings atomically; returns sites deleted. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      await trx.updateTable('devices').set({ site_id: null }).where('site_id', 'in', ids).execute();
      await trx.deleteFrom('enrollment_install_codes').where('site_id', 'in', ids).execute();
      const res = await trx.deleteFrom('sites').where('id', 'in', ids).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }
}

function toRow(r: SitesTable & { device_count: unknown }): SiteRow {
  return { ...r, device_count: Number(r.device_count) };
}
