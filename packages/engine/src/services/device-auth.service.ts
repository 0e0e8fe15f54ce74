// Device authentication for `config.auth: 'device'` routes and the /agents Socket.IO handshake:
// EdDSA access token (signature, exp/nbf, claims), the device row (status, key fingerprint,
// token_version), a required DPoP proof bound to the token's cnf.jkt with a database replay cache,
// and 60 requests/min per fingerprint. Failures are AppErrors carrying the reference's codes.
import type { DpopJtiRepository } from '../db/repositories/dpop-jti.repository.js';
import type { DeviceTrustRepository } from '../db/repositories/device-trust.repository.js';
import type {
  DeviceAuthenticator,
  DeviceAuthRequest,
  DevicePrincipal,
} from '../http/auth-guard.js';
import { AppError, badRequest, forbidden, unauthorized } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import {
  DpopError,
  jtiCacheKey,
  jtiExpiry,
  verifyDpopProof,
  type DpopExpectation,
  type VerifiedDpop,
} from '../security/dpop.js';
import type { EngineKeys } from '../security/engine-keys.js';
import { AccessTokenError, verifyAccessToken } from '../security/jwt.js';
import { SlidingWindowLimiter } from '../security/rate-limit.js';

export const DEVICE_REQUESTS_PER_MINUTE = 60;
const MAX_TOKEN_LENGTH = 4096;

/** `(publicUrl ?? https://<host>) + path`: the URL a DPoP proof's htu must name. */
export function requestUrl(
  publicUrl: string | undefined,
  host: string | undefined,
  path: string,
): string {
  const origin = publicUrl ? publicUrl.replace(/\/+$/, '') : `https://${host ?? ''}`;
  return `${origin}${path.startsWith('/') ? path : `/${path}`}`;
}

export const rateLimited = (retryAfter: number) =>
  new AppError(429, 'rate_limited', `Too many requests; retry in ${retryAfter} s.`, {
    retryAfter,
  });

/** DPoP checks shared by device requests and the token refresh, with the persistent jti cache. */
export class DpopReplayGuard {
  constructor(
    private readonly jtis: DpopJtiRepository,
    private readonly clock: Clock,
  ) {}

  /** Signature, typ/alg/jwk, htm, htu, iat window and (with a token) ath; no replay check yet. */
  verify(
    header: string | string[] | undefined,
    expect: Omit<DpopExpectation, 'nowSeconds'>,
  ): VerifiedDpop {
    if (header === undefined || header === '') {
      throw badRequest('dpop_missing', 'This request needs a DPoP proof header.');
    }
    if (Array.isArray(header)) throw badRequest('dpop_invalid', 'Send exactly one DPoP header.');
    try {
      return verifyDpopProof(header, {
        ...expect,
        nowSeconds: Math.floor(this.clock.now() / 1000),
      });
    } catch (err) {
      if (err instanceof DpopError) throw badRequest('dpop_invalid', err.message);
      throw err;
    }
  }

  /** The proof must be signed by the key the token is bound to. */
  bind(proof: VerifiedDpop, jkt: string): void {
    if (proof.jkt !== jkt) {
      throw badRequest(
        'dpop_invalid',
        'The DPoP proof is not signed by the key this token is bound to.',
      );
    }
  }

  /** Records the proof's jti; a jti already seen for this key is a replay. */
  async record(proof: VerifiedDpop): Promise<void> {
    const fresh = await this.jtis.remember(
      jtiCacheKey(proof.jkt, proof.jti),
      jtiExpiry(proof.iat),
      this.clock.now(),
    );
    if (!fresh) throw badRequest('dpop_replayed', 'This DPoP proof (jti) was already used.');
  }
}

export interface DeviceAuthDeps {
  devices: DeviceTrustRepository;
  dpop: DpopReplayGuard;
  keys: EngineKeys;
  clock: Clock;
  log: Logger;
  publicUrl: string | undefined;
}

