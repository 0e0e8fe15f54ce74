// `borealis-agent install` / `uninstall`: the systemd units of the root service
// (/etc/systemd/system/borealis-agent.service) and of the per-user helper
// (/etc/systemd/user/borealis-agent-user.service, enabled globally). systemctl runs only as root
// on a systemd host with the default unit directories; otherwise the commands are printed.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SYSTEM_UNIT_DIR = '/etc/systemd/system';
export const USER_UNIT_DIR = '/etc/systemd/user';
export const SERVICE_NAME = 'borealis-agent.service';
export const USER_SERVICE_NAME = 'borealis-agent-user.service';

export interface UnitTarget {
  nodePath: string;
  mainPath: string;
  root: string;
}

export interface ServiceOptions extends UnitTarget {
  unitDir: string;
  userUnitDir: string;
}

export interface ServiceResult {
  written: string[];
  removed: string[];
  commands: string[][];
  /** True when the commands were run, false when they were only printed. */
  ran: boolean;
}

/** One ExecStart argument, quoted for systemd when it holds spaces, quotes or backslashes. */
export function systemdQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const execLine = (t: UnitTarget, extra: string[]) =>
  [t.nodePath, t.mainPath, ...extra, '--root', t.root].map(systemdQuote).join(' ');

export function systemUnit(t: UnitTarget): string {
  return [
    '[Unit]',
    'Description=Borealis agent (system service)',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${execLine(t, [])}`,
    'Restart=always',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=20',
    'UMask=0077',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

export function userUnit(t: UnitTarget): string {
  return [
    '[Unit]',
    'Description=Borealis agent (per-user helper)',
    'ConditionUser=!@system',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${execLine(t, ['user'])}`,
    'Restart=always',
    'RestartSec=10',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** systemctl is run only by root, on a systemd host, for the real unit directories. */
export function canRunSystemctl(o: Pick<ServiceOptions, 'unitDir' | 'userUnitDir'>): boolean {
  return (
    process.getuid?.() === 0 &&
    path.resolve(o.unitDir) === SYSTEM_UNIT_DIR &&
    path.resolve(o.userUnitDir) === USER_UNIT_DIR &&
    fs.existsSync('/run/systemd/system')
  );
}

function runOrPrint(commands: string[][], run: boolean, tolerant = false): void {
  if (!run) return;
  for (const [cmd, ...args] of commands) {
    try {
      execFileSync(cmd!, args, { stdio: 'inherit' });
    } catch (err) {
      if (!tolerant) throw err;
    }
  }
}

export function install(o: ServiceOptions): ServiceResult {
  const files: [string, string][] = [
    [path.join(o.unitDir, SERVICE_NAME), systemUnit(o)],
    [path.join(o.userUnitDir, USER_SERVICE_NAME), userUnit(o)],
  ];
  for (const [file, text] of files) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
  }
  const commands = [
    ['systemctl', 'daemon-reload'],
    ['systemctl', 'enable', '--now', SERVICE_NAME],
    ['systemctl', '--global', 'enable', USER_SERVICE_NAME],
  ];
  const ran = canRunSystemctl(o);
  runOrPrint(commands, ran);
  return { written: files.map(([f]) => f), removed: [], commands, ran };
}

export function uninstall(o: Pick<ServiceOptions, 'unitDir' | 'userUnitDir'>): ServiceResult {
  const ran = canRunSystemctl(o);
  const stop = [
    ['systemctl', 'disable', '--now', SERVICE_NAME],
    ['systemctl', '--global', 'disable', USER_SERVICE_NAME],
  ];
  runOrPrint(stop, ran, true);
  const removed: string[] = [];
  for (const file of [
    path.join(o.unitDir, SERVICE_NAME),
    path.join(o.userUnitDir, USER_SERVICE_NAME),
  ]) {
    if (fs.existsSync(file)) {
      fs.rmSync(file);
      removed.push(file);
    }
  }
  const reload = [['systemctl', 'daemon-reload']];
  runOrPrint(reload, ran);
  return { written: [], removed, commands: [...stop, ...reload], ran };
}
