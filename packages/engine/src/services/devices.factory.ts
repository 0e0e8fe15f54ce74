// Devices area wiring: presence, the coalesced heartbeat buffer, heartbeat and details ingest,
// the operator-facing device service and saved list views, sharing one device repository.
import { DeviceMetricsRepository } from '../db/repositories/device-metrics.repository.js';
import { DeviceRepository } from '../db/repositories/device.repository.js';
import { ListViewRepository } from '../db/repositories/list-view.repository.js';
import { SiteRepository } from '../db/repositories/site.repository.js';
import { SoftwareRepository } from '../db/repositories/software.repository.js';
import { DetailsService } from './details.service.js';
import { DeviceService } from './device.service.js';
import { HeartbeatBuffer, HeartbeatService, HostnameRule } from './heartbeat.service.js';
import type { ServiceDeps } from './index.js';
import { ListViewService } from './list-view.service.js';
import { PresenceService } from './presence.service.js';

export function buildDeviceServices(d: ServiceDeps) {
  const log = d.logs.service('agents');
  const devices = new DeviceRepository(d.db);
  const software = new SoftwareRepository(d.db);
  const metrics = new DeviceMetricsRepository(d.db);
  const buffer = new HeartbeatBuffer(devices, metrics, d.clock, log);
  const presence = new PresenceService({
    seenSince: (since) => devices.seenSince(since),
    touch: (guid, ts) => buffer.touch(guid, ts),
    events: d.events,
    clock: d.clock,
    log,
  });
  const hostnames = new HostnameRule(devices, d.clock, log);
  return {
    devices: new DeviceService({
      devices,
      software,
      metrics,
      sites: new SiteRepository(d.db),
      presence,
      events: d.events,
      clock: d.clock,
    }),
    heartbeatBuffer: buffer,
    heartbeats: new HeartbeatService({
      hostnames,
      buffer,
      presence,
      events: d.events,
      clock: d.clock,
    }),
    details: new DetailsService({
      devices,
      software,
      hostnames,
      buffer,
      presence,
      clock: d.clock,
    }),
    presence,
    listViews: new ListViewService(new ListViewRepository(d.db), d.clock),
  };
}
