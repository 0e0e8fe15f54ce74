// Devices for operators (reference §2.4): the server-side paged/sorted/filtered list, detail with
// parsed inventory, software and metric series, description edits, site assignment (by GUID or
// hostname) and deletion (which also drops the device's agent sockets).
import {
  DEVICE_FILTER_FIELDS,
  OFFLINE_AFTER_MS,
  type Device,
  type DeviceDetail,
  type DeviceFilterField,
  type DeviceList,
  type DeviceListQuery,
  type MetricPoint,
  type SiteAssign,
  type SoftwareItem,
} from '@borealis/protocol';
import type { DeviceMetricsRepository } from '../db/repositories/device-metrics.repository.js';
import type { DeviceListRow, DeviceRepository } from '../db/repositories/device.repository.js';
import type { SiteRepository } from '../db/repositories/site.repository.js';
import type { SoftwareRepository } from '../db/repositories/software.repository.js';
import { notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import { parseJson } from './details.service.js';
import type { EventSink } from './events.js';
import type { PresenceService } from './presence.service.js';

const LIFECYCLE = new Set(['active', 'quarantined', 'revoked']);
const iso = (ms: number) => new Date(ms).toISOString();
const noNul = (s: string) => s.replaceAll('\u0000', '');

const deviceNotFound = (guid: string) =>
  notFound('device_not_found', `No device with GUID ${guid}.`);

function percent(metrics: Record<string, unknown> | null, key: string): number | null {
  const v = metrics?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function asObject(text: string | null): Record<string, unknown> | null {
  const v = parseJson(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
}

function asObjectArray(text: string | null): Record<string, unknown>[] | null {
  const v = parseJson(text);
  if (!Array.isArray(v)) return null;
  return v.filter((x) => typeof x === 'object' && x !== null && !Array.isArray(x)) as Record<
    string,
    unknown
  >[];
}

export interface DeviceServiceDeps {
  devices: DeviceRepository;
  software: Pick<SoftwareRepository, 'list' | 'count'>;
  metrics: Pick<DeviceMetricsRepository, 'series'>;
  sites: Pick<SiteRepository, 'findById'>;
  presence: PresenceService;
  events: EventSink;
  clock: Clock;
}

export class DeviceService {
  constructor(private readonly d: DeviceServiceDeps) {}

  private toDevice(r: DeviceListRow): Device {
    const metrics = asObject(r.metrics);
    const lastSeen = this.d.presence.lastContact(
      r.guid,
      r.last_seen === null ? null : Number(r.last_seen),
    );
    const created = Number(r.created_at);
    return {
      guid: r.guid,
      agent_guid: r.guid,
      hostname: r.hostname,
      description: r.description,
      site_id: r.site_id,
      site_name: r.site_name,
      status: this.d.presence.statusOf(r.guid, lastSeen),
      device_status: (LIFECYCLE.has(r.status) ? r.status : 'active') as Device['device_status'],
      last_seen: lastSeen,
      last_seen_iso: lastSeen === null ? null : iso(lastSeen),
      created_at: created,
      created_at_iso: iso(created),
      operating_system: r.operating_system,
      last_user: r.last_user,
      device_type: r.device_type,
      domain: r.domain,
      internal_ip: r.internal_ip,
      external_ip: r.external_ip,
      last_reboot: r.last_reboot === null ? null : Number(r.last_reboot),
      uptime: r.uptime === null ? null : Number(r.uptime),
      agent_build_id: r.agent_build_id,
      agent_id: r.agent_id,
      cpu_percent: percent(metrics, 'cpu_percent'),
      memory_percent: percent(metrics, 'memory_percent'),
    };
  }

  async list(q: DeviceListQuery): Promise<DeviceList> {
    const contains: Partial<Record<DeviceFilterField, string>> = {};
    for (const f of DEVICE_FILTER_FIELDS) {
      const v = q[`filter[${f}]`];
      if (v !== undefined) contains[f] = noNul(v);
    }
    const { rows, total } = await this.d.devices.list({
      onlineSince: this.d.clock.now() - OFFLINE_AFTER_MS,
      q: q.q === undefined ? undefined : noNul(q.q),
      status: q.status,
      siteId: q.site_id === undefined ? undefined : noNul(q.site_id),
      contains,
      sort: q.sort,
      order: q.order,
      limit: q.page_size,
      offset: (q.page - 1) * q.page_size,
    });
    return {
      devices: rows.map((r) => this.toDevice(r)),
      total,
      page: q.page,
      page_size: q.page_size,
    };
  }

  async get(guid: string): Promise<DeviceDetail> {
    const r = await this.d.devices.findByGuid(guid);
    if (!r) throw deviceNotFound(guid);
    return {
      ...this.toDevice(r),
      summary: asObject(r.summary),
      cpu: asObject(r.cpu),
      memory: asObjectArray(r.memory),
      storage: asObjectArray(r.storage),
      network: asObjectArray(r.network),
      agent_role_health: asObject(r.agent_role_health),
      service_mode: r.service_mode,
      agent_hash: r.agent_hash,
      software_count: await this.d.software.count(guid),
    };
  }

  private async mustExist(guid: string): Promise<void> {
    if (!(await this.d.devices.exists(guid))) throw deviceNotFound(guid);
  }

  async software(
    guid: string,
    q: { page: number; page_size: number; q?: string },
  ): Promise<{ software: SoftwareItem[]; total: number; page: number; page_size: number }> {
    await this.mustExist(guid);
    const { rows, total } = await this.d.software.list(guid, {
      q: q.q === undefined ? undefined : noNul(q.q),
      limit: q.page_size,
      offset: (q.page - 1) * q.page_size,
    });
    return { software: rows, total, page: q.page, page_size: q.page_size };
  }

  async metrics(guid: string, minutes: number): Promise<{ guid: string; points: MetricPoint[] }> {
    await this.mustExist(guid);
    const since = this.d.clock.now() - minutes * 60_000;
    const points = (await this.d.metrics.series(guid, since)).map((s) => ({
      ts: s.ts,
      cpu_percent: s.cpu_percent,
      memory_percent: s.memory_percent,
    }));
    return { guid, points };
  }

  async setDescription(guid: string, description: string): Promise<DeviceDetail> {
    const ok = await this.d.devices.setDescription(guid, noNul(description), this.d.clock.now());
    if (!ok) throw deviceNotFound(guid);
    return this.get(guid);
  }

  /** Assigns the named devices to a site (null unassigns); unknown devices are ignored. */
  async assignSite(input: SiteAssign): Promise<{ status: 'ok'; updated: number }> {
    if (input.site_id !== null && !(await this.d.sites.findById(noNul(input.site_id)))) {
      throw notFound('site_not_found', `No site with id ${input.site_id}.`);
    }
    const byName = await this.d.devices.guidsForHostnames((input.hostnames ?? []).map(noNul));
    const guids = [...new Set([...(input.guids ?? []).map(noNul), ...byName])];
    const updated = await this.d.devices.assignSite(input.site_id, guids, this.d.clock.now());
    return { status: 'ok', updated };
  }

  /** Deletes the device and its inventory, and disconnects its agent sockets. */
  async delete(guid: string): Promise<void> {
    if (!(await this.d.devices.delete(guid))) throw deviceNotFound(guid);
    this.d.presence.forget(guid);
    this.d.events.disconnectDevice(guid, 'device_deleted');
  }
}
