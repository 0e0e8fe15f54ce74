// device_filters: saved filters (groups as JSON text) and their evaluation. A filter compiles to
// ONE parameterised query over devices ⟕ sites: every value is a bound parameter, LIKE wildcards
// in values are escaped, comparisons fold ASCII case on both dialects, and NULL counts as ''.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { FilterCondition, FilterField, FilterGroup } from '@borealis/protocol';
import { asciiLowerSql, epochMsAsUtcText } from '../dialect.js';
import type { DB, DeviceFiltersTable } from '../schema.js';

export type DeviceFilterRow = DeviceFiltersTable & { site_name: string | null };

export interface FilterQuery {
  groups: readonly FilterGroup[];
  /** Only devices of this site (a scoped filter); null for global. */
  siteId: string | null;
  /** last_seen at or after this epoch-ms is Online. */
  onlineSince: number;
}

export interface FilterMatch {
  guid: string;
  hostname: string;
  status: string;
}

type Bool = RawBuilder<boolean>;

const COLUMN: Record<Exclude<FilterField, 'status' | 'lastReboot' | 'lastSeen'>, string> = {
  site: 's.name',
  hostname: 'd.hostname',
  description: 'd.description',
  os: 'd.operating_system',
  type: 'd.device_type',
  agentVersion: 'd.agent_build_id',
  lastUser: 'd.last_user',
  internalIp: 'd.internal_ip',
  externalIp: 'd.external_ip',
  domain: 'd.domain',
  agentId: 'd.agent_id',
  agentGuid: 'd.guid',
};

/** Lowercases A–Z only, matching SQLite's lower() and PostgreSQL's lower(… COLLATE "C"). */
export const asciiLower = (s: string) => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** Escapes LIKE wildcards for `ESCAPE '\'`. */
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Joins items left to right where AND binds tighter than OR (as SQL would). */
function joinAll(items: readonly { join: 'AND' | 'OR'; expr: Bool }[]): Bool | null {
  const runs: Bool[][] = [];
  items.forEach((item, i) => {
    const last = runs[runs.length - 1];
    if (i === 0 || item.join === 'OR' || !last) runs.push([item.expr]);
    else last.push(item.expr);
  });
  if (runs.length === 0) return null;
  const ands = runs.map((r) => sql<boolean>`(${sql.join(r, sql` AND `)})`);
  return sql<boolean>`(${sql.join(ands, sql` OR `)})`;
}

