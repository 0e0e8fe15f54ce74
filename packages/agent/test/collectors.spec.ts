// Collectors on sample /proc, /sys, /etc and command output (a fake SystemSource): CPU usage from
// /proc/stat deltas, cpuinfo, meminfo, os-release, uptime/last boot, device type, storage from
// /proc/mounts (pseudo-FS skipped), network, dpkg/rpm software lists, who/last, full details.
import { DetailsSchema, HeartbeatMetricsSchema } from '@borealis/protocol';
import { describe, expect, it } from 'vitest';
import { CpuSampler, cpuPercent, parseCpuInfo, parseProcStat } from '../src/collectors/cpu.js';
import { DetailsCollector, detailsHash } from '../src/collectors/details.js';
import { parseDmidecodeMemory, parseMeminfo } from '../src/collectors/memory.js';
import { MetricsCollector } from '../src/collectors/metrics.js';
import { collectNetwork, internalIp, isPrivateIpv4 } from '../src/collectors/network.js';
import {
  deviceType,
  lastReboot,
  NO_SERIAL,
  parseLast,
  parseOsRelease,
  parseUptime,
  parseWho,
} from '../src/collectors/os-info.js';
import { parseDpkg, parseRpm, SoftwareCollector } from '../src/collectors/software.js';
import { collectStorage, parseMounts, realMounts } from '../src/collectors/storage.js';
import { fakeSource } from './support/fake-source.js';

const STAT_1 = 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\nintr 1\n';
const STAT_2 = 'cpu  160 0 140 900 0 0 0 0 0 0\ncpu0 80 0 70 450 0 0 0 0 0 0\n';
const CPUINFO = [0, 1, 2, 3]
  .map(
    (i) =>
      `processor\t: ${i}\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz\ncpu MHz\t\t: 1200.000\nphysical id\t: 0\ncore id\t\t: ${i % 2}\n`,
  )
  .join('\n');
const MEMINFO =
  'MemTotal:        8000000 kB\nMemFree:          500000 kB\nMemAvailable:    2000000 kB\nBuffers: 1 kB\n';
const OS_RELEASE =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';
const MOUNTS = [
  'proc /proc proc rw 0 0',
  'sysfs /sys sysfs rw 0 0',
  'tmpfs /run tmpfs rw 0 0',
  '/dev/sda1 / ext4 rw 0 0',
  '/dev/sda2 /home\\040data xfs rw 0 0',
  '/dev/sda1 /var/lib/bind ext4 rw 0 0',
  '/dev/loop3 /snap/core/1 squashfs ro 0 0',
  'cgroup2 /sys/fs/cgroup cgroup2 rw 0 0',
  '/dev/sdb1 /media/usb vfat rw 0 0',
  'nas:/export /mnt/nas nfs4 rw 0 0',
  'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
].join('\n');
const DPKG = 'adduser\t3.134\tii \nbash\t5.2.15-2+b7\tii \nold-pkg\t1.0\trc \nlibc6\t2.36-9\thi \n';
const RPM = 'bash\t5.1.8-9.el9\nkernel\t5.14.0-427.el9\nbash\t5.1.8-9.el9\n';
const WHO =
  'alice    pts/0        2025-01-10 09:00 (10.0.0.2)\nbob      tty2         2025-01-10 11:30\nroot     pts/1        2025-01-09 08:00\n';
const LAST =
  'reboot   system boot  6.1.0-18-amd64 Fri Jan 10 08:00   still running\ncarol    pts/0        10.0.0.9 Fri Jan 10 07:00 - 07:30  (00:30)\n\nwtmp begins Mon Jan  1 00:00:00 2025\n';
const DMIDECODE = `Handle 0x0010, DMI type 17, 40 bytes
Memory Device
\tSize: 8192 MB
\tLocator: DIMM A1
\tSpeed: 3200 MT/s
\tConfigured Memory Speed: 2933 MT/s
\tSerial Number: 1A2B3C4D

Handle 0x0011, DMI type 17, 40 bytes
Memory Device
\tSize: No Module Installed
\tLocator: DIMM A2

Handle 0x0012, DMI type 17, 40 bytes
Memory Device
\tSize: 16 GB
\tLocator: DIMM B1
\tSpeed: Unknown
\tSerial Number: Unknown
`;

const BASE_FILES = {
  '/proc/stat': STAT_1,
  '/proc/cpuinfo': CPUINFO,
  '/proc/meminfo': MEMINFO,
  '/proc/uptime': '3723.45 7000.00\n',
  '/etc/os-release': OS_RELEASE,
  '/proc/mounts': MOUNTS,
  '/sys/block/sdb/removable': '1\n',
  '/sys/class/net/eth0/speed': '1000\n',
  '/sys/class/dmi/id/sys_vendor': 'Dell Inc.\n',
  '/sys/class/dmi/id/product_name': 'PowerEdge R640\n',
  '/sys/class/dmi/id/chassis_type': '23\n',
  '/var/lib/dpkg/status': 'x',
};

