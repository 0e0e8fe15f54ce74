// Network adapters from the OS: IPv4 addresses (no loopback, no 169.254 link-local), MAC and
// link speed from /sys/class/net; and the first private IPv4 (the summary's internal_ip).
import type os from 'node:os';
import type { SystemSource } from './system-source.js';

export interface NetworkAdapter {
  adapter: string;
  ips: string[];
  mac?: string;
  link_speed?: string;
}

export function isPrivateIpv4(ip: string): boolean {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
  const [a, b] = p as [number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

const usableIpv4 = (i: os.NetworkInterfaceInfo) =>
  i.family === 'IPv4' &&
  !i.internal &&
  !i.address.startsWith('127.') &&
  !i.address.startsWith('169.254.');

export function collectNetwork(source: SystemSource): NetworkAdapter[] {
  const out: NetworkAdapter[] = [];
  for (const [name, infos] of Object.entries(source.networkInterfaces())) {
    if (!infos || infos.every((i) => i.internal)) continue;
    const ips = [...new Set(infos.filter(usableIpv4).map((i) => i.address))];
    const mac = infos.find((i) => i.mac && i.mac !== '00:00:00:00:00:00')?.mac;
    const speed = Number(source.readFile(`/sys/class/net/${name}/speed`)?.trim());
    out.push({
      adapter: name.slice(0, 256),
      ips,
      ...(mac ? { mac } : {}),
      ...(Number.isFinite(speed) && speed > 0 ? { link_speed: `${speed} Mbps` } : {}),
    });
  }
  return out.sort((a, b) => a.adapter.localeCompare(b.adapter));
}

/** First private IPv4 across adapters, else the first usable IPv4. */
export function internalIp(adapters: NetworkAdapter[]): string | undefined {
  const all = adapters.flatMap((a) => a.ips);
  return all.find(isPrivateIpv4) ?? all[0];
}
