// REST client of the agent: HTTPS verified against the pinned CA only, JSON bodies, and device
// authentication — `Authorization: DPoP <access token>` plus a fresh `DPoP` proof on every call.
// ensureAuthenticated() enrolls when there are no credentials, refreshes the access token when it
// is < 60 s from expiry (rotated refresh token persisted first), and wipes + re-enrolls when the
// engine rejects the refresh token or revoked the device. Concurrent callers share one attempt.
import https from 'node:https';
import { TokenGrantSchema } from '@borealis/protocol';
import type { CredentialStore } from './credentials.js';
import type { Identity } from './identity.js';
import type { Clock } from './logging/clock.js';
import type { Logger } from './logging/agent-log.js';
import { checkServerIdentity, type TrustManager } from './tls-trust.js';

export const REFRESH_PATH = '/api/agent/token/refresh';
/** Refresh when the access token has less than this left. */
export const REFRESH_BEFORE_MS = 60_000;
const MAX_BODY = 4 * 1024 * 1024;

/** Refresh/auth answers that mean the tokens are dead for good: wipe them and enroll again. */
export const REENROLL_CODES = new Set([
  'refresh_token_reused',
  'invalid_refresh_token',
  'refresh_token_revoked',
  'refresh_token_expired',
  'device_revoked',
  'device_not_found',
]);
/** Access-token failures a refresh can cure. */
const RETRY_AFTER_REFRESH = new Set([
  'token_expired',
  'invalid_token',
  'invalid_claims',
  'missing_authorization',
  'token_version_mismatch',
  'fingerprint_mismatch',
  'device_revoked',
]);

export interface JsonResponse {
  status: number;
  body: unknown;
  retryAfterMs?: number;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The engine quarantined this device: keep credentials, retry slowly. */
export class DeviceQuarantinedError extends Error {
  readonly code = 'device_quarantined';
}

export interface HttpClientOptions {
  serverUrl: string;
  trust: TrustManager;
  identity: Identity;
  store: CredentialStore;
  log: Logger;
  clock: Clock;
  /** Runs enrollment until approved (throws on denial, expiry or transport errors). */
  enroll: () => Promise<void>;
  timeoutMs?: number;
}

export function errorFromResponse(res: JsonResponse, what: string): HttpError {
  const b = (res.body ?? {}) as { error?: unknown; message?: unknown };
  const code = typeof b.error === 'string' ? b.error : `http_${res.status}`;
  const message = typeof b.message === 'string' ? b.message : `${what} answered HTTP ${res.status}`;
  return new HttpError(res.status, code, message, res.retryAfterMs);
}

export class AgentHttpClient {
  private inflight: Promise<string> | null = null;

  constructor(private readonly opts: HttpClientOptions) {}

  url(path: string): string {
    return new URL(path, `${this.opts.serverUrl}/`).toString();
  }

  /** One HTTPS JSON request verified against the pinned CA; never throws for HTTP statuses. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse> {
    const ca = this.opts.trust.pinned();
    if (!ca) throw new HttpError(0, 'no_ca_pinned', 'no engine CA is pinned');
    const url = new URL(this.url(path));
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          method,
          host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: Number(url.port || 443),
          path: url.pathname + url.search,
          ca: ca.pem,
          rejectUnauthorized: true,
          checkServerIdentity,
          agent: false,
          headers: {
            accept: 'application/json',
            'user-agent': 'borealis-agent',
            'x-borealis-agent-context': 'SYSTEM',
            ...(payload
              ? { 'content-type': 'application/json', 'content-length': String(payload.length) }
              : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY) req.destroy(new Error('response too large'));
            else chunks.push(c);
          });
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              // not JSON: keep the text
            }
            const ra = Number(res.headers['retry-after']);
            resolve({
              status: res.statusCode ?? 0,
              body: parsed,
              ...(Number.isFinite(ra) && ra >= 0 ? { retryAfterMs: ra * 1000 } : {}),
            });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(this.opts.timeoutMs ?? 30_000, () =>
        req.destroy(new Error(`${method} ${url.pathname} timed out`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** A valid access token, enrolling and refreshing as needed. */
  ensureAuthenticated(): Promise<string> {
    this.inflight ??= this.authenticate().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Seconds-precision expiry of the current access token (local epoch ms; 0 when none). */
  accessExpiresAt(): number {
    return this.opts.store.load().accessExpiresAt;
  }

  /** The engine refused the current access token: the next ensureAuthenticated refreshes. */
  invalidateAccess(): void {
    this.opts.store.invalidateAccess();
  }

  /** An authenticated call: DPoP token + proof; one retry through a refresh on a curable 401/403. */
  async authed(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.ensureAuthenticated();
      const proof = this.opts.identity.dpop({
        method,
        url: this.url(path),
        accessToken: token,
        iat: this.nowS(),
      });
      const res = await this.request(method, path, body, {
        authorization: `DPoP ${token}`,
        dpop: proof,
      });
      if (res.status < 400) return res;
      const err = errorFromResponse(res, `${method} ${path}`);
      if (err.code === 'device_quarantined') throw new DeviceQuarantinedError(err.message);
      if (
        attempt === 0 &&
        (res.status === 401 || res.status === 403) &&
        RETRY_AFTER_REFRESH.has(err.code)
      ) {
        this.opts.log.warn(`engine refused the access token (${err.code}); refreshing`);
        this.invalidateAccess();
        continue;
      }
      throw err;
    }
  }

  private nowS(): number {
    return Math.floor(this.opts.clock.now() / 1000);
  }

  private async authenticate(): Promise<string> {
    const { store, log } = this.opts;
    for (;;) {
      const creds = store.load();
      if (!creds.guid || !creds.refreshToken) {
        await this.opts.enroll();
        continue;
      }
      if (creds.accessToken && creds.accessExpiresAt - this.opts.clock.now() > REFRESH_BEFORE_MS) {
        return creds.accessToken;
      }
      try {
        return await this.refresh(creds.guid, creds.refreshToken);
      } catch (err) {
        if (err instanceof HttpError && REENROLL_CODES.has(err.code)) {
          log.warn(`token refresh refused (${err.code}); discarding tokens and enrolling again`);
          store.wipeTokens();
          continue;
        }
        throw err;
      }
    }
  }

  private async refresh(guid: string, refreshToken: string): Promise<string> {
    const proof = this.opts.identity.dpop({
      method: 'POST',
      url: this.url(REFRESH_PATH),
      iat: this.nowS(),
    });
    const res = await this.request(
      'POST',
      REFRESH_PATH,
      { guid, refresh_token: refreshToken },
      { dpop: proof },
    );
    if (res.status !== 200) {
      const err = errorFromResponse(res, 'token refresh');
      if (err.code === 'device_quarantined') throw new DeviceQuarantinedError(err.message);
      throw err;
    }
    const grant = TokenGrantSchema.safeParse(res.body);
    if (!grant.success)
      throw new HttpError(res.status, 'unexpected_response', 'token refresh answer is malformed');
    this.opts.store.saveGrant(grant.data);
    this.opts.log.info(`access token refreshed (valid ${grant.data.expires_in} s)`);
    return grant.data.access_token;
  }
}
