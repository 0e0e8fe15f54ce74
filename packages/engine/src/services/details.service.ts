// Details ingest (POST /api/agent/details and the socket's agent_details): deep-merges the report
// into the stored summary/cpu/memory/storage/network (an empty value never overwrites a stored
// one; a non-empty list replaces the stored list), copies summary fields into the device columns
// the list shows, and rebuilds the software inventory when a non-empty list is sent.
import type { DetailsRequest } from '@borealis/protocol';
import type { DetailsWrite, DeviceRepository } from '../db/repositories/device.repository.js';
import type { SoftwareRepository, SoftwareWrite } from '../db/repositories/software.repository.js';
import { notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import {
  assertSameDevice,
  clean,
  uptimeSeconds,
  type DeviceIdentity,
  type HeartbeatBuffer,
  type HostnameRule,
} from './heartbeat.service.js';
import type { PresenceService } from './presence.service.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** undefined, null, '', [] and {} carry no information. */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return isObject(v) && Object.keys(v).length === 0;
}

/** Objects merge key by key; any other non-empty value replaces; empty values never overwrite. */
export function deepMerge(stored: unknown, incoming: unknown): unknown {
  if (isEmpty(incoming)) return stored;
  if (isObject(incoming)) {
    const base = isObject(stored) ? stored : {};
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(incoming)) {
      const merged = deepMerge(base[k], v);
      if (merged !== undefined) out[k] = merged;
    }
    return out;
  }
  return incoming;
}

/** Parses a stored JSON column; anything unreadable counts as absent. */
export function parseJson(text: string | null): Json | undefined {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

const stringify = (v: unknown): string | undefined =>
  v === undefined || isEmpty(v) ? undefined : JSON.stringify(v);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? clean(v) : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;

/** "YYYY-MM-DD HH:MM:SS" (UTC, as agents report it) or any ISO 8601 time → epoch-ms. */
export function parseRebootTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(v.trim());
  const ms = m
    ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)
    : Date.parse(v.trim());
  return Number.isFinite(ms) && ms > 0 && ms < Date.UTC(3000, 0, 1) ? ms : undefined;
}

/** Trimmed, NUL-free names; name_normalized lowercased; exact duplicates dropped. */
export function normalizeSoftware(items: DetailsRequest['details']['software']): SoftwareWrite[] {
  const seen = new Set<string>();
  const out: SoftwareWrite[] = [];
  for (const it of items ?? []) {
    const name = clean(it.name);
    if (!name) continue;
    const version = clean(it.version) ?? '';
    const source = clean(it.source) ?? '';
    const key = JSON.stringify([name, version, source]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name, name_normalized: name.toLowerCase(), version, source });
  }
  return out;
}

export interface DetailsDeps {
  devices: Pick<DeviceRepository, 'findByGuid' | 'applyDetails'>;
  software: Pick<SoftwareRepository, 'replace'>;
  hostnames: HostnameRule;
  buffer: HeartbeatBuffer;
  presence: PresenceService;
  clock: Clock;
}

export type DetailsBody = DetailsRequest & { guid?: string };

export class DetailsService {
  constructor(private readonly d: DetailsDeps) {}

  async ingest(
    device: DeviceIdentity,
    body: DetailsBody,
  ): Promise<{ status: 'ok'; hostname: string }> {
    assertSameDevice(device, body.guid);
    const row = await this.d.devices.findByGuid(device.guid);
    if (!row) throw notFound('device_not_found', `No device with GUID ${device.guid}.`);
    const hostname = await this.d.hostnames.apply(
      { guid: device.guid, hostname: row.hostname },
      body.hostname,
    );
    const now = this.d.clock.now();
    const det = body.details;
    const summary = deepMerge(parseJson(row.summary), det.summary);
    const s = isObject(summary) ? summary : {};
    const patch: DetailsWrite = {
      summary: stringify(summary),
      cpu: stringify(deepMerge(parseJson(row.cpu), det.cpu)),
      memory: stringify(deepMerge(parseJson(row.memory), det.memory)),
      storage: stringify(deepMerge(parseJson(row.storage), det.storage)),
      network: stringify(deepMerge(parseJson(row.network), det.network)),
      operating_system: str(s.operating_system),
      last_user: str(s.last_user),
      domain: str(s.domain),
      device_type: str(s.device_type),
      internal_ip: str(s.internal_ip),
      external_ip: str(s.external_ip),
      last_reboot: parseRebootTime(s.last_reboot),
      uptime: uptimeSeconds(num(s.uptime)),
      agent_id: clean(body.agent_id) ?? str(s.agent_id),
      agent_hash: str(s.agent_hash),
      agent_build_id: clean(body.agent_build_id),
      agent_role_health: stringify(body.agent_role_health),
      service_mode: clean(body.service_mode),
    };
    for (const k of Object.keys(patch) as (keyof DetailsWrite)[]) {
      if (patch[k] === undefined) delete patch[k];
    }
    await this.d.devices.applyDetails(device.guid, patch, now);
    if (det.software && det.software.length > 0) {
      await this.d.software.replace(device.guid, normalizeSoftware(det.software), now);
    }
    this.d.buffer.touch(device.guid, now);
    this.d.presence.seen(device.guid, hostname, now);
    return { status: 'ok', hostname };
  }
}
