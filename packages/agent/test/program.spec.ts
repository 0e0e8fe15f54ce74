// The command line: usage/config errors exit 2 with one `error:` line; `install` stores the
// connection settings (server URL, installer code, trust, pinned CA) and writes both units into
// --unit-dir/--user-unit-dir, printing the systemctl commands; `uninstall` removes them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentPaths } from '../src/config.js';
import { run, type ProgramIo } from '../src/program.js';
import { makeCa, type TestCa } from './support/tls-fixture.js';

let ca: TestCa;
let root: string;
beforeAll(() => {
  ca = makeCa('Program CA');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-cli-'));
});
afterAll(() => {
  fs.rmSync(ca.dir, { recursive: true, force: true });
  fs.rmSync(root, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: ProgramIo = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    onStop: () => undefined,
  };
  const code = await run(['node', 'borealis-agent', ...args], io);
  return { code, out, err };
}

describe('borealis-agent command line', () => {
  it('refuses to run without a server URL or without any CA trust (exit 2)', async () => {
    const dir = path.join(root, 'empty');
    expect(await cli('--root', dir)).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^error: no server URL/),
    });
    const noTrust = await cli('--root', dir, '--server-url', 'https://127.0.0.1:9');
    expect(noTrust).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^error: no engine CA pinned/),
    });
    expect(await cli('--root', dir, '--server-url', 'http://127.0.0.1:9')).toMatchObject({
      code: 2,
      err: expect.stringMatching(/https/),
    });
    expect((await cli('--bogus')).code).toBe(2);
  });

  it('install stores the settings, pins --ca-file and writes both units; uninstall removes them', async () => {
    const units = path.join(root, 'units');
    const userUnits = path.join(root, 'user-units');
    const agentRoot = path.join(root, 'agent');
    const r = await cli(
      'install',
      '--root',
      agentRoot,
      '--server-url',
      'https://engine.example:5000',
      '--installer-code',
      'SITE-CODE-1',
      '--ca-file',
      ca.caFile,
      '--unit-dir',
      units,
      '--user-unit-dir',
      userUnits,
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('systemctl enable --now borealis-agent.service');
    const p = agentPaths(agentRoot);
    expect(fs.readFileSync(p.serverUrlFile, 'utf8').trim()).toBe('https://engine.example:5000');
    expect(fs.readFileSync(p.caFile, 'utf8')).toBe(ca.caPem);
    expect(JSON.parse(fs.readFileSync(p.settingsFile, 'utf8'))).toMatchObject({
      installer_code: 'SITE-CODE-1',
      trust: { mode: 'file' },
    });
    const unit = fs.readFileSync(path.join(units, 'borealis-agent.service'), 'utf8');
    expect(unit).toContain(`--root ${agentRoot}`);
    expect(unit).not.toContain('SITE-CODE-1');
    expect(fs.existsSync(path.join(userUnits, 'borealis-agent-user.service'))).toBe(true);

    const u = await cli('uninstall', '--unit-dir', units, '--user-unit-dir', userUnits);
    expect(u.code).toBe(0);
    expect(u.out).toContain(`removed ${path.join(units, 'borealis-agent.service')}`);
    expect(fs.existsSync(path.join(units, 'borealis-agent.service'))).toBe(false);
    // identity, settings and pin stay
    expect(fs.existsSync(p.caFile)).toBe(true);
  });
});
