// Installed packages from the system package manager: dpkg (Debian/Ubuntu) or rpm (RHEL/SUSE).
// The list is re-read only when the package database changed (its mtime), since it is big.
import type { SystemSource } from './system-source.js';

export interface SoftwareItem {
  name: string;
  version: string;
  source: 'dpkg' | 'rpm';
}

const DPKG_FORMAT = '${Package}\\t${Version}\\t${db:Status-Abbrev}\\n';
const RPM_FORMAT = '%{NAME}\\t%{VERSION}-%{RELEASE}\\n';
const DPKG_DB = '/var/lib/dpkg/status';
const RPM_DBS = [
  '/var/lib/rpm/rpmdb.sqlite',
  '/var/lib/rpm/Packages',
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
];

/**
 * `dpkg-query -W` lines: `name<TAB>version[<TAB>status]`. With a status column only installed
 * (`ii`) or held (`hi`) packages count; removed ones that left config files (`rc`) do not.
 */
export function parseDpkg(text: string): SoftwareItem[] {
  return parseLines(text, 'dpkg', (status) => status === undefined || /^[ih]i/.test(status));
}

/** `rpm -qa --qf '%{NAME}\t%{VERSION}-%{RELEASE}\n'` lines. */
export function parseRpm(text: string): SoftwareItem[] {
  return parseLines(text, 'rpm', () => true);
}

function parseLines(
  text: string,
  source: SoftwareItem['source'],
  keep: (status?: string) => boolean,
): SoftwareItem[] {
  const seen = new Set<string>();
  const out: SoftwareItem[] = [];
  for (const line of text.split('\n')) {
    const [name, version, status] = line.replace(/\r$/, '').split('\t');
    if (!name?.trim() || !keep(status?.trim())) continue;
    const key = `${name}\t${version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      name: name.trim().slice(0, 512),
      version: (version ?? '').trim().slice(0, 256),
      source,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

export class SoftwareCollector {
  private cache: { stamp: string; items: SoftwareItem[] } | null = null;

  constructor(private readonly source: SystemSource) {}

  async collect(): Promise<SoftwareItem[]> {
    const stamp = this.stamp();
    if (this.cache && stamp !== null && this.cache.stamp === stamp) return this.cache.items;
    const items = await this.read();
    if (stamp !== null) this.cache = { stamp, items };
    return items;
  }

  private stamp(): string | null {
    const parts = [DPKG_DB, ...RPM_DBS].map((f) => this.source.mtime(f));
    return parts.some((p) => p !== null) ? parts.join(':') : null;
  }

  private async read(): Promise<SoftwareItem[]> {
    const dpkg = await this.source.run('dpkg-query', ['-W', `-f=${DPKG_FORMAT}`]);
    if (dpkg) return parseDpkg(dpkg);
    const rpm = await this.source.run('rpm', ['-qa', '--qf', RPM_FORMAT]);
    return rpm ? parseRpm(rpm) : [];
  }
}
