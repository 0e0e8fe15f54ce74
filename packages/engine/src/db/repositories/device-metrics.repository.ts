// device_metrics: the heartbeat CPU/memory time series (~24 h kept). Samples are appended in one
// multi-row INSERT per heartbeat flush; rows of devices deleted meanwhile are skipped, never an error.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.js';

export interface MetricSample {
  guid: string;
  ts: number;
  cpu_percent: number | null;
  memory_percent: number | null;
}

const CHUNK = 1000;

export class DeviceMetricsRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts samples of existing devices; a repeated (guid, ts) is ignored. */
  async append(samples: readonly MetricSample[]): Promise<void> {
    for (let i = 0; i < samples.length; i += CHUNK) {
      const values = samples
        .slice(i, i + CHUNK)
        .map(
          (s) =>
            sql`(${s.guid}, CAST(${s.ts} AS bigint), CAST(${s.cpu_percent} AS real), CAST(${s.memory_percent} AS real))`,
        );
      // `WHERE 1 = 1` lets SQLite parse ON CONFLICT after INSERT ... SELECT ... JOIN.
      await sql`WITH v (guid, ts, cpu_percent, memory_percent) AS (VALUES ${sql.join(values)})
        INSERT INTO device_metrics (guid, ts, cpu_percent, memory_percent)
        SELECT v.guid, v.ts, v.cpu_percent, v.memory_percent
        FROM v JOIN devices ON devices.guid = v.guid WHERE 1 = 1
        ON CONFLICT (guid, ts) DO NOTHING`.execute(this.db);
    }
  }

  /** The device's samples at or after `since`, oldest first. */
  async series(guid: string, since: number): Promise<MetricSample[]> {
    const rows = await this.db
      .selectFrom('device_metrics')
      .selectAll()
      .where('guid', '=', guid)
      .where('ts', '>=', since)
      .orderBy('ts')
      .execute();
    return rows.map((r) => ({
      guid: r.guid,
      ts: Number(r.ts),
      cpu_percent: r.cpu_percent === null ? null : Number(r.cpu_percent),
      memory_percent: r.memory_percent === null ? null : Number(r.memory_percent),
    }));
  }

  /**
   * Deletes samples older than `before`: for the listed devices only (a primary-key range per
   * device, cheap on every flush), or for every device when `guids` is omitted (a table scan).
   */
  async prune(before: number, guids?: readonly string[]): Promise<number> {
    if (guids && guids.length === 0) return 0;
    let q = this.db.deleteFrom('device_metrics').where('ts', '<', before);
    if (guids) q = q.where('guid', 'in', [...guids]);
    const res = await q.executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
