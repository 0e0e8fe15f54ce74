// refresh_tokens: SHA-256 hashes of device refresh tokens, grouped in families (one per
// enrollment). A used token is marked rotated (kept briefly for reuse detection) and its
// successor inserted; revoking marks every live token of a family or a device.
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { DB, RefreshTokensTable } from '../schema.js';

/** expires_at capped at `limit` (portable: no LEAST/MIN scalar that differs across dialects). */
function earlierOf(eb: ExpressionBuilder<DB, 'refresh_tokens'>, limit: number) {
  return eb
    .case()
    .when('expires_at', '<', limit)
    .then(eb.ref('expires_at'))
    .else(eb.val(limit))
    .end();
}

export type RefreshTokenRow = RefreshTokensTable;

export class RefreshTokenRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(row: RefreshTokenRow): Promise<void> {
    await this.db.insertInto('refresh_tokens').values(row).execute();
  }

  async findByHash(hash: string): Promise<RefreshTokenRow | null> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    return row ?? null;
  }

  /**
   * Marks a live token rotated and shortens its life to `keepUntil`; false when it was already
   * rotated or revoked (a concurrent use).
   */
  async markRotated(id: string, now: number, keepUntil: number): Promise<boolean> {
    const res = await this.db
      .updateTable('refresh_tokens')
      .set((eb) => ({
        rotated_at: now,
        expires_at: earlierOf(eb, keepUntil),
      }))
      .where('id', '=', id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Revokes every not-yet-revoked token of a family; returns how many. */
  async revokeFamily(familyId: string, now: number, keepUntil: number): Promise<number> {
    return this.revokeWhere('family_id', familyId, now, keepUntil);
  }

  /** Revokes every not-yet-revoked token of a device; returns how many. */
  async revokeDevice(guid: string, now: number, keepUntil: number): Promise<number> {
    return this.revokeWhere('guid', guid, now, keepUntil);
  }

  private async revokeWhere(
    column: 'family_id' | 'guid',
    value: string,
    now: number,
    keepUntil: number,
  ): Promise<number> {
    const res = await this.db
      .updateTable('refresh_tokens')
      .set((eb) => ({
        revoked_at: now,
        expires_at: earlierOf(eb, keepUntil),
      }))
      .where(column, '=', value)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async deleteExpired(now: number): Promise<number> {
    const res = await this.db
      .deleteFrom('refresh_tokens')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
