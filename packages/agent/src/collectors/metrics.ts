// Heartbeat metrics (reference §2.3): cpu_percent from /proc/stat deltas between beats,
// memory_percent from /proc/meminfo, uptime, hostname, the agent's username, last_user and the OS.
import type { HeartbeatMetrics } from '@borealis/protocol';
import { CpuSampler } from './cpu.js';
import { parseMeminfo } from './memory.js';
import { osName, uptimeSeconds } from './os-info.js';
import type { SystemSource } from './system-source.js';

export class MetricsCollector {
  private readonly cpu: CpuSampler;
  private os: string | null = null;

  constructor(private readonly source: SystemSource) {
    this.cpu = new CpuSampler(source);
  }

  collect(opts: { serviceMode: string; lastUser?: string }): HeartbeatMetrics {
    const s = this.source;
    this.os ??= osName(s);
    const cpu = this.cpu.sample();
    const mem = parseMeminfo(s.readFile('/proc/meminfo') ?? '');
    const uptime = uptimeSeconds(s);
    return {
      service_mode: opts.serviceMode,
      hostname: s.hostname(),
      username: s.username(),
      operating_system: this.os,
      ...(uptime !== undefined ? { uptime } : {}),
      ...(cpu !== undefined ? { cpu_percent: cpu } : {}),
      ...(mem ? { memory_percent: mem.percent } : {}),
      ...(opts.lastUser ? { last_user: opts.lastUser } : {}),
    };
  }
}
