// quick_jobs: one dispatch (frozen script bytes, variables by value or credential reference, run
// mode, timeout, expiry) written together with its per-device activity rows in one transaction;
// plus the device look-ups that resolve quick-run targets (by GUID, hostname or site).
import { sql, type Kysely } from 'kysely';
import type { ActivityHistoryTable, DB, QuickJobsTable } from '../schema.js';

export interface TargetDevice {
  guid: string;
  hostname: string;
  /** Lifecycle: active | quarantined | revoked. */
  status: string;
}

/** Rows per INSERT / values per IN list: far below both drivers' parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

export class QuickJobRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts the job and all of its runs atomically: either everything is written or nothing. */
  async createWithRuns(job: QuickJobsTable, runs: readonly ActivityHistoryTable[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.insertInto('quick_jobs').values(job).execute();
      for (const part of chunks(runs))
        await trx.insertInto('activity_history').values(part).execute();
    });
  }

  async findById(id: string): Promise<QuickJobsTable | null> {
    const row = await this.db
      .selectFrom('quick_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('quick_jobs')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The job's runs by hostname (without their output). */
  runsOf(quickJobId: string) {
    return this.db
      .selectFrom('activity_history')
      .select([
        'id',
        'quick_job_id',
        'device_guid',
        'hostname',
        'script_name',
        'script_path',
        'script_type',
        'ran_at',
        'status',
        'exit_code',
        'finished_at',
        sql<number>`CASE WHEN stdout = '' THEN 0 ELSE 1 END`.as('has_stdout'),
        sql<number>`CASE WHEN stderr = '' THEN 0 ELSE 1 END`.as('has_stderr'),
      ])
      .where('quick_job_id', '=', quickJobId)
      .orderBy((eb) => eb.fn('lower', ['hostname']))
      .orderBy('device_guid')
      .execute();
  }

  async devicesByGuids(guids: readonly string[]): Promise<TargetDevice[]> {
    const out: TargetDevice[] = [];
    for (const part of chunks(guids)) {
      out.push(
        ...(await this.db
          .selectFrom('devices')
          .select(['guid', 'hostname', 'status'])
          .where('guid', 'in', part)
          .execute()),
      );
    }
    return out;
  }

  /** Devices whose hostname equals one of `lowered` (already ASCII-lowercased) ignoring case. */
  async devicesByLowerHostnames(lowered: readonly string[]): Promise<TargetDevice[]> {
    const out: TargetDevice[] = [];
    for (const part of chunks(lowered)) {
      out.push(
        ...(await this.db
          .selectFrom('devices')
          .select(['guid', 'hostname', 'status'])
          .where((eb) => eb(eb.fn('lower', ['hostname']), 'in', part))
          .execute()),
      );
    }
    return out;
  }

  devicesBySite(siteId: string): Promise<TargetDevice[]> {
    return this.db
      .selectFrom('devices')
      .select(['guid', 'hostname', 'status'])
      .where('site_id', '=', siteId)
      .execute();
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