export class DeviceFilterRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** The field as text (NULL → ''): dates as UTC "YYYY-MM-DD HH:MM:SS", status Online/Offline. */
  private fieldText(field: FilterField, onlineSince: number): RawBuilder<string> {
    if (field === 'status') {
      return sql<string>`CASE WHEN d.last_seen >= ${onlineSince} THEN 'Online' ELSE 'Offline' END`;
    }
    if (field === 'lastReboot' || field === 'lastSeen') {
      const col = sql.ref(field === 'lastReboot' ? 'd.last_reboot' : 'd.last_seen');
      const text = epochMsAsUtcText(this.db, col);
      return sql<string>`COALESCE(${text}, '')`;
    }
    return sql<string>`COALESCE(${sql.ref(COLUMN[field])}, '')`;
  }

  private lowered(text: RawBuilder<string>): RawBuilder<string> {
    return asciiLowerSql(this.db, text);
  }

  private condition(c: FilterCondition, onlineSince: number): Bool {
    const text = this.fieldText(c.field, onlineSince);
    const low = this.lowered(text);
    const v = asciiLower(c.value.replaceAll('\u0000', ''));
    const like = (pattern: string) => sql<boolean>`${low} LIKE ${pattern} ESCAPE '\\'`;
    switch (c.operator) {
      case 'empty':
        return sql<boolean>`${text} = ''`;
      case 'not_empty':
        return sql<boolean>`${text} <> ''`;
      case 'contains':
        return like(`%${escapeLike(v)}%`);
      case 'not_contains':
        return sql<boolean>`NOT (${like(`%${escapeLike(v)}%`)})`;
      case 'begins_with':
        return like(`${escapeLike(v)}%`);
      case 'not_begins_with':
        return sql<boolean>`NOT (${like(`${escapeLike(v)}%`)})`;
      case 'ends_with':
        return like(`%${escapeLike(v)}`);
      case 'not_ends_with':
        return sql<boolean>`NOT (${like(`%${escapeLike(v)}`)})`;
      case 'equals':
        return sql<boolean>`${low} = ${v}`;
      case 'not_equals':
        return sql<boolean>`${low} <> ${v}`;
    }
  }

  /** The WHERE expression of the groups; null when there is no condition at all. */
  compile(groups: readonly FilterGroup[], onlineSince: number): Bool | null {
    const parts: { join: 'AND' | 'OR'; expr: Bool }[] = [];
    for (const g of groups) {
      const inner = joinAll(
        g.conditions.map((c) => ({ join: c.join_with, expr: this.condition(c, onlineSince) })),
      );
      if (inner) parts.push({ join: g.join_with, expr: inner });
    }
    return joinAll(parts);
  }

  private matching(q: FilterQuery) {
    const where = this.compile(q.groups, q.onlineSince);
    return this.db
      .selectFrom('devices as d')
      .leftJoin('sites as s', 's.id', 'd.site_id')
      .$if(q.siteId !== null, (qb) => qb.where('d.site_id', '=', q.siteId))
      .$if(where !== null, (qb) => qb.where(where!));
  }

  async count(q: FilterQuery): Promise<number> {
    const row = await this.matching(q)
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** The total and the first `limit` matches by hostname, in one statement. */
  async preview(q: FilterQuery, limit: number): Promise<{ count: number; devices: FilterMatch[] }> {
    const rows = await this.matching(q)
      .select(['d.guid', 'd.hostname', 'd.status', sql<number>`count(*) OVER ()`.as('n')])
      .orderBy(sql`lower(d.hostname)`)
      .orderBy('d.guid')
      .limit(limit)
      .execute();
    return {
      count: rows.length ? Number(rows[0]!.n) : 0,
      devices: rows.map((r) => ({ guid: r.guid, hostname: r.hostname, status: r.status })),
    };
  }

  async all(q: FilterQuery): Promise<FilterMatch[]> {
    return this.matching(q)
      .select(['d.guid', 'd.hostname', 'd.status'])
      .orderBy('d.guid')
      .execute();
  }

  private withSite() {
    return this.db
      .selectFrom('device_filters as f')
      .leftJoin('sites as s', 's.id', 'f.site_id')
      .selectAll('f')
      .select('s.name as site_name');
  }

  list(): Promise<DeviceFilterRow[]> {
    return this.withSite()
      .orderBy((eb) => eb.fn('lower', ['f.name']))
      .orderBy('f.name')
      .execute();
  }

  async findById(id: string): Promise<DeviceFilterRow | null> {
    const row = await this.withSite().where('f.id', '=', id).executeTakeFirst();
    return row ?? null;
  }

  /** Case-insensitive: "Servers" and "servers" are the same filter name. */
  async findByName(name: string): Promise<DeviceFiltersTable | null> {
    const row = await this.db
      .selectFrom('device_filters')
      .selectAll()
      .where((eb) => eb(eb.fn('lower', ['name']), '=', eb.fn('lower', [eb.val(name)])))
      .executeTakeFirst();
    return row ?? null;
  }

  async insert(row: DeviceFiltersTable): Promise<void> {
    await this.db.insertInto('device_filters').values(row).execute();
  }

  async update(id: string, patch: Omit<DeviceFiltersTable, 'id' | 'created_at'>): Promise<boolean> {
    const res = await this.db
      .updateTable('device_filters')
      .set(patch)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('device_filters').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async siteExists(siteId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('sites')
      .select('id')
      .where('id', '=', siteId)
      .executeTakeFirst();
    return row !== undefined;
  }
}
