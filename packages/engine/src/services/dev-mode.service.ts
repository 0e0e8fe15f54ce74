// Dev Mode (reference §2.5): an admin switches it on for themselves for a limited time (TTL,
// BOREALIS_DEV_MODE_TTL_SECONDS, default 900 s); while on, that admin may write to the official
// and community assembly domains. State is per admin and in memory: a restart switches it off.
// Serves GET /api/assemblies/dev-mode and POST /api/assemblies/dev-mode/switch.
import type { DevModeStatus, Role } from '@borealis/protocol';
import { forbidden } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';

export interface Actor {
  username: string;
  role: Role;
}

export class DevModeService {
  /** username → epoch ms when Dev Mode ends. */
  private readonly until = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    readonly ttlSeconds: number,
    private readonly log: Logger,
  ) {}

  /** True while `username` has Dev Mode on (expired entries are dropped). */
  isEnabled(username: string): boolean {
    const end = this.until.get(username);
    if (end === undefined) return false;
    if (this.clock.now() >= end) {
      this.until.delete(username);
      this.log.info(`dev mode expired for ${username}`);
      return false;
    }
    return true;
  }

  status(username: string): DevModeStatus {
    const enabled = this.isEnabled(username);
    return {
      enabled,
      expires_at: enabled ? (this.until.get(username) ?? null) : null,
      ttl_seconds: this.ttlSeconds,
    };
  }

  /** Admins only. Switching on (again) restarts the TTL; switching off ends it at once. */
  set(actor: Actor, enabled: boolean): DevModeStatus {
    if (actor.role !== 'Admin') throw forbidden('forbidden', 'Only an Admin can switch Dev Mode.');
    if (enabled) {
      this.until.set(actor.username, this.clock.now() + this.ttlSeconds * 1000);
      this.log.info(`dev mode on for ${actor.username} (${this.ttlSeconds} s)`);
    } else if (this.until.delete(actor.username)) {
      this.log.info(`dev mode off for ${actor.username}`);
    }
    return this.status(actor.username);
  }
}