describe('cpu', () => {
  it('computes busy % from two /proc/stat samples', () => {
    const a = parseProcStat(STAT_1)!;
    const b = parseProcStat(STAT_2)!;
    expect(a).toEqual({ idle: 800, total: 1000 });
    expect(cpuPercent(a, b)).toBe(50); // 100 busy of 200 ticks
    expect(cpuPercent(b, b)).toBe(0);
    expect(parseProcStat('garbage')).toBeNull();
    const files: Record<string, string> = { '/proc/stat': STAT_1 };
    const sampler = new CpuSampler(fakeSource(files));
    files['/proc/stat'] = STAT_2;
    expect(sampler.sample()).toBe(50);
  });

  it('reads name, physical/logical cores and the base clock from cpuinfo', () => {
    expect(parseCpuInfo(CPUINFO)).toEqual({
      name: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
      logical_cores: 4,
      physical_cores: 2,
      base_clock_ghz: 2.4,
    });
    expect(parseCpuInfo(CPUINFO, { baseKhz: 2_100_000 }).base_clock_ghz).toBe(2.1);
    const arm =
      'processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n\nModel\t: Raspberry Pi 4 Model B\n';
    expect(parseCpuInfo(arm, { maxKhz: 1_800_000 })).toMatchObject({
      name: 'Raspberry Pi 4 Model B',
      logical_cores: 2,
      physical_cores: 2,
      base_clock_ghz: 1.8,
    });
  });
});

describe('memory', () => {
  it('computes used % from MemAvailable and parses dmidecode modules', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({
      totalBytes: 8_192_000_000,
      availableBytes: 2_048_000_000,
      percent: 75,
    });
    expect(parseMeminfo('nothing')).toBeNull();
    expect(parseDmidecodeMemory(DMIDECODE)).toEqual([
      { slot: 'DIMM A1', speed: '2933 MT/s', serial: '1A2B3C4D', capacity: 8192 * 1024 ** 2 },
      { slot: 'DIMM B1', capacity: 16 * 1024 ** 3 },
    ]);
  });
});

describe('os-info', () => {
  it('parses os-release, uptime, last boot and logins', () => {
    expect(parseOsRelease(OS_RELEASE).PRETTY_NAME).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease("PRETTY_NAME='Fedora Linux 40'\n").PRETTY_NAME).toBe('Fedora Linux 40');
    expect(parseUptime('3723.45 7000.00')).toBe(3723);
    expect(lastReboot(Date.UTC(2025, 0, 10, 12, 0, 0), 3723)).toBe('2025-01-10 10:57:57');
    expect(parseWho(WHO)).toBe('bob');
    expect(parseWho('')).toBeUndefined();
    expect(parseLast(LAST)).toBe('carol');
  });

  it('classifies the device: VM from systemd-detect-virt or DMI, else chassis type', async () => {
    expect(await deviceType(fakeSource(BASE_FILES, { 'systemd-detect-virt': 'kvm\n' }))).toBe(
      'Virtual Machine',
    );
    expect(
      await deviceType(
        fakeSource({ ...BASE_FILES, '/sys/class/dmi/id/product_name': 'VMware Virtual Platform' }),
      ),
    ).toBe('Virtual Machine');
    expect(await deviceType(fakeSource(BASE_FILES))).toBe('Server');
    expect(
      await deviceType(fakeSource({ ...BASE_FILES, '/sys/class/dmi/id/chassis_type': '10\n' })),
    ).toBe('Workstation');
  });
});

describe('storage', () => {
  it('keeps real filesystems once per device, decodes escapes and skips pseudo filesystems', () => {
    const mounts = realMounts(parseMounts(MOUNTS));
    expect(mounts.map((m) => m.mountPoint)).toEqual(['/', '/home data', '/media/usb', '/mnt/nas']);
    const storage = collectStorage(fakeSource(BASE_FILES));
    expect(storage[0]).toEqual({
      drive: '/',
      disk_type: 'Fixed Disk',
      filesystem: 'ext4',
      usage: 75,
      total: 100_000,
      free: 25_000,
      used: 75_000,
    });
    expect(storage.find((s) => s.drive === '/media/usb')?.disk_type).toBe('Removable');
    expect(storage.find((s) => s.drive === '/mnt/nas')?.disk_type).toBe('Network Drive');
    expect(realMounts(parseMounts('overlay / overlay rw 0 0')).map((m) => m.mountPoint)).toEqual([
      '/',
    ]);
  });
});

describe('network', () => {
  it('lists adapters with usable IPv4 (no loopback, no 169.254) and picks the first private one', () => {
    const adapters = collectNetwork(fakeSource(BASE_FILES));
    expect(adapters).toEqual([
      { adapter: 'docker0', ips: ['172.17.0.1'], mac: '02:42:ac:11:00:01' },
      {
        adapter: 'eth0',
        ips: ['203.0.113.7', '192.168.1.20'],
        mac: '52:54:00:12:34:56',
        link_speed: '1000 Mbps',
      },
    ]);
    expect(internalIp(adapters)).toBe('172.17.0.1');
    expect(internalIp([{ adapter: 'x', ips: ['203.0.113.7', '10.1.2.3'] }])).toBe('10.1.2.3');
    expect(isPrivateIpv4('172.32.0.1')).toBe(false);
    expect(isPrivateIpv4('192.168.0.1')).toBe(true);
  });
});

