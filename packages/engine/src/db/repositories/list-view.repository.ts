// device_list_views: saved device-list layouts (columns, filter model, sort), global and named
// uniquely. JSON fields are stored as text; the service parses and validates them.
import type { Kysely } from 'kysely';
import type { DB, DeviceListViewsTable } from '../schema.js';

export type ListViewPatch = Pick<
  DeviceListViewsTable,
  'name' | 'columns_json' | 'filters_json' | 'sort_json' | 'updated_at'
>;

export class ListViewRepository {
  constructor(private readonly db: Kysely<DB>) {}

  list(): Promise<DeviceListViewsTable[]> {
    return this.db
      .selectFrom('device_list_views')
      .selectAll()
      .orderBy((eb) => eb.fn('lower', ['name']))
      .orderBy('name')
      .execute();
  }

  async findById(id: string): Promise<DeviceListViewsTable | null> {
    const row = await this.db
      .selectFrom('device_list_views')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  /** Case-insensitive: "Servers" and "servers" are the same view name. */
  async findByName(name: string): Promise<DeviceListViewsTable | null> {
    const row = await this.db
      .selectFrom('device_list_views')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['name']), '=', eb.fn('lower', [eb.val(name)])))
      .executeTakeFirst();
    return row ?? null;
  }

  async insert(row: DeviceListViewsTable): Promise<void> {
    await this.db.insertInto('device_list_views').values(row).execute();
  }

  async update(id: string, patch: ListViewPatch): Promise<boolean> {
    const res = await this.db
      .updateTable('device_list_views')
      .set(patch)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('device_list_views')
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
