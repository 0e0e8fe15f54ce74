// Wires repositories into services. Each area owns a factory; this file only combines them.
import type { Kysely } from 'kysely';
import type { EngineConfig } from '../config.js';
import { AuditRepository } from '../db/repositories/audit.repository.js';
import type { DB } from '../db/schema.js';
import type { Clock } from '../logging/clock.js';
import type { LogManager } from '../logging/log-manager.js';
import type { SecretBox } from '../security/secret-box.js';
import { buildAccessServices } from './access.factory.js';
import { buildAssemblyServices } from './assemblies.factory.js';
import { buildDeviceServices } from './devices.factory.js';
import { AuditService } from './audit.service.js';
import type { SwitchableEventSink } from './events.js';
import { buildJobServices } from './jobs.factory.js';
import { LogService } from './log.service.js';
import { buildSchedulerServices } from './scheduler.factory.js';
import { buildSiteServices } from './sites.factory.js';
import { buildTrustServices } from './trust.factory.js';

export interface ServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  logs: LogManager;
  secrets: SecretBox;
  config: EngineConfig;
  events: SwitchableEventSink;
}

export function buildServices(d: ServiceDeps) {
  const trust = buildTrustServices(d);
  const assemblyServices = buildAssemblyServices(d);
  const deviceServices = buildDeviceServices(d);
  const jobServices = buildJobServices(d, { ...assemblyServices, engineKeys: trust.engineKeys });
  return {
    audit: new AuditService(new AuditRepository(d.db), d.clock),
    logs: new LogService(d.logs.dir, d.clock),
    ...buildAccessServices(d),
    ...buildSiteServices(d),
    ...trust,
    ...deviceServices,
    ...assemblyServices,
    ...jobServices,
    ...buildSchedulerServices(d, {
      ...assemblyServices,
      ...jobServices,
      presence: deviceServices.presence,
    }),
  };
}

export type Services = ReturnType<typeof buildServices>;
