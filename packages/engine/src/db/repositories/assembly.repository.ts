// assemblies: one row per script, workflow or playbook in the official, community or user domain.
// The body (script, variables, files, timeout) is kept as JSON text in payload_json; the service
// parses and validates it. List reads filter by domain and kind and sort by domain, then name.
import type { Kysely } from 'kysely';
import type { AssembliesTable, DB } from '../schema.js';

export type AssemblyRow = AssembliesTable;
export type AssemblyPatch = Partial<
  Pick<
    AssembliesTable,
    | 'display_name'
    | 'summary'
    | 'category'
    | 'assembly_kind'
    | 'assembly_type'
    | 'version'
    | 'payload_json'
    | 'tags_json'
    | 'checksum'
  >
> & { updated_at: number };

export interface AssemblyFilter {
  domain?: string;
  kind?: string;
}

export class AssemblyRepository {
  constructor(private readonly db: Kysely<DB>) {}

  list(filter: AssemblyFilter = {}): Promise<AssemblyRow[]> {
    let q = this.db.selectFrom('assemblies').selectAll();
    if (filter.domain) q = q.where('domain', '=', filter.domain);
    if (filter.kind) q = q.where('assembly_kind', '=', filter.kind);
    return q
      .orderBy('domain')
      .orderBy((eb) => eb.fn('lower', ['display_name']))
      .orderBy('assembly_guid')
      .execute();
  }

  async findByGuid(guid: string): Promise<AssemblyRow | null> {
    const row = await this.db
      .selectFrom('assemblies')
      .selectAll()
      .where('assembly_guid', '=', guid)
      .executeTakeFirst();
    return row ?? null;
  }

  async insert(row: AssemblyRow): Promise<void> {
    await this.db.insertInto('assemblies').values(row).execute();
  }

  /** Returns false when no assembly has that guid. */
  async update(guid: string, patch: AssemblyPatch): Promise<boolean> {
    const res = await this.db
      .updateTable('assemblies')
      .set(patch)
      .where('assembly_guid', '=', guid)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Updates only while the row still has `version` (optimistic lock): two concurrent edits of one
   * assembly cannot both win. Returns false when the row changed or vanished meanwhile.
   */
  async updateIfVersion(guid: string, version: number, patch: AssemblyPatch): Promise<boolean> {
    const res = await this.db
      .updateTable('assemblies')
      .set(patch)
      .where('assembly_guid', '=', guid)
      .where('version', '=', version)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(guid: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('assemblies')
      .where('assembly_guid', '=', guid)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
