// Assemblies (scripts/workflows/playbooks in official|community|user domains), the credentials
// store, device filters, quick jobs and their per-device runs (activity history, keyed by GUID).
import type { Kysely, Migration } from 'kysely';
import { epochType } from '../dialect.js';

export const migration0003: Migration = {
  async up(db: Kysely<any>) {
    const ts = epochType(db);
    await db.schema
      .createTable('assemblies')
      .addColumn('assembly_guid', 'text', (c) => c.primaryKey())
      .addColumn('domain', 'text', (c) => c.notNull()) // official | community | user
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('category', 'text', (c) => c.notNull().defaultTo('script'))
      .addColumn('assembly_kind', 'text', (c) => c.notNull()) // script | workflow | playbook
      .addColumn('assembly_type', 'text', (c) => c.notNull()) // bash | sh | python3 | node | powershell
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('payload_json', 'text', (c) => c.notNull())
      .addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('checksum', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ix_assemblies_domain').on('assemblies').column('domain').execute();

    await db.schema
      .createTable('credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('credential_type', 'text', (c) => c.notNull()) // password | token | ssh_key
      .addColumn('username', 'text')
      .addColumn('secret_enc', 'text', (c) => c.notNull())
      .addColumn('site_id', 'text', (c) => c.references('sites.id').onDelete('cascade'))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('device_filters')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('site_scope', 'text', (c) => c.notNull()) // global | scoped
      .addColumn('site_id', 'text', (c) => c.references('sites.id').onDelete('cascade'))
      .addColumn('groups_json', 'text', (c) => c.notNull())
      .addColumn('last_edited_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('quick_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('assembly_guid', 'text')
      .addColumn('script_name', 'text', (c) => c.notNull())
      .addColumn('script_path', 'text', (c) => c.notNull())
      .addColumn('script_type', 'text', (c) => c.notNull())
      .addColumn('script_b64', 'text', (c) => c.notNull()) // exact final bytes, frozen at creation
      .addColumn('script_sha256', 'text', (c) => c.notNull())
      .addColumn('variables_json', 'text', (c) => c.notNull()) // values; credentials by reference only
      .addColumn('run_mode', 'text', (c) => c.notNull()) // system | current_user
      .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull()) // quick | scheduled
      .addColumn('scheduled_job_id', 'text')
      .addColumn('scheduled_run_id', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('expires_at', ts, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('activity_history')
      .addColumn('id', 'text', (c) => c.primaryKey()) // the job_id the agent sees
      .addColumn('quick_job_id', 'text', (c) =>
        c.notNull().references('quick_jobs.id').onDelete('cascade'),
      )
      .addColumn('device_guid', 'text', (c) =>
        c.notNull().references('devices.guid').onDelete('cascade'),
      )
      .addColumn('hostname', 'text', (c) => c.notNull())
      .addColumn('script_name', 'text', (c) => c.notNull())
      .addColumn('script_path', 'text', (c) => c.notNull())
      .addColumn('script_type', 'text', (c) => c.notNull())
      // Pending | Running | Success | Failed | Timed Out | Canceled | Expired
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('ran_at', ts, (c) => c.notNull())
      .addColumn('delivered_at', ts)
      .addColumn('started_at', ts)
      .addColumn('finished_at', ts)
      .addColumn('exit_code', 'integer')
      .addColumn('stdout', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('stderr', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('stdout_truncated', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('stderr_truncated', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error', 'text')
      .addColumn('cancel_requested_at', ts)
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ix_activity_device')
      .on('activity_history')
      .columns(['device_guid', 'ran_at'])
      .execute();
    await db.schema
      .createIndex('ix_activity_status')
      .on('activity_history')
      .columns(['status', 'device_guid'])
      .execute();
    await db.schema
      .createIndex('ix_activity_job')
      .on('activity_history')
      .column('quick_job_id')
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of [
      'activity_history',
      'quick_jobs',
      'device_filters',
      'credentials',
      'assemblies',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
