// Jobs area wiring: device filters, quick jobs and durable dispatch over one switchable transport
// (attached by the agent gateway). Needs the assembly and credential services and the engine's
// script-signing key from the areas built before it.
import type { Assembly } from '@borealis/protocol';
import { ActivityRepository } from '../db/repositories/activity.repository.js';
import { DeviceFilterRepository } from '../db/repositories/device-filter.repository.js';
import { QuickJobRepository } from '../db/repositories/quick-job.repository.js';
import type { SigningKey } from '../security/engine-keys.js';
import { DeviceFilterService } from './device-filter.service.js';
import type { ServiceDeps } from './index.js';
import { JobDispatchService } from './job-dispatch.service.js';
import { SwitchableJobTransport } from './job-transport.js';
import { JobService } from './job.service.js';

export interface JobPorts {
  assemblies: { get(guid: string): Promise<Assembly> };
  credentials: { get(id: string): Promise<unknown>; resolveSecret(id: string): Promise<string> };
  engineKeys: { scriptKey(): SigningKey };
}

export function buildJobServices(d: ServiceDeps, ports: JobPorts) {
  const log = d.logs.service('jobs');
  const activity = new ActivityRepository(d.db);
  const quickJobs = new QuickJobRepository(d.db);
  const transport = new SwitchableJobTransport();
  const deviceFilters = new DeviceFilterService(new DeviceFilterRepository(d.db), d.clock);
  const dispatch = new JobDispatchService({
    activity,
    credentials: ports.credentials,
    keys: ports.engineKeys,
    transport,
    events: d.events,
    clock: d.clock,
    log,
  });
  const jobs = new JobService({
    quickJobs,
    activity,
    assemblies: ports.assemblies,
    credentials: ports.credentials,
    filters: deviceFilters,
    dispatch,
    transport,
    clock: d.clock,
    log,
  });
  return { jobs, deviceFilters };
}
