// scheduled_jobs, their occurrences (unique per job + scheduled time + trigger: inserting one is
// how a scheduler claims it) and the per-target rows frozen at fire time; the activity rows of an
// occurrence are found through quick_jobs.scheduled_run_id.
import { sql, type Kysely } from 'kysely';
import type {
  DB,
  ScheduledJobOccurrencesTable,
  ScheduledJobRunsTable,
  ScheduledJobsTable,
} from '../schema.js';
import { isUniqueViolation } from './site.repository.js';

export type ScheduledJobRow = ScheduledJobsTable;
export type OccurrenceRow = ScheduledJobOccurrencesTable;
export type TargetRunRow = ScheduledJobRunsTable;

/** One component run (activity row) of an occurrence. */
export interface OccurrenceActivityRow {
  occurrence_id: string;
  quick_job_id: string;
  id: string;
  device_guid: string;
  script_name: string;
  status: string;
  error: string | null;
  exit_code: number | null;
  started_at: number | null;
  finished_at: number | null;
  has_stdout: number;
  has_stderr: number;
}

export interface LatestDeviceRunRow extends TargetRunRow {
  scheduled_ts: number;
}

export interface DeviceInfoRow {
  guid: string;
  hostname: string;
  site_id: string | null;
  site_name: string | null;
  last_seen: number | null;
}

const CHUNK = 500;
function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const OPEN = ['Pending', 'Running'];

