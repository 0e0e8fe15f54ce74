// Device token issuance and POST /api/agent/token/refresh: access JWTs bound to the device key
// (cnf.jkt), refresh-token families rotated on every use, reuse of a rotated token revoking the
// whole family (refresh_token_reused). The refresh call must carry a DPoP proof by the bound key.
import crypto from 'node:crypto';
import { ACCESS_TOKEN_TTL_SECONDS, type TokenGrant } from '@borealis/protocol';
import type { TrustRepos, TrustStore } from '../db/repositories/device-trust.repository.js';
import { notFound, unauthorized } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type { EngineKeys } from '../security/engine-keys.js';
import { signAccessToken, type AccessTokenSubject } from '../security/jwt.js';
import {
  hashRefreshToken,
  looksLikeRefreshToken,
  newRefreshToken,
  REFRESH_TOKEN_TTL_MS,
  SPENT_TOKEN_RETENTION_MS,
} from '../security/refresh-token.js';
import { looksLikeId } from './approval.service.js';
import { deviceStatusError } from './device-trust.service.js';
import { requestUrl, type DpopReplayGuard } from './device-auth.service.js';

export interface DeviceTokenDeps {
  store: TrustStore;
  dpop: DpopReplayGuard;
  keys: EngineKeys;
  clock: Clock;
  log: Logger;
  publicUrl: string | undefined;
}

export interface RefreshInput {
  guid: string;
  refreshToken: string;
  dpop: string | string[] | undefined;
  host: string | undefined;
  path: string;
}

const invalidRefresh = () =>
  unauthorized('invalid_refresh_token', 'The refresh token is not valid for this device.');

export class DeviceTokenService {
  constructor(private readonly d: DeviceTokenDeps) {}

  /** A signed access token for `subject`, valid ACCESS_TOKEN_TTL_SECONDS from now. */
  async issueAccessToken(subject: AccessTokenSubject): Promise<string> {
    const now = Math.floor(this.d.clock.now() / 1000);
    return (await signAccessToken(this.d.keys.jwtKey(), subject, now)).token;
  }

  /** Starts a refresh-token family for a device (inside the caller's transaction); returns the secret. */
  async startFamily(repos: TrustRepos, guid: string, jkt: string): Promise<string> {
    const now = this.d.clock.now();
    const issued = newRefreshToken();
    await repos.refreshTokens.insert({
      id: crypto.randomUUID(),
      guid,
      family_id: crypto.randomUUID(),
      token_hash: issued.hash,
      dpop_jkt: jkt,
      created_at: now,
      expires_at: now + REFRESH_TOKEN_TTL_MS,
      rotated_at: null,
      revoked_at: null,
    });
    return issued.token;
  }

  async refresh(input: RefreshInput): Promise<TokenGrant> {
    const repos = this.d.store.repos;
    const proof = this.d.dpop.verify(input.dpop, {
      method: 'POST',
      url: requestUrl(this.d.publicUrl, input.host, input.path),
    });
    const device = looksLikeId(input.guid) ? await repos.devices.findByGuid(input.guid) : null;
    if (!device) throw notFound('device_not_found', 'No device with that GUID.');
    const blocked = deviceStatusError(device.status);
    if (blocked) throw blocked;

    if (!looksLikeRefreshToken(input.refreshToken)) throw invalidRefresh();
    const row = await repos.refreshTokens.findByHash(hashRefreshToken(input.refreshToken));
    if (!row || row.guid !== device.guid) throw invalidRefresh();
    this.d.dpop.bind(proof, row.dpop_jkt);
    await this.d.dpop.record(proof);

    const now = this.d.clock.now();
    // A rotated token presented again is reuse, even once its family is revoked.
    if (row.rotated_at !== null) throw await this.reused(row.family_id, device.guid);
    if (row.revoked_at !== null) {
      throw unauthorized(
        'refresh_token_revoked',
        'The refresh token has been revoked; enroll again.',
      );
    }
    if (row.expires_at <= now) {
      throw unauthorized('refresh_token_expired', 'The refresh token has expired; enroll again.');
    }

    const next = newRefreshToken();
    const rotated = await this.d.store.transaction(async (r) => {
      if (!(await r.refreshTokens.markRotated(row.id, now, now + SPENT_TOKEN_RETENTION_MS)))
        return false;
      await r.refreshTokens.insert({
        id: crypto.randomUUID(),
        guid: row.guid,
        family_id: row.family_id,
        token_hash: next.hash,
        dpop_jkt: row.dpop_jkt,
        created_at: now,
        expires_at: now + REFRESH_TOKEN_TTL_MS,
        rotated_at: null,
        revoked_at: null,
      });
      return true;
    });
    // Lost a race with another use of the same token: that is reuse too.
    if (!rotated) throw await this.reused(row.family_id, device.guid);

    const fingerprint = device.ssl_key_fingerprint ?? '';
    const access = await this.issueAccessToken({
      guid: device.guid,
      fingerprint,
      tokenVersion: device.token_version,
      jkt: row.dpop_jkt,
    });
    return {
      access_token: access,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      token_type: 'DPoP',
      refresh_token: next.token,
    };
  }

  private async reused(familyId: string, guid: string) {
    const now = this.d.clock.now();
    const n = await this.d.store.repos.refreshTokens.revokeFamily(
      familyId,
      now,
      now + SPENT_TOKEN_RETENTION_MS,
    );
    this.d.log.warn(`refresh token reuse for device ${guid}: family revoked (${n} live tokens)`);
    return unauthorized(
      'refresh_token_reused',
      'This refresh token was already used; every token of its family is now revoked.',
    );
  }
}
