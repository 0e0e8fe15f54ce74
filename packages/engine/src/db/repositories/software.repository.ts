// device_software_inventory: one row per package a device reported. A details report carrying
// software replaces the device's whole list in one transaction; reads are paged and searchable.
import { sql, type Kysely } from 'kysely';
import { ilike } from '../dialect.js';
import type { DB } from '../schema.js';

export interface SoftwareWrite {
  name: string;
  name_normalized: string;
  version: string;
  source: string;
}

export interface SoftwareRow {
  name: string;
  version: string;
  source: string;
  captured_at: number;
}

/** 5 parameters per row: well below both drivers' bind limits. */
const CHUNK = 500;

function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class SoftwareRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Replaces the device's inventory atomically: readers see the old list or the new one. */
  async replace(guid: string, items: readonly SoftwareWrite[], capturedAt: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('device_software_inventory').where('device_guid', '=', guid).execute();
      for (let i = 0; i < items.length; i += CHUNK) {
        await trx
          .insertInto('device_software_inventory')
          .values(
            items.slice(i, i + CHUNK).map((it) => ({
              device_guid: guid,
              name: it.name,
              name_normalized: it.name_normalized,
              version: it.version,
              source: it.source,
              captured_at: capturedAt,
            })),
          )
          .execute();
      }
    });
  }

  private scoped(guid: string, q?: string) {
    let qb = this.db.selectFrom('device_software_inventory').where('device_guid', '=', guid);
    const text = q?.trim().toLowerCase();
    if (text) {
      const op = sql.raw(ilike(this.db));
      qb = qb.where(sql<boolean>`name_normalized ${op} ${containsPattern(text)} ESCAPE '\\'`);
    }
    return qb;
  }

  async list(
    guid: string,
    opts: { q?: string; limit: number; offset: number },
  ): Promise<{ rows: SoftwareRow[]; total: number }> {
    const rows = await this.scoped(guid, opts.q)
      .select(['name', 'version', 'source', 'captured_at'])
      .orderBy('name_normalized')
      .orderBy('version')
      .orderBy('id')
      .limit(opts.limit)
      .offset(opts.offset)
      .execute();
    const count = await this.scoped(guid, opts.q)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return {
      rows: rows.map((r) => ({ ...r, captured_at: Number(r.captured_at) })),
      total: Number(count?.n ?? 0),
    };
  }

  async count(guid: string): Promise<number> {
    const row = await this.scoped(guid)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}
