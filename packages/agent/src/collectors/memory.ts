// Memory facts: total/available and the used share from /proc/meminfo, and the installed modules
// from `dmidecode -t 17` when it exists and may run (root); otherwise modules are an empty list.
import type { SystemSource } from './system-source.js';

export interface MemInfo {
  totalBytes: number;
  availableBytes: number;
  /** (total − available) / total, 0–100 with one decimal. */
  percent: number;
}

export function parseMeminfo(text: string): MemInfo | null {
  const kb = (key: string) => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : null;
  };
  const total = kb('MemTotal');
  if (!total) return null;
  // Kernels before 3.14 have no MemAvailable: approximate it.
  const available =
    kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  const pct = ((total - available) / total) * 100;
  return {
    totalBytes: total,
    availableBytes: available,
    percent: Math.round(Math.min(100, Math.max(0, pct)) * 10) / 10,
  };
}

export interface MemoryModule {
  slot?: string;
  speed?: string;
  serial?: string;
  capacity?: number;
}

const UNIT: Record<string, number> = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

/** Populated "Memory Device" records of `dmidecode -t 17`. */
export function parseDmidecodeMemory(text: string): MemoryModule[] {
  const out: MemoryModule[] = [];
  for (const block of text.split(/\n(?=Handle )/)) {
    if (!/^\s*Memory Device\s*$/m.test(block)) continue;
    const field = (key: string) =>
      new RegExp(`^\\s*${key}:\\s*(.+)$`, 'm').exec(block)?.[1]?.trim();
    const size = field('Size');
    const m = size ? /^(\d+)\s*(KB|MB|GB|TB)$/i.exec(size) : null;
    if (!m) continue; // "No Module Installed"
    const mod: MemoryModule = { capacity: Number(m[1]) * (UNIT[m[2]!.toUpperCase()] ?? 1) };
    const slot = field('Locator');
    const speed = field('Configured Memory Speed') ?? field('Speed');
    const serial = field('Serial Number');
    if (slot) mod.slot = slot;
    if (speed && !/unknown/i.test(speed)) mod.speed = speed;
    if (serial && !/^(unknown|not specified|0+)$/i.test(serial)) mod.serial = serial;
    out.push(mod);
  }
  return out;
}

export async function collectMemoryModules(source: SystemSource): Promise<MemoryModule[]> {
  const text = await source.run('dmidecode', ['-t', '17'], 10_000);
  return text ? parseDmidecodeMemory(text) : [];
}
