// Device presence. One documented rule: a device is Online while it has an agent socket on this
// node or its last contact (heartbeat, details, socket) is within OFFLINE_AFTER_MS (3 missed
// heartbeats); otherwise Offline. Emits `device_status_changed` to UIs on every transition: socket
// connect/disconnect, contact, and a periodic sweep (~10 s) that catches devices going quiet.
import {
  OFFLINE_AFTER_MS,
  type DeviceStatusChanged,
  type PresenceStatus,
} from '@borealis/protocol';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type { EventSink } from './events.js';

export const PRESENCE_SWEEP_MS = 10_000;
/** A connected socket refreshes last_seen when the stored contact is older than this. */
const SOCKET_TOUCH_AFTER_MS = OFFLINE_AFTER_MS / 3;

export function presenceOf(
  lastSeen: number | null,
  now: number,
  connected = false,
): PresenceStatus {
  return connected || (lastSeen !== null && lastSeen >= now - OFFLINE_AFTER_MS)
    ? 'Online'
    : 'Offline';
}

interface Tracked {
  hostname: string;
  lastSeen: number | null;
  status: PresenceStatus;
}

export interface PresenceDeps {
  /** Devices with contact since `since` (seeds the sweep after a restart). */
  seenSince(since: number): Promise<{ guid: string; hostname: string; last_seen: number }[]>;
  /** Records contact in the device row (the coalesced heartbeat buffer). */
  touch(guid: string, ts: number): void;
  events: EventSink;
  clock: Clock;
  log: Logger;
}

export class PresenceService {
  private readonly tracked = new Map<string, Tracked>();
  private readonly sockets = new Map<string, number>();
  private seeded = false;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(private readonly d: PresenceDeps) {}

  isConnected(guid: string): boolean {
    return (this.sockets.get(guid) ?? 0) > 0;
  }

  /** Online/Offline for a row read from the database, honouring live sockets. */
  /**
   * The later of the stored last_seen and the contact seen in memory: stored rows lag by up to one
   * heartbeat-buffer flush, and the API must not say Offline after the UI was told Online.
   */
  lastContact(guid: string, stored: number | null): number | null {
    const live = this.tracked.get(guid)?.lastSeen ?? null;
    if (live === null) return stored;
    return stored === null ? live : Math.max(stored, live);
  }

  statusOf(guid: string, lastSeen: number | null): PresenceStatus {
    return presenceOf(this.lastContact(guid, lastSeen), this.d.clock.now(), this.isConnected(guid));
  }

  /** An authenticated agent socket of `guid` connected; counts as contact. */
  socketConnected(guid: string, hostname: string): void {
    this.sockets.set(guid, (this.sockets.get(guid) ?? 0) + 1);
    const now = this.d.clock.now();
    this.d.touch(guid, now);
    this.seen(guid, hostname, now);
  }

  socketDisconnected(guid: string): void {
    const n = (this.sockets.get(guid) ?? 0) - 1;
    if (n > 0) this.sockets.set(guid, n);
    else this.sockets.delete(guid);
    this.reevaluate(guid);
  }

  /** Contact from the device (heartbeat, details) at `ts`. */
  seen(guid: string, hostname: string, ts: number): void {
    const t = this.tracked.get(guid);
    if (t) {
      t.hostname = hostname;
      t.lastSeen = t.lastSeen === null ? ts : Math.max(t.lastSeen, ts);
    } else {
      this.tracked.set(guid, { hostname, lastSeen: ts, status: 'Offline' });
    }
    this.reevaluate(guid);
  }

  /** The device was deleted: stop tracking it (no event; its sockets are being dropped). */
  forget(guid: string): void {
    this.tracked.delete(guid);
  }

  /** Re-evaluates every tracked device; the first run after start seeds from the database. */
  sweep(): Promise<void> {
    this.sweeping ??= this.runSweep().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  start(intervalMs = PRESENCE_SWEEP_MS): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) =>
        this.d.log.error(`presence sweep failed: ${String(err)}`),
      );
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping?.catch(() => undefined);
  }

  private async runSweep(): Promise<void> {
    const now = this.d.clock.now();
    if (!this.seeded) {
      for (const r of await this.d.seenSince(now - OFFLINE_AFTER_MS)) {
        if (!this.tracked.has(r.guid)) {
          this.tracked.set(r.guid, {
            hostname: r.hostname,
            lastSeen: r.last_seen,
            status: 'Online',
          });
        }
      }
      this.seeded = true;
    }
    for (const [guid, t] of this.tracked) {
      if (
        this.isConnected(guid) &&
        (t.lastSeen === null || t.lastSeen < now - SOCKET_TOUCH_AFTER_MS)
      ) {
        this.d.touch(guid, now);
        t.lastSeen = now;
      }
      this.reevaluate(guid);
      // Quiet, socket-less devices need no tracking until they call again.
      if (t.status === 'Offline' && !this.isConnected(guid)) this.tracked.delete(guid);
    }
  }

  private reevaluate(guid: string): void {
    const t = this.tracked.get(guid);
    if (!t) return;
    const status = presenceOf(t.lastSeen, this.d.clock.now(), this.isConnected(guid));
    if (status === t.status) return;
    t.status = status;
    const payload: DeviceStatusChanged = {
      guid,
      hostname: t.hostname,
      status,
      last_seen: t.lastSeen,
    };
    this.d.events.toUi('device_status_changed', payload);
  }
}
