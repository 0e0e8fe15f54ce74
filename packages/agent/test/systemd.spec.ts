// install/uninstall: unit files in the given directories (never systemctl for non-default
// directories: the commands are returned for printing), ExecStart quoting, and removal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  canRunSystemctl,
  install,
  SERVICE_NAME,
  systemdQuote,
  uninstall,
  USER_SERVICE_NAME,
} from '../src/service/systemd.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('systemd units', () => {
  it('writes the root service and the per-user helper units, then removes them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-units-'));
    dirs.push(dir);
    const o = {
      nodePath: '/usr/bin/node',
      mainPath: '/opt/borealis agent/dist/main.js',
      root: '/opt/borealis',
      unitDir: path.join(dir, 'system'),
      userUnitDir: path.join(dir, 'user'),
    };
    expect(canRunSystemctl(o)).toBe(false);
    const r = install(o);
    expect(r.ran).toBe(false);
    expect(r.written).toEqual([
      path.join(o.unitDir, SERVICE_NAME),
      path.join(o.userUnitDir, USER_SERVICE_NAME),
    ]);
    const unit = fs.readFileSync(r.written[0]!, 'utf8');
    expect(unit).toContain(
      'ExecStart=/usr/bin/node "/opt/borealis agent/dist/main.js" --root /opt/borealis\n',
    );
    expect(unit).toMatch(/Restart=always/);
    expect(unit).toMatch(/WantedBy=multi-user\.target/);
    const user = fs.readFileSync(r.written[1]!, 'utf8');
    expect(user).toContain('"/opt/borealis agent/dist/main.js" user --root /opt/borealis');
    expect(user).toMatch(/WantedBy=default\.target/);
    expect(fs.statSync(r.written[0]!).mode & 0o777).toBe(0o644);
    expect(r.commands).toContainEqual(['systemctl', 'enable', '--now', SERVICE_NAME]);

    const u = uninstall(o);
    expect(u.removed).toEqual(r.written);
    expect(fs.existsSync(r.written[0]!)).toBe(false);
    expect(u.commands[0]).toEqual(['systemctl', 'disable', '--now', SERVICE_NAME]);
  });

  it('quotes ExecStart arguments only when needed', () => {
    expect(systemdQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdQuote('a b')).toBe('"a b"');
    expect(systemdQuote('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
  });
});
