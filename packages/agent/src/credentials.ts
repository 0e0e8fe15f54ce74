// The agent's device credentials on disk: guid.txt, access.jwt + access.meta.json (local expiry)
// and refresh.token, all 0600 and replaced atomically. A rotated refresh token is durable BEFORE
// the new access token is used, so a crash can never leave the agent holding only a spent token.
import { z } from 'zod';
import type { AgentPaths } from './config.js';
import { readJson, readText, removeFile, writeFileAtomic } from './files.js';
import type { Clock } from './logging/clock.js';

export interface Credentials {
  guid: string | null;
  accessToken: string | null;
  /** Local epoch ms after which the access token must not be used. */
  accessExpiresAt: number;
  refreshToken: string | null;
}

export interface Grant {
  access_token: string;
  expires_in: number;
  refresh_token: string;
}

/** Safety margin subtracted from `expires_in` (clock skew, request latency). */
const EXPIRY_MARGIN_S = 5;
const MetaSchema = z.object({ access_expires_at: z.number() });

export class CredentialStore {
  constructor(
    private readonly paths: AgentPaths,
    private readonly clock: Clock,
  ) {}

  load(): Credentials {
    const meta = MetaSchema.safeParse(readJson(this.paths.accessMetaFile));
    const accessToken = readText(this.paths.accessFile) || null;
    return {
      guid: readText(this.paths.guidFile) || null,
      accessToken,
      accessExpiresAt: meta.success
        ? meta.data.access_expires_at
        : accessToken
          ? jwtExpiry(accessToken)
          : 0,
      refreshToken: readText(this.paths.refreshFile) || null,
    };
  }

  /** True when a guid and a refresh token exist (enrolled at some point). */
  hasDeviceCredentials(): boolean {
    const c = this.load();
    return Boolean(c.guid && c.refreshToken);
  }

  /** After approval: guid, refresh token, then access token. */
  saveEnrollment(guid: string, grant: Grant): void {
    writeFileAtomic(this.paths.guidFile, `${guid}\n`, { mode: 0o600 });
    this.saveGrant(grant);
  }

  /** After a refresh: the rotated refresh token first (durable), then the access token. */
  saveGrant(grant: Grant): void {
    const receivedAt = this.clock.now();
    writeFileAtomic(this.paths.refreshFile, grant.refresh_token, { mode: 0o600 });
    writeFileAtomic(this.paths.accessFile, grant.access_token, { mode: 0o600 });
    const expiresAt = receivedAt + Math.max(0, grant.expires_in - EXPIRY_MARGIN_S) * 1000;
    writeFileAtomic(this.paths.accessMetaFile, JSON.stringify({ access_expires_at: expiresAt }), {
      mode: 0o600,
    });
  }

  /** Marks the access token unusable (the engine refused it); the next call refreshes. */
  invalidateAccess(): void {
    writeFileAtomic(this.paths.accessMetaFile, JSON.stringify({ access_expires_at: 0 }), {
      mode: 0o600,
    });
  }

  /** Forgets the tokens (revoked or reused refresh token): the agent must enroll again. */
  wipeTokens(): void {
    removeFile(this.paths.accessFile);
    removeFile(this.paths.accessMetaFile);
    removeFile(this.paths.refreshFile);
  }
}

/** `exp` of a JWT in epoch ms (0 when unreadable); only a fallback when access.meta.json is gone. */
export function jwtExpiry(token: string): number {
  const part = token.split('.')[1];
  if (!part) return 0;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 - EXPIRY_MARGIN_S * 1000 : 0;
  } catch {
    return 0;
  }
}