export class ScheduledJobRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insertJob(row: ScheduledJobRow): Promise<void> {
    await this.db.insertInto('scheduled_jobs').values(row).execute();
  }

  async updateJob(id: string, patch: Partial<ScheduledJobRow>): Promise<boolean> {
    const res = await this.db
      .updateTable('scheduled_jobs')
      .set(patch)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async deleteJob(id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('scheduled_jobs').where('id', '=', id).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async findJob(id: string): Promise<ScheduledJobRow | null> {
    const row = await this.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  listJobs(): Promise<ScheduledJobRow[]> {
    return this.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  enabledJobs(): Promise<ScheduledJobRow[]> {
    return this.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('enabled', '=', 1)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Moves the evaluation cursor forward only (two evaluators can never move it back). */
  async advanceCursor(id: string, ts: number): Promise<void> {
    await this.db
      .updateTable('scheduled_jobs')
      .set({ cursor_ts: ts })
      .where('id', '=', id)
      .where('cursor_ts', '<', ts)
      .execute();
  }

  /** Claims an occurrence; false when it already exists (another tick or node fired it). */
  async insertOccurrence(row: OccurrenceRow): Promise<boolean> {
    try {
      await this.db.insertInto('scheduled_job_occurrences').values(row).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  async updateOccurrence(id: string, patch: Partial<OccurrenceRow>): Promise<void> {
    await this.db
      .updateTable('scheduled_job_occurrences')
      .set(patch)
      .where('id', '=', id)
      .execute();
  }

  async findOccurrence(id: string): Promise<OccurrenceRow | null> {
    const row = await this.db
      .selectFrom('scheduled_job_occurrences')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async occurrencesByIds(ids: readonly string[]): Promise<OccurrenceRow[]> {
    const out: OccurrenceRow[] = [];
    for (const part of chunks(ids)) {
      out.push(
        ...(await this.db
          .selectFrom('scheduled_job_occurrences')
          .selectAll()
          .where('id', 'in', part)
          .execute()),
      );
    }
    return out;
  }

  /** A job's occurrences scheduled at or after `since`, newest first. */
  occurrencesOf(jobId: string, since: number, limit: number): Promise<OccurrenceRow[]> {
    return this.db
      .selectFrom('scheduled_job_occurrences')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('scheduled_ts', '>=', since)
      .orderBy('scheduled_ts', 'desc')
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
  }

  /** The newest occurrence of each job in `jobIds`. */
  async latestOccurrences(jobIds: readonly string[]): Promise<Map<string, OccurrenceRow>> {
    const out = new Map<string, OccurrenceRow>();
    for (const part of chunks(jobIds)) {
      const rows = await this.db
        .selectFrom('scheduled_job_occurrences as o')
        .selectAll('o')
        .where('o.job_id', 'in', part)
        .where('o.scheduled_ts', '=', (eb) =>
          eb
            .selectFrom('scheduled_job_occurrences as o2')
            .select((e) => e.fn.max('o2.scheduled_ts').as('m'))
            .whereRef('o2.job_id', '=', 'o.job_id'),
        )
        .orderBy('o.created_at', 'desc')
        .execute();
      for (const r of rows) if (!out.has(r.job_id)) out.set(r.job_id, r);
    }
    return out;
  }

  /** Occurrences whose outcome may still change. */
  openOccurrences(): Promise<OccurrenceRow[]> {
    return this.db
      .selectFrom('scheduled_job_occurrences')
      .selectAll()
      .where('status', 'in', OPEN)
      .orderBy('scheduled_ts')
      .execute();
  }

  async insertRuns(rows: readonly TargetRunRow[]): Promise<void> {
    if (!rows.length) return;
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunks(rows))
        await trx.insertInto('scheduled_job_runs').values(part).execute();
    });
  }

  async updateRun(id: string, patch: Partial<TargetRunRow>): Promise<void> {
    await this.db.updateTable('scheduled_job_runs').set(patch).where('id', '=', id).execute();
  }

  /** Records that a component could not be dispatched to the occurrence's eligible targets. */
  async markDispatchFailed(occurrenceId: string, error: string, now: number): Promise<void> {
    await this.db
      .updateTable('scheduled_job_runs')
      .set({ dispatch_error: error, updated_at: now })
      .where('occurrence_id', '=', occurrenceId)
      .where('status', '!=', 'Skipped')
      .where('dispatch_error', 'is', null)
      .execute();
  }

  async runsOf(occurrenceIds: readonly string[]): Promise<TargetRunRow[]> {
    const out: TargetRunRow[] = [];
    for (const part of chunks(occurrenceIds)) {
      out.push(
        ...(await this.db
          .selectFrom('scheduled_job_runs')
          .selectAll()
          .where('occurrence_id', 'in', part)
          .orderBy(sql`lower(hostname)`)
          .orderBy('id')
          .execute()),
      );
    }
    return out;
  }

  /** The activity rows of the quick jobs the occurrences dispatched. */
  async activityOf(occurrenceIds: readonly string[]): Promise<OccurrenceActivityRow[]> {
    const out: OccurrenceActivityRow[] = [];
    for (const part of chunks(occurrenceIds)) {
      const rows = await this.db
        .selectFrom('quick_jobs as q')
        .innerJoin('activity_history as a', 'a.quick_job_id', 'q.id')
        .select([
          'q.scheduled_run_id as occurrence_id',
          'q.id as quick_job_id',
          'a.id',
          'a.device_guid',
          'a.script_name',
          'a.status',
          'a.error',
          'a.exit_code',
          'a.started_at',
          'a.finished_at',
          sql<number>`CASE WHEN a.stdout = '' THEN 0 ELSE 1 END`.as('has_stdout'),
          sql<number>`CASE WHEN a.stderr = '' THEN 0 ELSE 1 END`.as('has_stderr'),
        ])
        .where('q.scheduled_run_id', 'in', part)
        .execute();
      for (const r of rows) out.push({ ...r, occurrence_id: r.occurrence_id ?? '' });
    }
    return out;
  }

  /** Each device's (or missing hostname's) newest target row for the job. */
  latestRunsPerDevice(jobId: string): Promise<LatestDeviceRunRow[]> {
    const ranked = this.db
      .selectFrom('scheduled_job_runs as r')
      .innerJoin('scheduled_job_occurrences as o', 'o.id', 'r.occurrence_id')
      .selectAll('r')
      .select([
        'o.scheduled_ts',
        sql<number>`ROW_NUMBER() OVER (PARTITION BY COALESCE(r.device_guid, lower(r.hostname)) ORDER BY o.scheduled_ts DESC, o.created_at DESC)`.as(
          'rn',
        ),
      ])
      .where('r.job_id', '=', jobId);
    return this.db
      .selectFrom(ranked.as('x'))
      .selectAll('x')
      .where('x.rn', '=', 1)
      .orderBy(sql`lower(x.hostname)`)
      .execute();
  }

  async devicesInfo(guids: readonly string[]): Promise<DeviceInfoRow[]> {
    const out: DeviceInfoRow[] = [];
    for (const part of chunks(guids)) {
      out.push(
        ...(await this.db
          .selectFrom('devices as d')
          .leftJoin('sites as s', 's.id', 'd.site_id')
          .select(['d.guid', 'd.hostname', 'd.site_id', 's.name as site_name', 'd.last_seen'])
          .where('d.guid', 'in', part)
          .execute()),
      );
    }
    return out;
  }

  /** Deletes every occurrence of the job but the newest; returns how many and which stayed. */
  async clearHistory(jobId: string): Promise<{ cleared: number; kept: OccurrenceRow | null }> {
    const kept = (await this.latestOccurrences([jobId])).get(jobId) ?? null;
    let q = this.db.deleteFrom('scheduled_job_occurrences').where('job_id', '=', jobId);
    if (kept) q = q.where('id', '!=', kept.id);
    const res = await q.executeTakeFirst();
    return { cleared: Number(res.numDeletedRows), kept };
  }

  /** Occurrences (and their target rows) scheduled before `cutoff`. */
  async pruneOccurrences(cutoff: number): Promise<number> {
    const res = await this.db
      .deleteFrom('scheduled_job_occurrences')
      .where('scheduled_ts', '<', cutoff)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Scheduled quick jobs created before `cutoff` whose runs all ended (activity cascades). */
  async pruneScheduledQuickJobs(cutoff: number): Promise<number> {
    const res = await this.db
      .deleteFrom('quick_jobs')
      .where('source', '=', 'scheduled')
      .where('created_at', '<', cutoff)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('activity_history as a')
              .select('a.id')
              .whereRef('a.quick_job_id', '=', 'quick_jobs.id')
              .where('a.status', 'in', OPEN),
          ),
        ),
      )
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
