// Assembles the `details` document of POST /api/agent/details (reference §6): summary, cpu,
// memory modules, storage, network and software; and the change hash that decides whether a
// fresh collection must be sent (volatile values — uptime, free space — are left out of it).
import crypto from 'node:crypto';
import type { Details } from '@borealis/protocol';
import { collectCpu } from './cpu.js';
import { collectMemoryModules, parseMeminfo } from './memory.js';
import { collectNetwork, internalIp } from './network.js';
import {
  deviceType,
  dnsDomain,
  hardware,
  lastReboot,
  lastUser,
  osName,
  uptimeSeconds,
} from './os-info.js';
import { SoftwareCollector } from './software.js';
import { collectStorage } from './storage.js';
import type { SystemSource } from './system-source.js';

export interface DetailsExtras {
  agentId: string;
  agentHash?: string;
  /** Preferred last_user (a user connected through the local helper), before who/last. */
  lastUser?: string;
}

export class DetailsCollector {
  private readonly software: SoftwareCollector;

  constructor(private readonly source: SystemSource) {
    this.software = new SoftwareCollector(source);
  }

  async collect(extras: DetailsExtras): Promise<Details> {
    const s = this.source;
    const uptime = uptimeSeconds(s);
    const mem = parseMeminfo(s.readFile('/proc/meminfo') ?? '');
    const cpu = collectCpu(s);
    const network = collectNetwork(s);
    const [type, domain, user, modules, software] = await Promise.all([
      deviceType(s),
      dnsDomain(s),
      extras.lastUser ? Promise.resolve(extras.lastUser) : lastUser(s),
      collectMemoryModules(s),
      this.software.collect(),
    ]);
    const hw = hardware(s);
    const ip = internalIp(network);
    const summary: NonNullable<Details['summary']> = {
      hostname: s.hostname(),
      operating_system: osName(s),
      kernel: s.kernel(),
      architecture: s.arch(),
      device_type: type,
      serial_number: hw.serial_number,
      agent_id: extras.agentId,
      ...(uptime !== undefined ? { uptime, last_reboot: lastReboot(s.now(), uptime) } : {}),
      ...(ip ? { internal_ip: ip } : {}),
      ...(user ? { last_user: user } : {}),
      ...(domain ? { domain } : {}),
      ...(hw.manufacturer ? { manufacturer: hw.manufacturer } : {}),
      ...(hw.model ? { model: hw.model, system_model: hw.model } : {}),
      ...(cpu.name ? { processor: cpu.name } : {}),
      ...(mem ? { total_ram: mem.totalBytes } : {}),
      ...(extras.agentHash ? { agent_hash: extras.agentHash } : {}),
    };
    return { summary, cpu, memory: modules, storage: collectStorage(s), network, software };
  }
}

/** SHA-256 over the stable part of the details: what "changed" means for the 5-minute rule. */
export function detailsHash(d: Details): string {
  // uptime grows and last_reboot jitters by a second; a real reboot restarts the agent anyway.
  const summary = { ...d.summary };
  delete summary.uptime;
  delete summary.last_reboot;
  const storage = (d.storage ?? []).map((x) => ({
    drive: x.drive,
    disk_type: x.disk_type,
    filesystem: x.filesystem,
    total: x.total,
    usage: x.usage === undefined ? undefined : Math.round(x.usage),
  }));
  const stable = { ...d, summary, storage };
  return crypto.createHash('sha256').update(JSON.stringify(stable)).digest('hex');
}
