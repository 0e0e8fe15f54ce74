// Device approvals (admin, /api/admin/device-approvals): list with hostname-conflict details,
// approve, deny; and the site auto-approve path used by enrollment. A claimed hostname held by
// another device is a conflict: the same key fingerprint merges into that GUID, otherwise the
// operator picks overwrite (reuse its GUID, old tokens die) or coexist (new GUID, `<host>-N`).
import crypto from 'node:crypto';
import type { DeviceApproval, DeviceApprovalApprove } from '@borealis/protocol';
import type { ApprovalListRow, ApprovalRow } from '../db/repositories/approval.repository.js';
import type {
  DeviceTrustRepository,
  DeviceTrustRow,
  TrustStore,
} from '../db/repositories/device-trust.repository.js';
import { AppError, conflict, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import { SPENT_TOKEN_RETENTION_MS } from '../security/refresh-token.js';
import type { EventSink } from './events.js';

export const MAX_HOSTNAME_SUFFIX = 50;

/** Ids and GUIDs we issue; anything else cannot name a row (and never reaches the database). */
export const looksLikeId = (s: string): boolean => /^[A-Za-z0-9_.-]{1,64}$/.test(s);
export const AUTO_APPROVER = 'auto-approve';

export interface HostnameConflictInfo {
  device: DeviceTrustRow;
  fingerprintMatch: boolean;
}

/** The device (other than `guid`) holding `hostname`, preferring one with the same key. */
export async function findHostnameConflict(
  devices: DeviceTrustRepository,
  hostname: string,
  fingerprint: string,
  guid: string | null,
): Promise<HostnameConflictInfo | null> {
  const holders = (await devices.findByHostnames([hostname])).filter((d) => d.guid !== guid);
  return pickConflict(holders, fingerprint);
}

function pickConflict(holders: DeviceTrustRow[], fingerprint: string): HostnameConflictInfo | null {
  const match = holders.find((d) => d.ssl_key_fingerprint === fingerprint);
  const device = match ?? holders[0];
  return device ? { device, fingerprintMatch: Boolean(match) } : null;
}

/** The first `<hostname>-N` (N = 1…50) no device holds, ignoring case; null when all are taken. */
export async function alternateHostname(
  devices: DeviceTrustRepository,
  hostname: string,
): Promise<string | null> {
  const taken = await devices.hostnamesStartingWith(`${hostname}-`);
  for (let n = 1; n <= MAX_HOSTNAME_SUFFIX; n++) {
    const candidate = `${hostname}-${n}`;
    if (!taken.has(candidate.toLowerCase())) return candidate;
  }
  return null;
}

const approvalNotFound = (id: string) =>
  notFound('approval_not_found', `No device approval ${id}.`);
const notPending = () =>
  conflict('approval_not_pending', 'This approval is no longer pending (decided or expired).');
export const noFreeHostname = (hostname: string) =>
  conflict('no_free_hostname', `No free ${hostname}-N name (1–${MAX_HOSTNAME_SUFFIX}) is left.`);

export class ApprovalService {
  constructor(
    private readonly store: TrustStore,
    private readonly events: EventSink,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  async list(status?: string): Promise<DeviceApproval[]> {
    const { approvals, devices } = this.store.repos;
    await approvals.expireStale(this.clock.now());
    const rows = await approvals.list(status);
    const pending = rows.filter((r) => r.status === 'pending');
    const holders = await devices.findByHostnames(pending.map((r) => r.hostname_claimed));
    const out: DeviceApproval[] = [];
    for (const r of rows) {
      const lower = r.hostname_claimed.toLowerCase();
      const c =
        r.status === 'pending'
          ? pickConflict(
              holders.filter((d) => d.hostname.toLowerCase() === lower && d.guid !== r.guid),
              r.ssl_key_fingerprint_claimed,
            )
          : null;
      const prompt = Boolean(c && !c.fingerprintMatch);
      out.push(
        toApproval(r, c, prompt ? await alternateHostname(devices, r.hostname_claimed) : null),
      );
    }
    return out;
  }

  async approve(
    id: string,
    input: DeviceApprovalApprove,
    actor: string,
  ): Promise<{ status: 'approved'; guid: string; conflict_resolution: string | null }> {
    const { approvals, devices, refreshTokens } = this.store.repos;
    const row = await this.pendingRow(id);
    const c = await findHostnameConflict(
      devices,
      row.hostname_claimed,
      row.ssl_key_fingerprint_claimed,
      null,
    );
    let guid = input.guid ?? crypto.randomUUID();
    let resolution: string | null = null;
    if (c) {
      if (c.fingerprintMatch) {
        guid = c.device.guid;
        resolution = 'auto_merge_fingerprint';
      } else if (input.conflict_resolution === 'overwrite' || input.guid === c.device.guid) {
        guid = c.device.guid;
        resolution = 'overwrite';
      } else if (input.conflict_resolution === 'coexist') {
        if (!(await alternateHostname(devices, row.hostname_claimed))) {
          throw noFreeHostname(row.hostname_claimed);
        }
        resolution = 'coexist';
      } else {
        throw new AppError(
          409,
          'conflict_resolution_required',
          `Another device (${c.device.guid}) already uses the hostname ${row.hostname_claimed}; ` +
            'choose conflict_resolution overwrite or coexist.',
          { field: 'conflict_resolution' },
        );
      }
    }
    const now = this.clock.now();
    const ok = await approvals.transition(row.id, ['pending'], {
      status: 'approved',
      guid,
      conflict_resolution: resolution,
      approved_by: actor,
      updated_at: now,
    });
    if (!ok) throw notPending();
    if (resolution === 'overwrite') {
      // The old holder's credentials die now; the enrolling agent takes the GUID over.
      await devices.bumpTokenVersion(guid, now);
      await refreshTokens.revokeDevice(guid, now, now + SPENT_TOKEN_RETENTION_MS);
      this.events.disconnectDevice(guid, 'token_version_mismatch');
    }
    this.log.info(
      `approval ${row.id} (${JSON.stringify(row.hostname_claimed)}) approved by ${actor} as ${guid}` +
        (resolution ? ` (${resolution})` : ''),
    );
    return { status: 'approved', guid, conflict_resolution: resolution };
  }

  async deny(id: string, actor: string): Promise<{ status: 'denied' }> {
    const row = await this.pendingRow(id);
    const ok = await this.store.repos.approvals.transition(row.id, ['pending'], {
      status: 'denied',
      approved_by: actor,
      updated_at: this.clock.now(),
    });
    if (!ok) throw notPending();
    this.log.info(
      `approval ${row.id} (${JSON.stringify(row.hostname_claimed)}) denied by ${actor}`,
    );
    return { status: 'denied' };
  }

  /**
   * Site auto-approval of a pending request: approved at once unless its hostname belongs to
   * another device with a different key (or to a device that is not active). Returns whether it
   * approved.
   */
  async tryAutoApprove(row: ApprovalRow): Promise<boolean> {
    const { approvals, devices } = this.store.repos;
    const c = await findHostnameConflict(
      devices,
      row.hostname_claimed,
      row.ssl_key_fingerprint_claimed,
      null,
    );
    if (c && (!c.fingerprintMatch || c.device.status !== 'active')) return false;
    const ok = await approvals.transition(row.id, ['pending'], {
      status: 'approved',
      guid: c ? c.device.guid : crypto.randomUUID(),
      conflict_resolution: c ? 'auto_merge_fingerprint' : null,
      approved_by: AUTO_APPROVER,
      updated_at: this.clock.now(),
    });
    if (ok)
      this.log.info(`approval ${row.id} (${JSON.stringify(row.hostname_claimed)}) auto-approved`);
    return ok;
  }

  private async pendingRow(id: string): Promise<ApprovalRow> {
    const { approvals } = this.store.repos;
    const row = looksLikeId(id) ? await approvals.findById(id) : null;
    if (!row) throw approvalNotFound(id);
    if (row.status === 'pending' && row.expires_at <= this.clock.now()) {
      await approvals.transition(row.id, ['pending'], {
        status: 'expired',
        updated_at: this.clock.now(),
      });
      throw notPending();
    }
    if (row.status !== 'pending') throw notPending();
    return row;
  }
}

function toApproval(
  r: ApprovalListRow,
  c: HostnameConflictInfo | null,
  alternate: string | null,
): DeviceApproval {
  const prompt = Boolean(c && !c.fingerprintMatch);
  return {
    id: r.id,
    approval_reference: r.approval_reference,
    guid: r.guid,
    hostname_claimed: r.hostname_claimed,
    ssl_key_fingerprint_claimed: r.ssl_key_fingerprint_claimed,
    code_kind: r.code_kind,
    install_code_id: r.install_code_id,
    site_id: r.site_id,
    site_name: r.site_name,
    status: r.status as DeviceApproval['status'],
    conflict_resolution: r.conflict_resolution,
    approved_by: r.approved_by,
    source_ip: r.source_ip,
    created_at: r.created_at,
    updated_at: r.updated_at,
    expires_at: r.expires_at,
    finalized_at: r.finalized_at,
    hostname_conflict: c
      ? {
          guid: c.device.guid,
          ssl_key_fingerprint: c.device.ssl_key_fingerprint,
          site_id: c.device.site_id,
          site_name: c.device.site_name,
          fingerprint_match: c.fingerprintMatch,
          requires_prompt: !c.fingerprintMatch,
        }
      : null,
    alternate_hostname: alternate,
    conflict_requires_prompt: prompt,
    fingerprint_match: Boolean(c?.fingerprintMatch),
  };
}
