// Scheduled jobs (reference §4, §8): the job definitions, one row per occurrence (unique per job,
// scheduled time and trigger, so a double tick can never fire twice) and one frozen row per
// target of each occurrence; activity rows link back through quick_jobs.scheduled_run_id.
import type { Kysely, Migration } from 'kysely';
import { epochType } from '../dialect.js';

export const migration0004: Migration = {
  async up(db: Kysely<any>) {
    const ts = epochType(db);
    await db.schema
      .createTable('scheduled_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('components_json', 'text', (c) => c.notNull())
      .addColumn('targets_json', 'text', (c) => c.notNull())
      .addColumn('schedule_type', 'text', (c) => c.notNull())
      .addColumn('start_ts', ts) // first fire instant (or the anchor of interval kinds)
      .addColumn('start_local', 'text') // wall clock "YYYY-MM-DDTHH:MM" in `timezone`
      .addColumn('end_ts', ts)
      .addColumn('cron', 'text')
      .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('UTC'))
      .addColumn('duration_stop_enabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expiration', 'text', (c) => c.notNull().defaultTo('no_expire'))
      .addColumn('execution_context', 'text', (c) => c.notNull())
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      // Occurrences at or before this instant have been evaluated (fired or skipped).
      .addColumn('cursor_ts', ts, (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('scheduled_job_occurrences')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('job_id', 'text', (c) =>
        c.notNull().references('scheduled_jobs.id').onDelete('cascade'),
      )
      .addColumn('scheduled_ts', ts, (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull()) // schedule | manual
      // Pending | Running | Success | Failed | Timed Out | Canceled | Expired | Skipped
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('skip_reason', 'text')
      .addColumn('error', 'text')
      .addColumn('quick_job_ids_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('fired_by', 'text', (c) => c.notNull())
      .addColumn('dispatched_at', ts)
      .addColumn('started_ts', ts)
      .addColumn('finished_ts', ts)
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ux_occurrence_slot')
      .on('scheduled_job_occurrences')
      .columns(['job_id', 'scheduled_ts', 'trigger'])
      .unique()
      .execute();
    await db.schema
      .createIndex('ix_occurrence_scheduled')
      .on('scheduled_job_occurrences')
      .column('scheduled_ts')
      .execute();
    await db.schema
      .createIndex('ix_occurrence_status')
      .on('scheduled_job_occurrences')
      .column('status')
      .execute();

    await db.schema
      .createTable('scheduled_job_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('occurrence_id', 'text', (c) =>
        c.notNull().references('scheduled_job_occurrences.id').onDelete('cascade'),
      )
      .addColumn('job_id', 'text', (c) => c.notNull())
      .addColumn('device_guid', 'text') // null: the named device did not exist at fire time
      .addColumn('hostname', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('skip_reason', 'text')
      .addColumn('error', 'text')
      .addColumn('dispatch_error', 'text')
      .addColumn('started_ts', ts)
      .addColumn('finished_ts', ts)
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ix_sched_runs_occurrence')
      .on('scheduled_job_runs')
      .column('occurrence_id')
      .execute();
    await db.schema
      .createIndex('ix_sched_runs_job_device')
      .on('scheduled_job_runs')
      .columns(['job_id', 'device_guid'])
      .execute();

    await db.schema
      .createIndex('ix_quick_jobs_scheduled_run')
      .on('quick_jobs')
      .column('scheduled_run_id')
      .execute();
    await db.schema
      .createIndex('ix_quick_jobs_source_created')
      .on('quick_jobs')
      .columns(['source', 'created_at'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('ix_quick_jobs_source_created').ifExists().execute();
    await db.schema.dropIndex('ix_quick_jobs_scheduled_run').ifExists().execute();
    for (const t of ['scheduled_job_runs', 'scheduled_job_occurrences', 'scheduled_jobs']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
