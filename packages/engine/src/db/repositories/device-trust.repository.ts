// The trust columns of `devices` (hostname, site, key fingerprint, token_version, status) as
// enrollment, device auth and revoke/quarantine use them, plus TrustStore: the trust
// repositories bound to one database handle, with a transaction runner for finalisation.
import type { Kysely } from 'kysely';
import type { DB, DevicesTable } from '../schema.js';
import { ApprovalRepository } from './approval.repository.js';
import { DeviceKeyRepository } from './device-key.repository.js';
import { DpopJtiRepository } from './dpop-jti.repository.js';
import { InstallerCodeRepository } from './installer-code.repository.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';

export interface DeviceTrustRow {
  guid: string;
  hostname: string;
  site_id: string | null;
  site_name: string | null;
  ssl_key_fingerprint: string | null;
  token_version: number;
  status: string;
}

export type NewDeviceRow = Pick<
  DevicesTable,
  'guid' | 'hostname' | 'site_id' | 'ssl_key_fingerprint' | 'key_added_at' | 'created_at'
>;

export class DeviceTrustRepository {
  constructor(private readonly db: Kysely<DB>) {}

  private base() {
    return this.db
      .selectFrom('devices as d')
      .leftJoin('sites as s', 's.id', 'd.site_id')
      .select([
        'd.guid',
        'd.hostname',
        'd.site_id',
        's.name as site_name',
        'd.ssl_key_fingerprint',
        'd.token_version',
        'd.status',
      ]);
  }

  async findByGuid(guid: string): Promise<DeviceTrustRow | null> {
    const row = await this.base().where('d.guid', '=', guid).executeTakeFirst();
    return row ? toRow(row) : null;
  }

  /** Devices whose hostname equals one of `hostnames`, ignoring case. */
  async findByHostnames(hostnames: readonly string[]): Promise<DeviceTrustRow[]> {
    const lowered = [...new Set(hostnames.map((h) => h.toLowerCase()))];
    if (lowered.length === 0) return [];
    const rows = await this.base()
      .where((eb) => eb(eb.fn('lower', ['d.hostname']), 'in', lowered))
      .orderBy('d.created_at')
      .orderBy('d.guid')
      .execute();
    return rows.map(toRow);
  }

  /** Lowercased hostnames that start with `prefix` (case-insensitive), for picking a free `-N`. */
  async hostnamesStartingWith(prefix: string): Promise<Set<string>> {
    const lower = prefix.toLowerCase();
    const chars = [...lower].length;
    const rows = await this.db
      .selectFrom('devices')
      .select((eb) => eb.fn<string>('lower', ['hostname']).as('h'))
      .where((eb) =>
        eb(eb.fn('substr', [eb.fn('lower', ['hostname']), eb.lit(1), eb.lit(chars)]), '=', lower),
      )
      .execute();
    return new Set(rows.map((r) => r.h).filter((h) => h.startsWith(lower)));
  }

  async insert(row: NewDeviceRow): Promise<void> {
    await this.db
      .insertInto('devices')
      .values({ ...row, description: '', last_seen: null, status: 'active' })
      .execute();
  }

  /** Rebinds an existing device to a (re-)enrollment; bumps token_version when the key changed. */
  async updateEnrollment(
    guid: string,
    patch: {
      hostname: string;
      site_id: string | null;
      fingerprint: string;
      now: number;
      keyChanged: boolean;
    },
  ): Promise<void> {
    await this.db
      .updateTable('devices')
      .set((eb) => ({
        hostname: patch.hostname,
        site_id: patch.site_id,
        ssl_key_fingerprint: patch.fingerprint,
        status: 'active',
        updated_at: patch.now,
        ...(patch.keyChanged
          ? { key_added_at: patch.now, token_version: eb('token_version', '+', 1) }
          : {}),
      }))
      .where('guid', '=', guid)
      .execute();
  }

  /** token_version += 1 and optionally a new status; returns the new version (null: no device). */
  async bumpTokenVersion(guid: string, now: number, status?: string): Promise<number | null> {
    const res = await this.db
      .updateTable('devices')
      .set((eb) => ({
        token_version: eb('token_version', '+', 1),
        updated_at: now,
        ...(status ? { status } : {}),
      }))
      .where('guid', '=', guid)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return null;
    return (await this.findByGuid(guid))?.token_version ?? null;
  }

  /** Sets the status only while it is one of `from`; returns whether it changed. */
  async setStatus(
    guid: string,
    from: readonly string[],
    status: string,
    now: number,
  ): Promise<boolean> {
    const res = await this.db
      .updateTable('devices')
      .set({ status, updated_at: now })
      .where('guid', '=', guid)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }
}

function toRow(r: DeviceTrustRow): DeviceTrustRow {
  return { ...r, token_version: Number(r.token_version) };
}

/** The trust repositories over one handle (the database or a transaction). */
export interface TrustRepos {
  approvals: ApprovalRepository;
  devices: DeviceTrustRepository;
  keys: DeviceKeyRepository;
  refreshTokens: RefreshTokenRepository;
  jtis: DpopJtiRepository;
  installerCodes: InstallerCodeRepository;
}

export function trustRepos(db: Kysely<DB>): TrustRepos {
  return {
    approvals: new ApprovalRepository(db),
    devices: new DeviceTrustRepository(db),
    keys: new DeviceKeyRepository(db),
    refreshTokens: new RefreshTokenRepository(db),
    jtis: new DpopJtiRepository(db),
    installerCodes: new InstallerCodeRepository(db),
  };
}

export class TrustStore {
  readonly repos: TrustRepos;

  constructor(private readonly db: Kysely<DB>) {
    this.repos = trustRepos(db);
  }

  /** Runs `fn` in one transaction; everything it does through its repos commits or rolls back together. */
  transaction<T>(fn: (repos: TrustRepos) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => fn(trustRepos(trx)));
  }
}
