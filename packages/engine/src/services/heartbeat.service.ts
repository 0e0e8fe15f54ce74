// Heartbeat ingest (POST /api/agent/heartbeat and the socket's agent_heartbeat). Each beat lands
// in an in-memory buffer keyed by GUID; the buffer flushes at most once a second as one multi-row
// UPDATE (last_seen + reported columns) plus one multi-row INSERT of CPU/memory samples (one per
// device per minute, ~24 h kept). Hostname changes are applied at once unless another device
// holds the name: then the old name stays and agents.log gets a warning.
import {
  HEARTBEAT_INTERVAL_MS,
  type DeviceMetricsEvent,
  type HeartbeatRequest,
} from '@borealis/protocol';
import type {
  DeviceMetricsRepository,
  MetricSample,
} from '../db/repositories/device-metrics.repository.js';
import type { DeviceRepository, HeartbeatWrite } from '../db/repositories/device.repository.js';
import { isUniqueViolation } from '../db/repositories/site.repository.js';
import { forbidden } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import type { EventSink } from './events.js';
import type { PresenceService } from './presence.service.js';

/** The authenticated device a request or socket speaks for. */
export interface DeviceIdentity {
  guid: string;
  hostname: string;
}

export const METRICS_RETENTION_MS = 24 * 3600_000;

/** PostgreSQL text cannot hold NUL; agents are untrusted, so strip it from every stored string. */
export function clean(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  const v = s.replaceAll('\u0000', '').trim();
  return v === '' ? undefined : v;
}

/** A body naming another device than the token's is refused (403 guid_mismatch). */
export function assertSameDevice(device: DeviceIdentity, claimed: string | undefined): void {
  if (claimed === undefined) return;
  if (claimed.trim().toLowerCase() !== device.guid.toLowerCase()) {
    throw forbidden('guid_mismatch', 'The body names a different device than the access token.');
  }
}

/** Applies a reported hostname unless another device already holds it. */
export class HostnameRule {
  constructor(
    private readonly repo: Pick<DeviceRepository, 'findByHostname' | 'setHostname'>,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Returns the hostname in effect after the report. */
  async apply(device: DeviceIdentity, reported: string | undefined): Promise<string> {
    const wanted = clean(reported)?.slice(0, 255);
    if (!wanted || wanted === device.hostname) return device.hostname;
    const holder = await this.repo.findByHostname(wanted);
    if (holder && holder.guid !== device.guid) {
      this.refuse(device, wanted, holder.guid);
      return device.hostname;
    }
    try {
      await this.repo.setHostname(device.guid, wanted, this.clock.now());
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      this.refuse(device, wanted, 'another device');
      return device.hostname;
    }
    this.log.info(`device ${device.guid} renamed from ${device.hostname} to ${wanted}`);
    return wanted;
  }

  private refuse(device: DeviceIdentity, wanted: string, holder: string): void {
    this.log.warn(
      `device ${device.guid} reported hostname ${wanted}, already used by ${holder}; ` +
        `keeping ${device.hostname}`,
    );
  }
}

export interface HeartbeatBufferOptions {
  flushIntervalMs?: number;
  /** Minimum spacing of stored CPU/memory samples per device. */
  sampleEveryMs?: number;
  retentionMs?: number;
  /** How often the flush also prunes samples of devices that stopped reporting. */
  fullPruneEveryMs?: number;
}

/** Coalesces heartbeat writes per device; see the module header. */
export class HeartbeatBuffer {
  private pending = new Map<string, HeartbeatWrite>();
  private samples: MetricSample[] = [];
  private readonly lastSample = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  private lastFullPrune: number;
  private readonly opts: Required<HeartbeatBufferOptions>;

  constructor(
    private readonly devices: Pick<DeviceRepository, 'applyHeartbeats'>,
    private readonly metrics: Pick<DeviceMetricsRepository, 'append' | 'prune'>,
    private readonly clock: Clock,
    private readonly log: Logger,
    opts: HeartbeatBufferOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: 1000,
      sampleEveryMs: 60_000,
      retentionMs: METRICS_RETENTION_MS,
      fullPruneEveryMs: 6 * 3600_000,
      ...opts,
    };
    this.lastFullPrune = clock.now();
  }

  /** Devices waiting for the next flush. */
  get size(): number {
    return this.pending.size;
  }

  enqueue(write: HeartbeatWrite, sample?: Omit<MetricSample, 'guid' | 'ts'>): void {
    this.merge(write);
    const last = this.lastSample.get(write.guid);
    if (sample && (last === undefined || write.last_seen - last >= this.opts.sampleEveryMs)) {
      this.samples.push({ guid: write.guid, ts: write.last_seen, ...sample });
      this.lastSample.set(write.guid, write.last_seen);
    }
    this.schedule();
  }