export class DeviceAuthService implements DeviceAuthenticator {
  private readonly limiter: SlidingWindowLimiter;

  constructor(private readonly d: DeviceAuthDeps) {
    this.limiter = new SlidingWindowLimiter({
      limit: DEVICE_REQUESTS_PER_MINUTE,
      windowMs: 60_000,
      clock: d.clock,
    });
  }

  async authenticateRequest(input: DeviceAuthRequest): Promise<DevicePrincipal> {
    const m = /^(?:DPoP|Bearer)\s+(\S+)$/i.exec(input.authorization ?? '');
    if (!m?.[1]) {
      throw unauthorized('missing_authorization', 'Send Authorization: DPoP <access token>.');
    }
    return this.logged(
      this.authenticate(m[1], input.dpop, {
        method: input.method,
        url: requestUrl(this.d.publicUrl, input.host, input.path),
      }),
      `${input.method} ${input.path}`,
    );
  }

  /** The /agents handshake (and `reauthenticate`): proof with htm GET, htu <origin>/socket.io/. */
  async authenticateSocket(input: {
    token: unknown;
    dpop: unknown;
    host: string | undefined;
  }): Promise<DevicePrincipal> {
    if (typeof input.token !== 'string' || input.token === '') {
      throw unauthorized(
        'missing_authorization',
        'The handshake needs auth.token (the access token).',
      );
    }
    const proof = typeof input.dpop === 'string' ? input.dpop : undefined;
    return this.logged(
      this.authenticate(input.token, proof, {
        method: 'GET',
        url: requestUrl(this.d.publicUrl, input.host, '/socket.io/'),
      }),
      'socket handshake',
    );
  }

  /** Refusals go to the debug log with their code (never the token or proof). */
  private async logged(p: Promise<DevicePrincipal>, what: string): Promise<DevicePrincipal> {
    try {
      return await p;
    } catch (err) {
      if (err instanceof AppError) this.d.log.debug(`device auth refused (${what}): ${err.code}`);
      throw err;
    }
  }

  private async authenticate(
    token: string,
    dpopHeader: string | string[] | undefined,
    target: { method: string; url: string },
  ): Promise<DevicePrincipal> {
    if (token.length > MAX_TOKEN_LENGTH)
      throw unauthorized('invalid_token', 'The access token is too long.');
    const now = this.d.clock.now();
    let claims;
    try {
      claims = await verifyAccessToken(
        token,
        this.d.keys.jwtKey().publicKey,
        Math.floor(now / 1000),
      );
    } catch (err) {
      if (err instanceof AccessTokenError) throw unauthorized(err.code, err.message);
      throw err;
    }
    const rate = this.limiter.hit(claims.fingerprint);
    if (!rate.allowed) throw rateLimited(rate.retryAfterSeconds);

    const proof = this.d.dpop.verify(dpopHeader, { ...target, accessToken: token });
    this.d.dpop.bind(proof, claims.jkt);

    const device = await this.d.devices.findByGuid(claims.guid);
    if (!device)
      throw unauthorized('invalid_token', 'The device this token was issued to no longer exists.');
    if (device.status === 'revoked')
      throw forbidden('device_revoked', 'This device has been revoked.');
    if (device.status === 'quarantined') {
      throw forbidden('device_quarantined', 'This device is quarantined.');
    }
    if (device.ssl_key_fingerprint !== claims.fingerprint) {
      throw forbidden('fingerprint_mismatch', 'The token was issued for another device key.');
    }
    if (device.token_version !== claims.tokenVersion) {
      throw forbidden('token_version_mismatch', 'The token has been superseded; refresh it.');
    }
    await this.d.dpop.record(proof);
    return {
      guid: device.guid,
      hostname: device.hostname,
      fingerprint: claims.fingerprint,
      tokenVersion: claims.tokenVersion,
      jkt: claims.jkt,
      exp: claims.exp,
    };
  }
}
