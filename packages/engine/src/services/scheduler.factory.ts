// Scheduler area wiring: the scheduled-jobs service, the occurrence runner (dispatching through
// the jobs service's scheduled hook), the tick and its leader election (PostgreSQL advisory lock
// on a dedicated connection, in-process on SQLite). Nothing connects or ticks until start().
import os from 'node:os';
import type { Assembly } from '@borealis/protocol';
import { DeviceFilterRepository } from '../db/repositories/device-filter.repository.js';
import { QuickJobRepository } from '../db/repositories/quick-job.repository.js';
import { ScheduledJobRepository } from '../db/repositories/scheduled-job.repository.js';
import { schedulerLockFor } from '../db/repositories/scheduler-lock.repository.js';
import type { Clock } from '../logging/clock.js';
import { LeaderElector } from '../scheduler/leader.js';
import { OccurrenceRunner } from '../scheduler/occurrence.js';
import type { TargetLookup } from '../scheduler/occurrence-rules.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { DeviceFilterService } from './device-filter.service.js';
import type { ServiceDeps } from './index.js';
import type { JobService } from './job.service.js';
import { ScheduledJobService } from './scheduled-job.service.js';

export interface SchedulerPorts {
  jobs: JobService;
  deviceFilters: Pick<DeviceFilterService, 'matches'>;
  assemblies: { get(guid: string): Promise<Assembly> };
  credentials: { get(id: string): Promise<unknown> };
  presence: { statusOf(guid: string, lastSeen: number | null): string };
}

/** The scheduler's clock: the engine's, or (tests, demos) one running `scale`× faster. */
export function schedulerClock(base: Clock, scale: number, origin?: number): Clock {
  if (scale === 1) return base;
  const from = origin ?? base.now();
  return { now: () => Math.round(from + (base.now() - from) * scale) };
}

/** The engine wall-clock instant at which `clock` (scaled by `scale`) will read `schedulerMs`. */
export function wallTimeOf(base: Clock, clock: Clock, scale: number) {
  return (schedulerMs: number): number =>
    scale === 1 ? schedulerMs : Math.round(base.now() + (schedulerMs - clock.now()) / scale);
}

export function buildSchedulerServices(d: ServiceDeps, ports: SchedulerPorts) {
  // scheduled_jobs.log is not echoed to engine.log (reference §11); leadership changes are.
  const log = d.logs.service('scheduled_jobs', 'SYSTEM', false);
  const cfg = d.config.scheduler;
  const clock = schedulerClock(d.clock, cfg.clockScale, cfg.clockOrigin);
  const repo = new ScheduledJobRepository(d.db);
  const devices = new QuickJobRepository(d.db);
  const filters = new DeviceFilterRepository(d.db);
  const targets: TargetLookup = {
    devicesByGuids: (g) => devices.devicesByGuids(g),
    devicesByLowerHostnames: (l) => devices.devicesByLowerHostnames(l),
    devicesBySite: (id) => devices.devicesBySite(id),
    siteExists: (id) => devices.siteExists(id),
    filterMatches: (id) => ports.deviceFilters.matches(id),
    filterExists: async (id) => (await filters.findById(id)) !== null,
  };
  const historyDays = d.config.jobHistoryDays;
  const runner = new OccurrenceRunner({
    repo,
    jobs: ports.jobs,
    targets,
    events: d.events,
    clock,
    toWallTime: wallTimeOf(d.clock, clock, cfg.clockScale),
    log,
    historyDays,
  });
  const nodeId = `${os.hostname()}:${process.pid}`;
  const scheduler = new Scheduler({
    repo,
    runner,
    jobs: ports.jobs,
    clock,
    log,
    historyDays,
    nodeId,
    tickMs: cfg.tickMs,
    elector: (s) => {
      const elector: LeaderElector = new LeaderElector({
        lock: schedulerLockFor(d.db, d.config.databaseUrl, (reason) => elector.lost(reason)),
        retryMs: cfg.leaderRetryMs,
        log: d.logs.engine,
        nodeId,
        onElected: () => s.onElected(),
        onDeposed: () => s.onDeposed(),
      });
      return elector;
    },
  });
  const scheduledJobs = new ScheduledJobService({
    repo,
    runner,
    scheduler,
    targets,
    assemblies: ports.assemblies,
    credentials: ports.credentials,
    presence: ports.presence,
    events: d.events,
    clock,
    log,
    historyDays,
  });
  return { scheduledJobs, scheduler };
}