  /** Contact without data (socket connect, details). */
  touch(guid: string, ts: number): void {
    this.enqueue({ guid, last_seen: ts });
  }

  /** Writes everything pending now; concurrent calls run one after another. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.pending.size === 0 && this.samples.length === 0) return;
    const rows = [...this.pending.values()];
    const samples = this.samples;
    this.pending = new Map();
    this.samples = [];
    this.flushing = this.write(rows, samples);
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  /** Stops the timer and writes what is pending (engine shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async write(rows: HeartbeatWrite[], samples: MetricSample[]): Promise<void> {
    try {
      if (rows.length > 0) await this.devices.applyHeartbeats(rows);
    } catch (err) {
      // Keep the contact times for the next attempt (newer beats win); samples are expendable.
      for (const r of rows) if (!this.pending.has(r.guid)) this.pending.set(r.guid, r);
      this.log.error(`heartbeat flush of ${rows.length} devices failed: ${String(err)}`);
      this.schedule();
      return;
    }
    try {
      if (samples.length > 0) {
        await this.metrics.append(samples);
        const now = this.clock.now();
        const cutoff = now - this.opts.retentionMs;
        if (now - this.lastFullPrune >= this.opts.fullPruneEveryMs) {
          this.lastFullPrune = now;
          await this.metrics.prune(cutoff);
        } else {
          await this.metrics.prune(cutoff, [...new Set(samples.map((s) => s.guid))]);
        }
      }
    } catch (err) {
      this.log.error(`device metrics write failed: ${String(err)}`);
    }
  }

  private merge(w: HeartbeatWrite): void {
    const prev = this.pending.get(w.guid);
    if (!prev) {
      this.pending.set(w.guid, { ...w });
      return;
    }
    const lastSeen = Math.max(prev.last_seen, w.last_seen);
    for (const [k, v] of Object.entries(w) as [keyof HeartbeatWrite, unknown][]) {
      if (v !== undefined && v !== null) (prev as unknown as Record<string, unknown>)[k] = v;
    }
    prev.last_seen = lastSeen;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush().catch((err: unknown) =>
        this.log.error(`heartbeat flush failed: ${String(err)}`),
      );
    }, this.opts.flushIntervalMs);
    this.timer.unref();
  }
}

const MAX_UPTIME_S = 100 * 365 * 86_400;
export const uptimeSeconds = (v: number | undefined): number | undefined =>
  v === undefined || v > MAX_UPTIME_S ? undefined : Math.round(v);

export interface HeartbeatDeps {
  hostnames: HostnameRule;
  buffer: HeartbeatBuffer;
  presence: PresenceService;
  events: EventSink;
  clock: Clock;
}

export class HeartbeatService {
  constructor(private readonly d: HeartbeatDeps) {}

  async ingest(
    device: DeviceIdentity,
    body: HeartbeatRequest,
  ): Promise<{ status: 'ok'; poll_after_ms: number; hostname: string }> {
    assertSameDevice(device, body.guid);
    const hostname = await this.d.hostnames.apply(device, body.hostname);
    const now = this.d.clock.now();
    const m = body.metrics;
    const cpu = m.cpu_percent ?? null;
    const mem = m.memory_percent ?? null;
    this.d.buffer.enqueue(
      {
        guid: device.guid,
        last_seen: now,
        uptime: uptimeSeconds(m.uptime),
        agent_build_id: clean(body.agent_build_id),
        agent_role_health: body.agent_role_health
          ? JSON.stringify(body.agent_role_health)
          : undefined,
        service_mode: clean(body.service_mode ?? m.service_mode),
        internal_ip: clean(body.internal_ip),
        external_ip: clean(body.external_ip),
        device_type: clean(body.device_type),
        last_user: clean(m.last_user ?? m.username),
        operating_system: clean(m.operating_system),
        metrics: JSON.stringify({ ...m, ts: now }),
      },
      cpu === null && mem === null ? undefined : { cpu_percent: cpu, memory_percent: mem },
    );
    this.d.presence.seen(device.guid, hostname, now);
    const event: DeviceMetricsEvent = {
      guid: device.guid,
      ts: now,
      cpu_percent: cpu,
      memory_percent: mem,
    };
    this.d.events.toUi('device_metrics', event);
    return { status: 'ok', poll_after_ms: HEARTBEAT_INTERVAL_MS, hostname };
  }
}
