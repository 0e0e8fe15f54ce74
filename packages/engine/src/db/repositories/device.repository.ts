// devices: the paged/sorted/filtered list (presence computed in SQL from one last_seen threshold),
// single-row reads and edits, site assignment, and the coalesced heartbeat flush: one multi-row
// UPDATE ... FROM (VALUES ...) per batch instead of one UPDATE per heartbeat.
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { DeviceFilterField, DeviceSortField } from '@borealis/protocol';
import { ilike } from '../dialect.js';
import type { DB, DevicesTable } from '../schema.js';

export interface DeviceListParams {
  /** last_seen at or after this epoch-ms is Online. */
  onlineSince: number;
  q?: string;
  status?: 'Online' | 'Offline';
  siteId?: string;
  contains: Partial<Record<DeviceFilterField, string>>;
  sort: DeviceSortField;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const LIST_COLUMNS = [
  'd.guid',
  'd.hostname',
  'd.description',
  'd.site_id',
  'd.status',
  'd.last_seen',
  'd.created_at',
  'd.operating_system',
  'd.last_user',
  'd.device_type',
  'd.domain',
  'd.internal_ip',
  'd.external_ip',
  'd.last_reboot',
  'd.uptime',
  'd.agent_build_id',
  'd.agent_id',
  'd.metrics',
] as const;

export type DeviceListRow = Pick<
  DevicesTable,
  | 'guid'
  | 'hostname'
  | 'description'
  | 'site_id'
  | 'last_seen'
  | 'created_at'
  | 'operating_system'
  | 'last_user'
  | 'device_type'
  | 'domain'
  | 'internal_ip'
  | 'external_ip'
  | 'last_reboot'
  | 'uptime'
  | 'agent_build_id'
  | 'agent_id'
  | 'metrics'
> & { status: string; site_name: string | null };

export type DeviceRow = Omit<DevicesTable, 'status' | 'token_version'> & {
  status: string;
  token_version: number;
  site_name: string | null;
};

/** Columns a heartbeat may set; null/undefined keeps the stored value. */
export interface HeartbeatWrite {
  guid: string;
  last_seen: number;
  uptime?: number | null;
  agent_build_id?: string | null;
  agent_role_health?: string | null;
  service_mode?: string | null;
  internal_ip?: string | null;
  external_ip?: string | null;
  device_type?: string | null;
  last_user?: string | null;
  operating_system?: string | null;
  agent_id?: string | null;
  metrics?: string | null;
}
const HB_TEXT = [
  'agent_build_id',
  'agent_role_health',
  'service_mode',
  'internal_ip',
  'external_ip',
  'device_type',
  'last_user',
  'operating_system',
  'agent_id',
  'metrics',
] as const;
/** Rows per statement: 12 parameters each stays far below both drivers' limits. */
const FLUSH_CHUNK = 1000;

export type DetailsWrite = Partial<
  Pick<
    DevicesTable,
    | 'summary'
    | 'cpu'
    | 'memory'
    | 'storage'
    | 'network'
    | 'operating_system'
    | 'last_user'
    | 'domain'
    | 'device_type'
    | 'internal_ip'
    | 'external_ip'
    | 'last_reboot'
    | 'uptime'
    | 'agent_id'
    | 'agent_hash'
    | 'agent_build_id'
    | 'agent_role_health'
    | 'service_mode'
  >
>;

const FILTER_COLUMN: Record<DeviceFilterField, string> = {
  hostname: 'd.hostname',
  description: 'd.description',
  site_name: 's.name',
  operating_system: 'd.operating_system',
  last_user: 'd.last_user',
  device_type: 'd.device_type',
  domain: 'd.domain',
  internal_ip: 'd.internal_ip',
  external_ip: 'd.external_ip',
  agent_id: 'd.agent_id',
  agent_build_id: 'd.agent_build_id',
  guid: 'd.guid',
};
const FREE_TEXT_COLUMNS = [
  'd.hostname',
  'd.description',
  'd.last_user',
  'd.operating_system',
  'd.internal_ip',
  'd.external_ip',
];

/** `%text%` with LIKE wildcards escaped (used with ESCAPE '\'). */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class DeviceRepository {
  constructor(private readonly db: Kysely<DB>) {}

  private contains(column: string, text: string): Expression<SqlBool> {
    const op = sql.raw(ilike(this.db));
    return sql<SqlBool>`${sql.ref(column)} ${op} ${containsPattern(text)} ESCAPE '\\'`;
  }

  private filtered(p: DeviceListParams) {
    let qb = this.db.selectFrom('devices as d').leftJoin('sites as s', 's.id', 'd.site_id');
    const q = p.q?.trim();
    if (q) qb = qb.where((eb) => eb.or(FREE_TEXT_COLUMNS.map((c) => this.contains(c, q))));
    if (p.status === 'Online') qb = qb.where('d.last_seen', '>=', p.onlineSince);
    if (p.status === 'Offline') {
      qb = qb.where((eb) =>
        eb.or([eb('d.last_seen', 'is', null), eb('d.last_seen', '<', p.onlineSince)]),
      );
    }
    if (p.siteId) qb = qb.where('d.site_id', '=', p.siteId);
    for (const [field, text] of Object.entries(p.contains) as [DeviceFilterField, string][]) {
      const t = text.trim();
      if (t) qb = qb.where(this.contains(FILTER_COLUMN[field], t));
    }
    return qb;
  }

  private sortExpression(p: DeviceListParams): Expression<unknown> {
    switch (p.sort) {
      case 'status':
        return sql`CASE WHEN d.last_seen >= ${p.onlineSince} THEN 1 ELSE 0 END`;
      case 'last_seen':
      case 'created_at':
        return sql.ref(`d.${p.sort}`);
      case 'site_name':
        return sql`lower(s.name)`;
      case 'hostname':
      case 'operating_system':
      case 'last_user':
      case 'device_type':
      case 'internal_ip':
      case 'external_ip':
        return sql`lower(${sql.ref(`d.${p.sort}`)})`;
    }
  }

  /** One page of devices plus the total matching the filters (two statements, any fleet size). */
  async list(p: DeviceListParams): Promise<{ rows: DeviceListRow[]; total: number }> {
    const key = this.sortExpression(p);
    const dir = sql.raw(p.order === 'desc' ? 'DESC' : 'ASC');
    const rows = await this.filtered(p)
      .select([...LIST_COLUMNS, 's.name as site_name'])
      .orderBy(sql`(${key}) IS NULL`)
      .orderBy(sql`${key} ${dir}`)
      .orderBy('d.guid')
      .limit(p.limit)
      .offset(p.offset)
      .execute();
    const count = await this.filtered(p)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    return { rows, total: Number(count?.n ?? 0) };
  }

  async findByGuid(guid: string): Promise<DeviceRow | null> {
    const row = await this.db
      .selectFrom('devices as d')
      .leftJoin('sites as s', 's.id', 'd.site_id')
      .selectAll('d')
      .select('s.name as site_name')
      .where('d.guid', '=', guid)
      .executeTakeFirst();
    return row ?? null;
  }

  async exists(guid: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('devices')
      .select('guid')
      .where('guid', '=', guid)
      .executeTakeFirst();
    return row !== undefined;
  }

  async findByHostname(hostname: string): Promise<{ guid: string; hostname: string } | null> {
    const row = await this.db
      .selectFrom('devices')
      .select(['guid', 'hostname'])
      .where('hostname', '=', hostname)
      .executeTakeFirst();
    return row ?? null;
  }

  async guidsForHostnames(hostnames: readonly string[]): Promise<string[]> {
    if (hostnames.length === 0) return [];
    const rows = await this.db
      .selectFrom('devices')
      .select('guid')
      .where('hostname', 'in', [...hostnames])
      .execute();
    return rows.map((r) => r.guid);
  }

  /** Devices seen at or after `since` (index on last_seen). */
  async seenSince(since: number): Promise<{ guid: string; hostname: string; last_seen: number }[]> {
    const rows = await this.db
      .selectFrom('devices')
      .select(['guid', 'hostname', 'last_seen'])
      .where('last_seen', '>=', since)
      .execute();
    return rows.map((r) => ({
      guid: r.guid,
      hostname: r.hostname,
      last_seen: Number(r.last_seen),
    }));
  }

  async setHostname(guid: string, hostname: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('devices')
      .set({ hostname, updated_at: now })
      .where('guid', '=', guid)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async setDescription(guid: string, description: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('devices')
      .set({ description, updated_at: now })
      .where('guid', '=', guid)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Sets (or clears) the site of the listed devices; returns how many rows changed. */
  async assignSite(siteId: string | null, guids: readonly string[], now: number): Promise<number> {
    if (guids.length === 0) return 0;
    const res = await this.db
      .updateTable('devices')
      .set({ site_id: siteId, updated_at: now })
      .where('guid', 'in', [...guids])
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  async applyDetails(guid: string, patch: DetailsWrite, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('devices')
      .set({ ...patch, updated_at: now })
      .where('guid', '=', guid)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Deletes the device; keys, tokens, software and metrics go with it (foreign-key cascade). */
  async delete(guid: string): Promise<boolean> {
    const res = await this.db.deleteFrom('devices').where('guid', '=', guid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * Applies coalesced heartbeats: one UPDATE ... FROM (VALUES ...) per 1000 devices. last_seen
   * never moves backwards; a null column keeps the stored value; unknown GUIDs are ignored.
   */
  async applyHeartbeats(rows: readonly HeartbeatWrite[]): Promise<void> {
    const cols = sql.raw(['guid', 'last_seen', 'uptime', ...HB_TEXT].join(', '));
    const sets = sql.raw(
      [
        'last_seen = CASE WHEN devices.last_seen IS NULL OR v.last_seen > devices.last_seen ' +
          'THEN v.last_seen ELSE devices.last_seen END',
        'uptime = COALESCE(v.uptime, devices.uptime)',
        ...HB_TEXT.map((c) => `${c} = COALESCE(v.${c}, devices.${c})`),
      ].join(', '),
    );
    for (let i = 0; i < rows.length; i += FLUSH_CHUNK) {
      const values = rows
        .slice(i, i + FLUSH_CHUNK)
        .map(
          (r) =>
            sql`(${r.guid}, CAST(${r.last_seen} AS bigint), CAST(${r.uptime ?? null} AS bigint), ${sql.join(
              HB_TEXT.map((c) => sql`${r[c] ?? null}`),
            )})`,
        );
      await sql`WITH v (${cols}) AS (VALUES ${sql.join(values)})
        UPDATE devices SET ${sets} FROM v WHERE devices.guid = v.guid`.execute(this.db);
    }
  }
}
