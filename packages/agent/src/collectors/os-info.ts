// Operating-system facts: PRETTY_NAME from /etc/os-release, uptime and last boot from
// /proc/uptime, device type (virtualisation via systemd-detect-virt or DMI, else the chassis),
// manufacturer/model/serial from /sys/class/dmi/id, the DNS domain, and the last logged-in user.
import { utcStamp } from '../logging/clock.js';
import type { SystemSource } from './system-source.js';

export const NO_SERIAL = '<Unable to Retrieve S/N>';

/** KEY=value pairs of an os-release file, quotes and escapes removed. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2]!.trim();
    if (/^(["']).*\1$/.test(v)) v = v.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    out[m[1]!] = v;
  }
  return out;
}

export function osName(source: SystemSource): string {
  const text = source.readFile('/etc/os-release') ?? source.readFile('/usr/lib/os-release') ?? '';
  const r = parseOsRelease(text);
  return (
    r.PRETTY_NAME || [r.NAME, r.VERSION].filter(Boolean).join(' ') || `Linux ${source.kernel()}`
  );
}

/** Seconds since boot (first number of /proc/uptime), floored. */
export function parseUptime(text: string): number | null {
  const n = Number(text.trim().split(/\s+/)[0]);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

export function uptimeSeconds(source: SystemSource): number | undefined {
  const text = source.readFile('/proc/uptime');
  return (text ? parseUptime(text) : null) ?? undefined;
}

/** UTC "YYYY-MM-DD HH:MM:SS" of the boot (second precision). */
export function lastReboot(nowMs: number, uptimeS: number): string {
  return utcStamp(Math.floor(nowMs / 1000) * 1000 - uptimeS * 1000);
}

const VM_VENDORS =
  /vmware|virtualbox|kvm|qemu|xen|hyper-v|microsoft corporation virtual|bochs|parallels|openstack|amazon ec2|google compute|droplet|bhyve|innotek/i;
/** SMBIOS chassis types of desktops and laptops (3–10, 13–16, 30–32, 35, 36). */
const WORKSTATION_CHASSIS = new Set([3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 30, 31, 32, 35, 36]);

export function dmi(source: SystemSource, name: string): string | undefined {
  const v = source.readFile(`/sys/class/dmi/id/${name}`)?.trim();
  return v &&
    !/^(to be filled by o\.e\.m\.|default string|not specified|none|system serial number|0+)$/i.test(
      v,
    )
    ? v
    : undefined;
}

/** "Virtual Machine", "Workstation" or "Server". */
export async function deviceType(source: SystemSource): Promise<string> {
  const virt = (await source.run('systemd-detect-virt', [], 5_000))?.trim();
  if (virt && virt !== 'none') return 'Virtual Machine';
  const vendor = [
    dmi(source, 'sys_vendor'),
    dmi(source, 'product_name'),
    dmi(source, 'bios_vendor'),
  ].join(' ');
  if (VM_VENDORS.test(vendor)) return 'Virtual Machine';
  if (/\bhypervisor\b/.test(source.readFile('/proc/cpuinfo') ?? '')) return 'Virtual Machine';
  const chassis = Number(dmi(source, 'chassis_type'));
  return WORKSTATION_CHASSIS.has(chassis) ? 'Workstation' : 'Server';
}

export interface Hardware {
  manufacturer?: string;
  model?: string;
  serial_number: string;
}

export function hardware(source: SystemSource): Hardware {
  const manufacturer = dmi(source, 'sys_vendor');
  const model = dmi(source, 'product_name');
  return {
    ...(manufacturer ? { manufacturer } : {}),
    ...(model ? { model } : {}),
    serial_number: dmi(source, 'product_serial') ?? dmi(source, 'board_serial') ?? NO_SERIAL,
  };
}

/** The DNS domain: the FQDN's suffix, else `domain`/`search` in resolv.conf. */
export async function dnsDomain(source: SystemSource): Promise<string | undefined> {
  const fqdn = (await source.run('hostname', ['-f'], 3_000))?.trim() ?? source.hostname();
  const dot = fqdn.indexOf('.');
  if (dot > 0 && dot < fqdn.length - 1) return fqdn.slice(dot + 1);
  const resolv = source.readFile('/etc/resolv.conf') ?? '';
  const m = /^\s*(?:domain|search)\s+(\S+)/m.exec(resolv);
  return m?.[1] && m[1] !== '.' ? m[1] : undefined;
}

/** `who` lines → the user of the most recent session. */
export function parseWho(text: string): string | undefined {
  let best: { user: string; when: string } | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+\S+\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2})/.exec(line);
    if (m && (!best || m[2]! >= best.when)) best = { user: m[1]!, when: m[2]! };
  }
  return best?.user;
}

/** `last -w` lines → the first real login (skips reboot/shutdown records and the footer). */
export function parseLast(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const user = line.split(/\s+/)[0];
    if (!user || /^(reboot|shutdown|wtmp|btmp)$/.test(user)) continue;
    return user;
  }
  return undefined;
}

export async function lastUser(source: SystemSource): Promise<string | undefined> {
  const who = await source.run('who', [], 5_000);
  const fromWho = who ? parseWho(who) : undefined;
  if (fromWho) return fromWho;
  const last = await source.run('last', ['-w', '-n', '5'], 5_000);
  return last ? parseLast(last) : undefined;
}
