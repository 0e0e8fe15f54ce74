// Foundation tables: operators, sessions, MFA challenges, throttling, API keys, first-admin setup,
// sites, installer codes, the device core (extended by the agent migrations) and the audit log.
import type { Kysely, Migration } from 'kysely';
import { epochType, serialPrimaryKey } from '../dialect.js';

export const migration0001: Migration = {
  async up(db: Kysely<any>) {
    const ts = epochType(db);
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('mfa_enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('mfa_secret_enc', 'text')
      .addColumn('mfa_last_step', ts)
      .addColumn('last_login', ts)
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('operator_sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('expires_at', ts, (c) => c.notNull())
      .addColumn('last_seen_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ix_sessions_user')
      .on('operator_sessions')
      .column('user_id')
      .execute();
    await db.schema
      .createTable('auth_challenges')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('secret_enc', 'text')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('expires_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('login_throttle')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('locked_until', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('last_used_at', ts)
      .addColumn('revoked_at', ts)
      .execute();
    await db.schema
      .createTable('setup_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('expires_at', ts, (c) => c.notNull())
      .addColumn('used_at', ts)
      .execute();
    await db.schema
      .createTable('sites')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('enrollment_code', 'text', (c) => c.notNull().unique())
      .addColumn('auto_approve', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('enrollment_install_codes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('site_id', 'text', (c) => c.references('sites.id').onDelete('cascade'))
      .addColumn('expires_at', ts, (c) => c.notNull())
      .addColumn('max_uses', 'integer', (c) => c.notNull())
      .addColumn('use_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_used_at', ts)
      .addColumn('used_by_guid', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('devices')
      .addColumn('guid', 'text', (c) => c.primaryKey())
      .addColumn('hostname', 'text', (c) => c.notNull())
      .addColumn('site_id', 'text', (c) => c.references('sites.id').onDelete('set null'))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('last_seen', ts)
      .execute();
    await db.schema.createIndex('ix_devices_site').on('devices').column('site_id').execute();
    await serialPrimaryKey(db, db.schema.createTable('audit_log'), 'seq')
      .addColumn('id', 'text', (c) => c.notNull().unique())
      .addColumn('ts', ts, (c) => c.notNull())
      .addColumn('username', 'text')
      .addColumn('auth', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('target', 'text')
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('status_code', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ix_audit_ts').on('audit_log').column('ts').execute();
  },
  async down(db: Kysely<any>) {
    for (const t of [
      'audit_log',
      'devices',
      'enrollment_install_codes',
      'sites',
      'setup_tokens',
      'api_keys',
      'login_throttle',
      'auth_challenges',
      'operator_sessions',
      'users',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