describe('software', () => {
  it('parses dpkg (installed/held only) and rpm output, de-duplicated and sorted', () => {
    expect(parseDpkg(DPKG)).toEqual([
      { name: 'adduser', version: '3.134', source: 'dpkg' },
      { name: 'bash', version: '5.2.15-2+b7', source: 'dpkg' },
      { name: 'libc6', version: '2.36-9', source: 'dpkg' },
    ]);
    expect(parseDpkg('zlib1g\t1:1.2.13\n')).toEqual([
      { name: 'zlib1g', version: '1:1.2.13', source: 'dpkg' },
    ]);
    expect(parseRpm(RPM)).toEqual([
      { name: 'bash', version: '5.1.8-9.el9', source: 'rpm' },
      { name: 'kernel', version: '5.14.0-427.el9', source: 'rpm' },
    ]);
  });

  it('falls back to rpm and re-reads only when the package database changed', async () => {
    let runs = 0;
    const src = fakeSource({ '/var/lib/rpm/rpmdb.sqlite': 'x' }, {});
    src.run = async (cmd) => {
      runs += 1;
      return cmd === 'rpm' ? RPM : null;
    };
    const c = new SoftwareCollector(src);
    expect((await c.collect()).map((s) => s.name)).toEqual(['bash', 'kernel']);
    await c.collect();
    expect(runs).toBe(2); // dpkg-query (missing) + rpm, once
  });
});

describe('details and metrics', () => {
  it('assembles a details document the protocol schema accepts, with reference §6 fields', async () => {
    const src = fakeSource(BASE_FILES, {
      'dpkg-query': DPKG,
      who: WHO,
      dmidecode: DMIDECODE,
      hostname: 'web-01.corp.example\n',
    });
    const details = await new DetailsCollector(src).collect({ agentId: 'web-01-abcd' });
    expect(DetailsSchema.safeParse(details).success).toBe(true);
    expect(details.summary).toMatchObject({
      hostname: 'web-01.corp.example',
      operating_system: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-18-amd64',
      architecture: 'x86_64',
      uptime: 3723,
      last_reboot: '2025-01-10 10:57:57',
      device_type: 'Server',
      internal_ip: '172.17.0.1',
      last_user: 'bob',
      domain: 'corp.example',
      manufacturer: 'Dell Inc.',
      model: 'PowerEdge R640',
      serial_number: NO_SERIAL,
      processor: 'Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz',
      total_ram: 8_192_000_000,
      agent_id: 'web-01-abcd',
    });
    expect(details.cpu).toMatchObject({ logical_cores: 4, physical_cores: 2 });
    expect(details.memory).toHaveLength(2);
    expect(details.software?.map((s) => s.name)).toEqual(['adduser', 'bash', 'libc6']);
    expect(details.network?.map((n) => n.adapter)).toEqual(['docker0', 'eth0']);
  });

  it('ignores uptime and small free-space drift in the change hash, but not a new package', async () => {
    const files: Record<string, string> = { ...BASE_FILES };
    const commands: Record<string, string | null> = { 'dpkg-query': DPKG };
    const src = fakeSource(files, commands);
    const c = new DetailsCollector(src);
    const a = detailsHash(await c.collect({ agentId: 'x' }));
    files['/proc/uptime'] = '9999.0 1.0';
    src.statfs = (mp) =>
      mp === '/' ? { total: 100_000, free: 24_900 } : { total: 1_000, free: 999 };
    const b = detailsHash(await c.collect({ agentId: 'x' }));
    expect(b).toBe(a);
    commands['dpkg-query'] = `${DPKG}curl\t7.88\tii \n`;
    files['/var/lib/dpkg/status'] = 'changed';
    src.mtime = (f) => (f === '/var/lib/dpkg/status' ? 2 : null);
    expect(detailsHash(await c.collect({ agentId: 'x' }))).not.toBe(a);
  });

  it('produces heartbeat metrics from /proc deltas', () => {
    const files: Record<string, string> = { ...BASE_FILES };
    const m = new MetricsCollector(fakeSource(files));
    files['/proc/stat'] = STAT_2;
    const metrics = m.collect({ serviceMode: 'system', lastUser: 'alice' });
    expect(HeartbeatMetricsSchema.safeParse(metrics).success).toBe(true);
    expect(metrics).toEqual({
      service_mode: 'system',
      hostname: 'web-01.corp.example',
      username: 'root',
      operating_system: 'Debian GNU/Linux 12 (bookworm)',
      uptime: 3723,
      cpu_percent: 50,
      memory_percent: 75,
      last_user: 'alice',
    });
  });
});
