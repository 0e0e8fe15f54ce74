// device_keys: the Ed25519 identity keys a device has enrolled with. Exactly one is current
// (retired_at null); enrolling a new key retires the others, re-enrolling an old one revives it.
import type { Kysely } from 'kysely';
import type { DB, DeviceKeysTable } from '../schema.js';

export class DeviceKeyRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Makes (guid, fingerprint) the device's current key, retiring any other. */
  async setCurrent(input: {
    guid: string;
    fingerprint: string;
    publicKey: string;
    now: number;
    id: string;
  }): Promise<void> {
    const { guid, fingerprint, publicKey, now, id } = input;
    await this.db
      .updateTable('device_keys')
      .set({ retired_at: now })
      .where('guid', '=', guid)
      .where('ssl_key_fingerprint', '!=', fingerprint)
      .where('retired_at', 'is', null)
      .execute();
    const revived = await this.db
      .updateTable('device_keys')
      .set({ retired_at: null, public_key: publicKey })
      .where('guid', '=', guid)
      .where('ssl_key_fingerprint', '=', fingerprint)
      .executeTakeFirst();
    if (Number(revived.numUpdatedRows) > 0) return;
    await this.db
      .insertInto('device_keys')
      .values({
        id,
        guid,
        ssl_key_fingerprint: fingerprint,
        public_key: publicKey,
        added_at: now,
        retired_at: null,
      })
      .execute();
  }

  /** Every key the device has enrolled, newest first. */
  async listForDevice(guid: string): Promise<DeviceKeysTable[]> {
    return this.db
      .selectFrom('device_keys')
      .selectAll()
      .where('guid', '=', guid)
      .orderBy('added_at', 'desc')
      .orderBy('id')
      .execute();
  }
}
