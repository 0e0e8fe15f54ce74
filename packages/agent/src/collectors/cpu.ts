// CPU facts from /proc: utilisation from two /proc/stat samples (busy delta / total delta), and
// the processor's name, physical and logical core counts and base clock from /proc/cpuinfo.
import type { SystemSource } from './system-source.js';

export interface CpuTimes {
  idle: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat; idle includes iowait. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  if (v.length < 4 || v.some((n) => !Number.isFinite(n))) return null;
  // user nice system idle iowait irq softirq steal (guest* are already in user/nice)
  const fields = v.slice(0, 8);
  const total = fields.reduce((a, b) => a + b, 0);
  return { idle: (v[3] ?? 0) + (v[4] ?? 0), total };
}

/** Busy share between two samples, 0–100 with one decimal. */
export function cpuPercent(prev: CpuTimes, cur: CpuTimes): number {
  const total = cur.total - prev.total;
  const idle = cur.idle - prev.idle;
  if (total <= 0) return 0;
  const pct = ((total - idle) / total) * 100;
  return Math.round(Math.min(100, Math.max(0, pct)) * 10) / 10;
}

/** Keeps the previous /proc/stat sample so each call reports usage since the last one. */
export class CpuSampler {
  private prev: CpuTimes | null;

  constructor(private readonly source: SystemSource) {
    this.prev = this.read();
  }

  sample(): number | undefined {
    const cur = this.read();
    if (!cur) return undefined;
    const prev = this.prev;
    this.prev = cur;
    return prev ? cpuPercent(prev, cur) : undefined;
  }

  private read(): CpuTimes | null {
    const text = this.source.readFile('/proc/stat');
    return text ? parseProcStat(text) : null;
  }
}

export interface CpuInfo {
  name?: string;
  physical_cores?: number;
  logical_cores?: number;
  base_clock_ghz?: number;
}

/** Name, cores and clock from /proc/cpuinfo (x86 and ARM layouts). */
export function parseCpuInfo(
  text: string,
  freq: { baseKhz?: number; maxKhz?: number } = {},
): CpuInfo {
  const blocks = text.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const field = (block: string, key: string) => {
    const m = new RegExp(`^${key}\\s*:\\s*(.*)$`, 'm').exec(block);
    return m?.[1]?.trim();
  };
  const first = blocks[0] ?? '';
  const name =
    field(first, 'model name') ?? field(first, 'Hardware') ?? field(text, 'Model') ?? undefined;
  const cores = new Set<string>();
  for (const b of blocks) {
    const phys = field(b, 'physical id');
    const core = field(b, 'core id');
    if (phys !== undefined && core !== undefined) cores.add(`${phys}:${core}`);
  }
  const logical = blocks.length;
  // Base clock: sysfs base_frequency, else the "@ 2.40GHz" of the name, else max, else current.
  const fromName = name ? /@\s*([\d.]+)\s*GHz/i.exec(name) : null;
  const mhz = Number(field(first, 'cpu MHz'));
  let ghz: number | undefined;
  if (freq.baseKhz && freq.baseKhz > 0) ghz = freq.baseKhz / 1e6;
  else if (fromName) ghz = Number(fromName[1]);
  else if (freq.maxKhz && freq.maxKhz > 0) ghz = freq.maxKhz / 1e6;
  else if (Number.isFinite(mhz) && mhz > 0) ghz = mhz / 1000;
  const out: CpuInfo = {};
  if (name) out.name = name.replace(/\s+/g, ' ');
  if (logical > 0) out.logical_cores = logical;
  if (cores.size > 0) out.physical_cores = cores.size;
  else if (logical > 0) out.physical_cores = logical;
  if (ghz !== undefined && Number.isFinite(ghz)) out.base_clock_ghz = Math.round(ghz * 100) / 100;
  return out;
}

export function collectCpu(source: SystemSource): CpuInfo {
  const text = source.readFile('/proc/cpuinfo') ?? '';
  const khz = (file: string) => {
    const n = Number(source.readFile(`/sys/devices/system/cpu/cpu0/cpufreq/${file}`)?.trim());
    return Number.isFinite(n) && n > 0 ? n : undefined;
  };
  const baseKhz = khz('base_frequency');
  const maxKhz = khz('cpuinfo_max_freq');
  return parseCpuInfo(text, { ...(baseKhz ? { baseKhz } : {}), ...(maxKhz ? { maxKhz } : {}) });
}
