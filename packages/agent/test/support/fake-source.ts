// A SystemSource fed from in-memory files and command outputs, for collector and role tests.
import type os from 'node:os';
import type { SystemSource } from '../../src/collectors/system-source.js';

const iface = (address: string, mac: string, internal = false): os.NetworkInterfaceInfo => ({
  address,
  netmask: '255.255.255.0',
  family: 'IPv4',
  mac,
  internal,
  cidr: `${address}/24`,
});

export function fakeSource(
  files: Record<string, string>,
  commands: Record<string, string | null> = {},
): SystemSource {
  return {
    readFile: (f) => files[f] ?? null,
    mtime: (f) => (files[f] !== undefined ? 1 : null),
    run: async (cmd) => commands[cmd] ?? null,
    networkInterfaces: () => ({
      lo: [iface('127.0.0.1', '00:00:00:00:00:00', true)],
      eth0: [
        iface('169.254.10.1', '52:54:00:12:34:56'),
        iface('203.0.113.7', '52:54:00:12:34:56'),
        iface('192.168.1.20', '52:54:00:12:34:56'),
      ],
      docker0: [iface('172.17.0.1', '02:42:ac:11:00:01')],
    }),
    statfs: (mp) => (mp === '/' ? { total: 100_000, free: 25_000 } : { total: 1_000, free: 1_000 }),
    hostname: () => 'web-01.corp.example',
    kernel: () => '6.1.0-18-amd64',
    arch: () => 'x86_64',
    username: () => 'root',
    now: () => Date.UTC(2025, 0, 10, 12, 0, 0),
  };
}
