// Agent trust and inventory: the full device row, enrolled keys, approvals, rotating refresh
// tokens, the DPoP replay cache, software inventory, heartbeat metrics and saved list views.
import type { Kysely, Migration } from 'kysely';
import { epochType, serialPrimaryKey } from '../dialect.js';

const DEVICE_TEXT_COLUMNS = [
  'agent_id',
  'agent_hash',
  'agent_build_id',
  'agent_role_health',
  'service_mode',
  'summary',
  'cpu',
  'memory',
  'storage',
  'network',
  'metrics',
  'device_type',
  'domain',
  'external_ip',
  'internal_ip',
  'last_user',
  'operating_system',
  'connection_type',
  'ssl_key_fingerprint',
] as const;

export const migration0002: Migration = {
  async up(db: Kysely<any>) {
    const ts = epochType(db);
    for (const col of DEVICE_TEXT_COLUMNS) {
      await db.schema.alterTable('devices').addColumn(col, 'text').execute();
    }
    await db.schema.alterTable('devices').addColumn('last_reboot', ts).execute();
    await db.schema.alterTable('devices').addColumn('uptime', ts).execute();
    await db.schema.alterTable('devices').addColumn('key_added_at', ts).execute();
    await db.schema.alterTable('devices').addColumn('updated_at', ts).execute();
    await db.schema
      .alterTable('devices')
      .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema
      .alterTable('devices')
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
      .execute();
    await db.schema
      .createIndex('ux_devices_hostname')
      .on('devices')
      .column('hostname')
      .unique()
      .execute();
    await db.schema
      .createIndex('ix_devices_fingerprint')
      .on('devices')
      .column('ssl_key_fingerprint')
      .execute();
    await db.schema.createIndex('ix_devices_last_seen').on('devices').column('last_seen').execute();

    await db.schema
      .createTable('device_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('guid', 'text', (c) => c.notNull().references('devices.guid').onDelete('cascade'))
      .addColumn('ssl_key_fingerprint', 'text', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull()) // base64 SPKI DER
      .addColumn('added_at', ts, (c) => c.notNull())
      .addColumn('retired_at', ts)
      .addUniqueConstraint('uq_device_keys_guid_fp', ['guid', 'ssl_key_fingerprint'])
      .execute();

    await db.schema
      .createTable('device_approvals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('approval_reference', 'text', (c) => c.notNull().unique())
      .addColumn('guid', 'text')
      .addColumn('hostname_claimed', 'text', (c) => c.notNull())
      .addColumn('ssl_key_fingerprint_claimed', 'text', (c) => c.notNull())
      .addColumn('agent_pubkey', 'text', (c) => c.notNull()) // base64 SPKI DER
      .addColumn('code_kind', 'text', (c) => c.notNull()) // site | installer
      .addColumn('install_code_id', 'text')
      .addColumn('site_id', 'text', (c) => c.references('sites.id').onDelete('set null'))
      .addColumn('status', 'text', (c) => c.notNull()) // pending|approved|denied|expired|completed
      .addColumn('client_nonce', 'text', (c) => c.notNull())
      .addColumn('server_nonce', 'text', (c) => c.notNull())
      .addColumn('conflict_resolution', 'text')
      .addColumn('approved_by', 'text')
      .addColumn('source_ip', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addColumn('expires_at', ts, (c) => c.notNull())
      .addColumn('finalized_at', ts)
      .execute();
    await db.schema
      .createIndex('ix_approvals_status')
      .on('device_approvals')
      .column('status')
      .execute();
    await db.schema
      .createIndex('ix_approvals_fp_status')
      .on('device_approvals')
      .columns(['ssl_key_fingerprint_claimed', 'status'])
      .execute();

    await db.schema
      .createTable('refresh_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('guid', 'text', (c) => c.notNull().references('devices.guid').onDelete('cascade'))
      .addColumn('family_id', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('dpop_jkt', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('expires_at', ts, (c) => c.notNull())
      .addColumn('rotated_at', ts)
      .addColumn('revoked_at', ts)
      .execute();
    await db.schema.createIndex('ix_refresh_guid').on('refresh_tokens').column('guid').execute();
    await db.schema
      .createIndex('ix_refresh_family')
      .on('refresh_tokens')
      .column('family_id')
      .execute();
    await db.schema
      .createIndex('ix_refresh_expires')
      .on('refresh_tokens')
      .column('expires_at')
      .execute();

    await db.schema
      .createTable('dpop_jti')
      .addColumn('jti_hash', 'text', (c) => c.primaryKey())
      .addColumn('expires_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ix_dpop_jti_expires')
      .on('dpop_jti')
      .column('expires_at')
      .execute();

    await serialPrimaryKey(db, db.schema.createTable('device_software_inventory'), 'id')
      .addColumn('device_guid', 'text', (c) =>
        c.notNull().references('devices.guid').onDelete('cascade'),
      )
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_normalized', 'text', (c) => c.notNull())
      .addColumn('version', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('source', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('captured_at', ts, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('ix_software_guid')
      .on('device_software_inventory')
      .column('device_guid')
      .execute();
    await db.schema
      .createIndex('ix_software_name')
      .on('device_software_inventory')
      .column('name_normalized')
      .execute();

    await db.schema
      .createTable('device_metrics')
      .addColumn('guid', 'text', (c) => c.notNull().references('devices.guid').onDelete('cascade'))
      .addColumn('ts', ts, (c) => c.notNull())
      .addColumn('cpu_percent', 'real')
      .addColumn('memory_percent', 'real')
      .addPrimaryKeyConstraint('pk_device_metrics', ['guid', 'ts'])
      .execute();

    await db.schema
      .createTable('device_list_views')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('columns_json', 'text', (c) => c.notNull())
      .addColumn('filters_json', 'text', (c) => c.notNull())
      .addColumn('sort_json', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of [
      'device_list_views',
      'device_metrics',
      'device_software_inventory',
      'dpop_jti',
      'refresh_tokens',
      'device_approvals',
      'device_keys',
    ]) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
