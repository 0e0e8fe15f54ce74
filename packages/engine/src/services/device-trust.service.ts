// Operator trust actions on a device (admin): revoke (permanent: refresh tokens revoked, the
// agent must enroll again), quarantine (refused until released; its tokens are kept so release
// restores it) and release. Each bumps token_version where trust drops and drops the device's
// sockets. Also prune(): expires approvals and deletes spent tokens and DPoP jtis.
import type { DeviceTrustResult } from '@borealis/protocol';
import type { TrustStore } from '../db/repositories/device-trust.repository.js';
import { AppError, conflict, forbidden, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import { SPENT_TOKEN_RETENTION_MS } from '../security/refresh-token.js';
import { looksLikeId } from './approval.service.js';
import type { EventSink } from './events.js';

/** Denied and expired approvals stay visible this long before prune() deletes them. */
export const FINISHED_APPROVAL_RETENTION_MS = 7 * 86_400_000;

/** The 403 a device in `status` gets, or null when it may authenticate. */
export function deviceStatusError(status: string): AppError | null {
  if (status === 'revoked') return forbidden('device_revoked', 'This device has been revoked.');
  if (status === 'quarantined')
    return forbidden('device_quarantined', 'This device is quarantined.');
  return null;
}

export interface PruneResult {
  approvalsExpired: number;
  approvalsDeleted: number;
  refreshTokensDeleted: number;
  jtisDeleted: number;
}

const deviceNotFound = (guid: string) =>
  notFound('device_not_found', `No device with GUID ${guid}.`);

export class DeviceTrustService {
  constructor(
    private readonly store: TrustStore,
    private readonly events: EventSink,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Revokes the device for good: new token_version, refresh tokens revoked, sockets dropped. */
  async revoke(guid: string, actor: string): Promise<DeviceTrustResult> {
    const { devices, refreshTokens } = this.store.repos;
    const now = this.clock.now();
    if (!looksLikeId(guid)) throw deviceNotFound(guid);
    const version = await devices.bumpTokenVersion(guid, now, 'revoked');
    if (version === null) throw deviceNotFound(guid);
    await refreshTokens.revokeDevice(guid, now, now + SPENT_TOKEN_RETENTION_MS);
    this.events.disconnectDevice(guid, 'device_revoked');
    this.log.info(`device ${guid} revoked by ${actor}`);
    return { guid, status: 'revoked', token_version: version };
  }

  /** Quarantines an active device: every token and socket refused until release. */
  async quarantine(guid: string, actor: string): Promise<DeviceTrustResult> {
    const { devices } = this.store.repos;
    const device = looksLikeId(guid) ? await devices.findByGuid(guid) : null;
    if (!device) throw deviceNotFound(guid);
    if (device.status === 'revoked') {
      throw conflict('device_revoked', 'A revoked device cannot be quarantined.');
    }
    const version = await devices.bumpTokenVersion(guid, this.clock.now(), 'quarantined');
    if (version === null) throw deviceNotFound(guid);
    this.events.disconnectDevice(guid, 'device_quarantined');
    this.log.info(`device ${guid} quarantined by ${actor}`);
    return { guid, status: 'quarantined', token_version: version };
  }

  /** Lifts a quarantine: the agent's next refresh succeeds again. */
  async release(guid: string, actor: string): Promise<DeviceTrustResult> {
    const { devices } = this.store.repos;
    if (!looksLikeId(guid)) throw deviceNotFound(guid);
    const released = await devices.setStatus(guid, ['quarantined'], 'active', this.clock.now());
    const device = await devices.findByGuid(guid);
    if (!device) throw deviceNotFound(guid);
    if (!released) throw conflict('device_not_quarantined', 'This device is not quarantined.');
    this.log.info(`device ${guid} released from quarantine by ${actor}`);
    return { guid, status: 'active', token_version: device.token_version };
  }

  /** Housekeeping for the maintenance timer. */
  async prune(): Promise<PruneResult> {
    const { approvals, refreshTokens, jtis } = this.store.repos;
    const now = this.clock.now();
    const result: PruneResult = {
      approvalsExpired: await approvals.expireStale(now),
      approvalsDeleted: await approvals.deleteFinishedBefore(now - FINISHED_APPROVAL_RETENTION_MS),
      refreshTokensDeleted: await refreshTokens.deleteExpired(now),
      jtisDeleted: await jtis.deleteExpired(now),
    };
    if (Object.values(result).some((n) => n > 0)) {
      this.log.info(
        `pruned: ${result.approvalsExpired} approvals expired, ${result.approvalsDeleted} deleted, ` +
          `${result.refreshTokensDeleted} refresh tokens, ${result.jtisDeleted} DPoP jtis`,
      );
    }
    return result;
  }
}
