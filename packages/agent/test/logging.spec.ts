// Agent logs: line format, agent.error.log gets only errors, daily rename on the first write of a
// new day (injected clock), nothing deleted, and secrets (tokens, codes, keys) scrubbed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentLog } from '../src/logging/agent-log.js';
import { dayStamp } from '../src/logging/clock.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-agent-log-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const at = (y: number, mo: number, d: number, h = 12) => new Date(y, mo - 1, d, h, 0, 0).getTime();

describe('AgentLog', () => {
  it('writes `[YYYY-MM-DD HH:MM:SS] [LEVEL][CONTEXT-SYSTEM] msg` lines; errors also go to agent.error.log', () => {
    const dir = tempDir();
    let now = at(2025, 3, 14, 9);
    const log = new AgentLog({ dir, clock: { now: () => now }, context: 'SYSTEM' });
    log.root.info('starting');
    log.root.child('socket').warn('connection lost');
    now += 1000;
    log.root.error('boom');
    log.root.debug('hidden without --debug');
    log.close();
    const main = fs.readFileSync(path.join(dir, 'agent.log'), 'utf8').trim().split('\n');
    expect(main).toEqual([
      '[2025-03-14 09:00:00] [INFO][CONTEXT-SYSTEM] starting',
      '[2025-03-14 09:00:00] [WARNING][CONTEXT-SYSTEM] socket: connection lost',
      '[2025-03-14 09:00:01] [ERROR][CONTEXT-SYSTEM] boom',
    ]);
    expect(fs.readFileSync(path.join(dir, 'agent.error.log'), 'utf8')).toBe(
      '[2025-03-14 09:00:01] [ERROR][CONTEXT-SYSTEM] boom\n',
    );
  });

  it('renames agent.log to agent.log.<day> on the first write of a new day and never deletes', () => {
    const dir = tempDir();
    let now = at(2025, 3, 14, 23);
    const log = new AgentLog({ dir, clock: { now: () => now }, context: 'SYSTEM' });
    log.root.info('day one');
    log.root.error('day one error');
    now = at(2025, 3, 15, 0) + 5_000;
    log.root.info('day two');
    now = at(2025, 3, 16, 8);
    log.root.info('day three');
    log.close();
    const files = fs.readdirSync(dir).sort();
    expect(files).toEqual([
      'agent.error.log',
      'agent.log',
      'agent.log.2025-03-14',
      'agent.log.2025-03-15',
    ]);
    expect(fs.readFileSync(path.join(dir, 'agent.log.2025-03-14'), 'utf8')).toContain('day one');
    expect(fs.readFileSync(path.join(dir, 'agent.log.2025-03-15'), 'utf8')).toContain('day two');
    expect(fs.readFileSync(path.join(dir, 'agent.log'), 'utf8')).toBe(
      '[2025-03-16 08:00:00] [INFO][CONTEXT-SYSTEM] day three\n',
    );
    // agent.error.log only rolls when it is written on a new day
    expect(fs.readFileSync(path.join(dir, 'agent.error.log'), 'utf8')).toContain('day one error');
  });

  it('rotates a file left by an earlier process on its first write of a later day', () => {
    const dir = tempDir();
    const file = path.join(dir, 'agent.log');
    fs.writeFileSync(file, 'old line\n');
    const yesterday = new Date(Date.now() - 86_400_000);
    fs.utimesSync(file, yesterday, yesterday);
    const log = new AgentLog({ dir, clock: { now: () => Date.now() }, context: 'SYSTEM' });
    log.root.info('new process');
    log.close();
    expect(fs.readFileSync(`${file}.${dayStamp(yesterday.getTime())}`, 'utf8')).toBe('old line\n');
    expect(fs.readFileSync(file, 'utf8')).toContain('new process');
  });

  it('never writes tokens, enrollment codes, private keys or registered secrets', () => {
    const dir = tempDir();
    const log = new AgentLog({ dir, clock: { now: () => Date.now() }, context: 'CURRENTUSER' });
    log.addSecret('ref-super-secret-refresh-token');
    const jwt = 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJkZXZpY2U6eCJ9.c2lnbmF0dXJl';
    log.root.info(
      `token ${jwt} code 0A1B-2C3D-4E5F-6A7B-8C9D-0E1F-2A3B-4C5D refresh ref-super-secret-refresh-token`,
    );
    log.root.warn(
      'key -----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY----- end',
    );
    log.close();
    const text = fs.readFileSync(path.join(dir, 'agent.log'), 'utf8');
    expect(text).not.toContain(jwt);
    expect(text).not.toContain('0A1B-2C3D');
    expect(text).not.toContain('super-secret');
    expect(text).not.toContain('MC4CAQAw');
    expect(text).toContain(
      '[CONTEXT-CURRENTUSER] token <redacted> code <redacted> refresh <redacted>',
    );
    expect(text.trim().split('\n')).toHaveLength(2);
  });
});
