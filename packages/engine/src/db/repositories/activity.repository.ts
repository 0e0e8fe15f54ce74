// activity_history: one row per device per quick job (its id is the job_id the agent sees). Every
// state change is a conditional UPDATE (Pending → Running, not-final → final, …) so concurrent
// acks, results, cancels and the expiry sweep can never overwrite a recorded outcome.
import { sql, type Kysely } from 'kysely';
import { FINAL_JOB_STATUSES } from '@borealis/protocol';
import type { ActivityHistoryTable, DB, QuickJobsTable } from '../schema.js';

export type ActivityRow = ActivityHistoryTable;

/** A run with what dispatch needs from its quick job. */
export type DispatchRow = ActivityHistoryTable &
  Pick<
    QuickJobsTable,
    | 'assembly_guid'
    | 'script_b64'
    | 'script_sha256'
    | 'variables_json'
    | 'run_mode'
    | 'timeout_seconds'
    | 'expires_at'
    | 'scheduled_job_id'
    | 'scheduled_run_id'
  >;

export interface ActivitySummaryRow {
  id: string;
  quick_job_id: string;
  script_name: string;
  script_path: string;
  script_type: string;
  ran_at: number;
  status: string;
  exit_code: number | null;
  finished_at: number | null;
  has_stdout: number;
  has_stderr: number;
}

export interface ResultWrite {
  status: string;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  stdout_truncated: number;
  stderr_truncated: number;
  started_at: number | null;
  error: string | null;
}

const FINAL = [...FINAL_JOB_STATUSES];

export class ActivityRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async findById(id: string): Promise<ActivityRow | null> {
    const row = await this.db
      .selectFrom('activity_history')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  private dispatchQuery() {
    return this.db
      .selectFrom('activity_history as a')
      .innerJoin('quick_jobs as j', 'j.id', 'a.quick_job_id')
      .selectAll('a')
      .select([
        'j.assembly_guid',
        'j.script_b64',
        'j.script_sha256',
        'j.variables_json',
        'j.run_mode',
        'j.timeout_seconds',
        'j.expires_at',
        'j.scheduled_job_id',
        'j.scheduled_run_id',
      ]);
  }

  async findForDispatch(id: string): Promise<DispatchRow | null> {
    const row = await this.dispatchQuery().where('a.id', '=', id).executeTakeFirst();
    return row ?? null;
  }

  /** The device's Pending runs that have not expired yet, oldest first. */
  pendingForDevice(guid: string, now: number): Promise<DispatchRow[]> {
    return this.dispatchQuery()
      .where('a.device_guid', '=', guid)
      .where('a.status', '=', 'Pending')
      .where('j.expires_at', '>', now)
      .orderBy('a.ran_at')
      .orderBy('a.id')
      .execute();
  }

  /** Pending → Running (the agent has the run). */
  async markRunning(id: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('activity_history')
      .set({ status: 'Running', delivered_at: now, started_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'Pending')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Pending → a final status without a result (rejected, expired, canceled before delivery). */
  async finishPending(
    id: string,
    status: string,
    error: string | null,
    now: number,
  ): Promise<boolean> {
    const res = await this.db
      .updateTable('activity_history')
      .set({ status, error, finished_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'Pending')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Records the agent's result unless the row is already final; false when it was. */
  async recordResult(id: string, w: ResultWrite, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('activity_history')
      .set({
        ...w,
        started_at: sql<number | null>`COALESCE(started_at, ${w.started_at})`,
        delivered_at: sql<number>`COALESCE(delivered_at, ${now})`,
        finished_at: now,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', 'not in', FINAL)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Marks a Running run's cancel request (the first one counts). */
  async requestCancel(id: string, now: number): Promise<boolean> {
    const res = await this.db
      .updateTable('activity_history')
      .set({
        cancel_requested_at: sql<number>`COALESCE(cancel_requested_at, ${now})`,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', '=', 'Running')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Pending runs whose job expired by `now` become Expired; returns them. */
  expireOverdue(now: number): Promise<Pick<ActivityRow, 'id' | 'device_guid' | 'hostname'>[]> {
    const overdue = this.db.selectFrom('quick_jobs').select('id').where('expires_at', '<=', now);
    return this.db
      .updateTable('activity_history')
      .set({ status: 'Expired', error: 'Device offline', finished_at: now, updated_at: now })
      .where('status', '=', 'Pending')
      .where('quick_job_id', 'in', overdue)
      .returning(['id', 'device_guid', 'hostname'])
      .execute();
  }

  /** One page of a device's history, newest first; `before` is the id of the last row seen. */
  async listForDevice(guid: string, limit: number, before?: string): Promise<ActivitySummaryRow[]> {
    let qb = this.db
      .selectFrom('activity_history')
      .select([
        'id',
        'quick_job_id',
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
      .where('device_guid', '=', guid);
    if (before !== undefined) {
      const cursor = await this.db
        .selectFrom('activity_history')
        .select(['ran_at', 'id'])
        .where('id', '=', before)
        .where('device_guid', '=', guid)
        .executeTakeFirst();
      if (!cursor) return [];
      qb = qb.where((eb) =>
        eb.or([
          eb('ran_at', '<', cursor.ran_at),
          eb.and([eb('ran_at', '=', cursor.ran_at), eb('id', '<', cursor.id)]),
        ]),
      );
    }
    return qb.orderBy('ran_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  /** Deletes the device's finished runs (Pending and Running ones stay); returns how many. */
  async clearFinal(guid: string): Promise<number> {
    const res = await this.db
      .deleteFrom('activity_history')
      .where('device_guid', '=', guid)
      .where('status', 'in', FINAL)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
