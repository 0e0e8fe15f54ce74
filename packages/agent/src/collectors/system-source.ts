// Where the collectors read the machine from: files (/proc, /sys, /etc), commands (dpkg-query,
// rpm, who, systemd-detect-virt), interfaces and statfs. Injected, so tests feed sample data.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

export interface FsStats {
  total: number;
  free: number;
}

export interface SystemSource {
  /** File text, or null when missing or unreadable. */
  readFile(file: string): string | null;
  /** mtime in ms, or null when missing. */
  mtime(file: string): number | null;
  /** stdout of a successful (exit 0) command, or null. */
  run(cmd: string, args: string[], timeoutMs?: number): Promise<string | null>;
  networkInterfaces(): NodeJS.Dict<os.NetworkInterfaceInfo[]>;
  statfs(mountPoint: string): FsStats | null;
  hostname(): string;
  kernel(): string;
  arch(): string;
  username(): string;
  now(): number;
}

export const realSystemSource: SystemSource = {
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return null;
    }
  },
  mtime(file) {
    try {
      return fs.statSync(file).mtimeMs;
    } catch {
      return null;
    }
  },
  run(cmd, args, timeoutMs = 20_000) {
    return new Promise((resolve) => {
      execFile(
        cmd,
        args,
        { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } },
        (err, stdout) => resolve(err ? null : stdout),
      );
    });
  },
  networkInterfaces: () => os.networkInterfaces(),
  statfs(mountPoint) {
    try {
      const s = fs.statfsSync(mountPoint);
      return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
    } catch {
      return null;
    }
  },
  hostname: () => os.hostname(),
  kernel: () => os.release(),
  arch: () => os.machine(),
  username: () => {
    try {
      return os.userInfo().username;
    } catch {
      return String(process.getuid?.() ?? '');
    }
  },
  now: () => Date.now(),
};
