// Role discovery and hosting: `*.role.js` files are found by reading the directory, checked for
// ROLE_NAME / ROLE_CONTEXTS / createRole and filtered by context; broken files are skipped with a
// log line; health of every role (including failures) is reported; the shipped roles are found.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentLog } from '../src/logging/agent-log.js';
import { discoverRoles, RoleHost, ROLES_DIR } from '../src/role-loader.js';
import type { RoleContext } from '../src/role-types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function memoryLog() {
  const lines: string[] = [];
  const log = new AgentLog({ dir: null, clock: { now: () => 0 }, context: 'SYSTEM' });
  log.write = (level, msg) => void lines.push(`${level} ${msg}`);
  return { log: log.root, lines };
}

function roleDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-roles-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const role = (
  name: string,
  contexts: string[],
  body = 'return { healthReport: () => ({ status: "ok" }) };',
) =>
  `export const ROLE_NAME = ${JSON.stringify(name)};\nexport const ROLE_CONTEXTS = ${JSON.stringify(contexts)};\nexport function createRole(ctx) { ${body} }\n`;

describe('discoverRoles', () => {
  it('loads *.role.js for the context, skipping other files and broken modules', async () => {
    const dir = roleDir({
      'alpha.role.js': role('alpha', ['system']),
      'beta.role.js': role('beta', ['interactive']),
      'gamma.role.js': role('gamma', ['system', 'interactive']),
      'broken.role.js': 'throw new Error("import-time failure");',
      'incomplete.role.js': 'export const ROLE_NAME = "incomplete";',
      'helper.js': role('not-a-role', ['system']),
      'alpha.role.d.ts': 'export {};',
    });
    const { log, lines } = memoryLog();
    const system = await discoverRoles(dir, 'system', log);
    expect(system.map((m) => m.ROLE_NAME)).toEqual(['alpha', 'gamma']);
    const interactive = await discoverRoles(dir, 'interactive', log);
    expect(interactive.map((m) => m.ROLE_NAME)).toEqual(['beta', 'gamma']);
    expect(
      lines.some((l) =>
        /ERROR role file broken\.role\.js failed to load: import-time failure/.test(l),
      ),
    ).toBe(true);
    expect(lines.some((l) => /ERROR role file incomplete\.role\.js does not export/.test(l))).toBe(
      true,
    );
  });

  it('finds the shipped roles: heartbeat, device_audit and script-exec, all system-only', async () => {
    const { log } = memoryLog();
    const system = await discoverRoles(ROLES_DIR, 'system', log);
    expect(system.map((m) => m.ROLE_NAME).sort()).toEqual([
      'device_audit',
      'heartbeat',
      'script-exec',
    ]);
    expect(await discoverRoles(ROLES_DIR, 'interactive', log)).toEqual([]);
  });
});

describe('RoleHost', () => {
  it('registers events, forwards config, reports health (failed roles too) and stops in reverse order', async () => {
    const dir = roleDir({
      'a.role.js': role(
        'a',
        ['system'],
        'globalThis.__events.push("register a"); return { registerEvents() { globalThis.__events.push("events a"); }, onConfig(s) { globalThis.__events.push("config a " + s.agent_id); }, stopAll() { globalThis.__events.push("stop a"); }, healthReport: () => ({ status: "degraded", detail: "slow" }) };',
      ),
      'b.role.js': role('b', ['system'], 'throw new Error("cannot start");'),
      'c.role.js': role(
        'c',
        ['system'],
        'return { stopAll() { globalThis.__events.push("stop c"); }, healthReport() { throw new Error("health exploded"); } };',
      ),
      'd.role.js': role('d', ['system'], 'return {};'),
    });
    const events: string[] = [];
    (globalThis as any).__events = events;
    const { log } = memoryLog();
    const host = new RoleHost(log);
    const contexts: string[] = [];
    host.start(await discoverRoles(dir, 'system', log), (name) => {
      contexts.push(name);
      return {} as RoleContext;
    });
    expect(contexts).toEqual(['a', 'b', 'c', 'd']);
    await host.onConfig({
      agent_id: 'host-1',
      config_file_watcher_interval: 2,
      regions: {},
      audit_interval_minutes: 5,
    });
    expect(host.health()).toEqual({
      a: { status: 'degraded', detail: 'slow' },
      b: { status: 'failed', detail: 'cannot start' },
      c: { status: 'failed', detail: 'health exploded' },
      d: { status: 'ok' },
    });
    await host.stopAll();
    expect(events).toEqual(['register a', 'events a', 'config a host-1', 'stop c', 'stop a']);
  });
});
