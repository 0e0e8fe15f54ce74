// credentials: named secrets for credential variables. `secret_enc` holds the SecretBox-sealed
// value; list and lookup reads used for API replies never select it (see PUBLIC_COLUMNS).
import type { Kysely } from 'kysely';
import type { CredentialsTable, DB } from '../schema.js';

export type CredentialRow = Omit<CredentialsTable, 'secret_enc'>;
export type CredentialPatch = Partial<
  Pick<
    CredentialsTable,
    'name' | 'description' | 'credential_type' | 'username' | 'secret_enc' | 'site_id'
  >
> & { updated_at: number };

const PUBLIC_COLUMNS = [
  'id',
  'name',
  'description',
  'credential_type',
  'username',
  'site_id',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export class CredentialRepository {
  constructor(private readonly db: Kysely<DB>) {}

  list(): Promise<CredentialRow[]> {
    return this.db
      .selectFrom('credentials')
      .select(PUBLIC_COLUMNS)
      .orderBy((eb) => eb.fn('lower', ['name']))
      .orderBy('name')
      .execute();
  }

  async findById(id: string): Promise<CredentialRow | null> {
    const row = await this.db
      .selectFrom('credentials')
      .select(PUBLIC_COLUMNS)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Case-insensitive: "Domain Admin" and "domain admin" are the same credential name. */
  async findByName(name: string): Promise<CredentialRow | null> {
    const row = await this.db
      .selectFrom('credentials')
      .select(PUBLIC_COLUMNS)
      .where((eb) => eb(eb.fn('lower', ['name']), '=', eb.fn('lower', [eb.val(name)])))
      .executeTakeFirst();
    return row ?? null;
  }

  /** The sealed secret alone, for the dispatcher; null when the credential does not exist. */
  async findSealedSecret(id: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('credentials')
      .select('secret_enc')
      .where('id', '=', id)
      .executeTakeFirst();
    return row?.secret_enc ?? null;
  }

  async siteExists(siteId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('sites')
      .select('id')
      .where('id', '=', siteId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async insert(row: CredentialsTable): Promise<void> {
    await this.db.insertInto('credentials').values(row).execute();
  }

  /** Returns false when no credential has that id. */
  async update(id: string, patch: CredentialPatch): Promise<boolean> {
    const res = await this.db
      .updateTable('credentials')
      .set(patch)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('credentials').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
