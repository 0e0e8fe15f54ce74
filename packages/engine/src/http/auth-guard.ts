// Route auth: every route declares `config.auth` (none | viewer | operator | admin | device); a
// route without one fails at registration. Resolves the caller (session cookie or API key),
// enforces the role, and checks the CSRF token on cookie-authenticated writes. `device` routes
// take an agent's access token (Authorization: DPoP|Bearer) plus a DPoP proof instead.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ROLE_RANK, type Role } from '@borealis/protocol';
import { safeEqual } from '../security/secret-box.js';
import { AppError } from './errors.js';

export type RouteAuth = 'none' | 'viewer' | 'operator' | 'admin' | 'device';

export interface Principal {
  userId: string | null;
  username: string;
  displayName: string;
  role: Role;
  via: 'session' | 'api_key';
  sessionId?: string;
  csrfToken?: string;
  apiKeyId?: string;
}

export interface Authenticator {
  /** Resolves the caller from the session cookie or `Authorization: Bearer <api key>`; null if neither is valid. */
  authenticate(input: {
    sessionToken?: string;
    bearer?: string;
    ip: string;
  }): Promise<Principal | null>;
}

/** An agent authenticated by access token + DPoP proof (`config.auth: 'device'`). */
export interface DevicePrincipal {
  guid: string;
  hostname: string;
  fingerprint: string;
  tokenVersion: number;
  /** RFC 7638 thumbprint of the device key (the token's cnf.jkt). */
  jkt: string;
  /** Access token expiry, epoch seconds. */
  exp: number;
}

export interface DeviceAuthRequest {
  /** The Authorization header as sent. */
  authorization: string | undefined;
  /** The DPoP header(s) as sent. */
  dpop: string | string[] | undefined;
  method: string;
  /** Request path without the query string. */
  path: string;
  host: string | undefined;
}

export interface DeviceAuthenticator {
  /** Resolves the device or throws AppError (401/403/400/429 with the reference's codes). */
  authenticateRequest(input: DeviceAuthRequest): Promise<DevicePrincipal>;
}

export interface RouteAuthEntry {
  method: string;
  url: string;
  auth: RouteAuth;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** Audit action name for mutating routes; false to skip (agent traffic). */
    audit?: string | false;
  }
  interface FastifyRequest {
    principal: Principal | null;
    device: DevicePrincipal | null;
    auditHint: { actor?: string; target?: string };
  }
}

export const SESSION_COOKIE = 'borealis_session';
const REQUIRED: Record<Exclude<RouteAuth, 'none' | 'device'>, Role> = {
  viewer: 'Viewer',
  operator: 'Operator',
  admin: 'Admin',
};
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function bearerOf(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

const deviceAuthenticators = new WeakMap<
  FastifyInstance,
  { current: DeviceAuthenticator | null }
>();

/**
 * Sets the authenticator for `device` routes on an app whose guard is installed (when it was not
 * passed to installAuthGuard); http/index.ts calls it with ctx.services.deviceAuth.
 */
export function useDeviceAuthenticator(app: FastifyInstance, device: DeviceAuthenticator): void {
  const slot = deviceAuthenticators.get(app);
  if (!slot) throw new Error('installAuthGuard must run before useDeviceAuthenticator');
  slot.current = device;
}

export function installAuthGuard(
  app: FastifyInstance,
  auth: Authenticator,
  device?: DeviceAuthenticator,
): RouteAuthEntry[] {
  const table: RouteAuthEntry[] = [];
  const deviceSlot = { current: device ?? null };
  deviceAuthenticators.set(app, deviceSlot);
  app.decorateRequest('principal', null);
  app.decorateRequest('device', null);
  app.decorateRequest('auditHint', null as never);

  app.addHook('onRoute', (route) => {
    const declared = route.config?.auth;
    if (!declared) {
      throw new Error(`route ${String(route.method)} ${route.url} does not declare config.auth`);
    }
    for (const m of [route.method].flat()) {
      if (m !== 'HEAD') table.push({ method: m, url: route.url, auth: declared });
    }
  });

  app.addHook('onRequest', async (req) => {
    req.auditHint = {};
    const declared = req.routeOptions.config?.auth;
    if (!declared || declared === 'none') return;
    if (declared === 'device') {
      if (!req.headers.authorization) {
        throw new AppError(
          401,
          'missing_authorization',
          'Send Authorization: DPoP <access token>.',
        );
      }
      if (!deviceSlot.current) {
        throw new AppError(
          503,
          'device_auth_unavailable',
          'Device authentication is not configured.',
        );
      }
      req.device = await deviceSlot.current.authenticateRequest({
        authorization: req.headers.authorization,
        dpop: req.headers.dpop,
        method: req.method,
        path: req.url.split('?')[0] ?? req.url,
        host: req.headers.host,
      });
      return;
    }
    const principal = await auth.authenticate({
      sessionToken: req.cookies[SESSION_COOKIE],
      bearer: bearerOf(req),
      ip: req.ip,
    });
    if (!principal) throw new AppError(401, 'unauthorized', 'Sign in or send a valid API key.');
    req.principal = principal;
    if (ROLE_RANK[principal.role] < ROLE_RANK[REQUIRED[declared]]) {
      throw new AppError(403, 'forbidden', `This action needs the ${REQUIRED[declared]} role.`);
    }
    if (principal.via === 'session' && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers['x-csrf-token'];
      if (
        typeof sent !== 'string' ||
        !principal.csrfToken ||
        !safeEqual(sent, principal.csrfToken)
      ) {
        throw new AppError(403, 'csrf_failed', 'Missing or wrong X-CSRF-Token header.');
      }
    }
  });
  return table;
}
