// LogManager: the line formats of engine.log, error.log, api.log and service logs, DEBUG gating,
// one-line messages, and day rotation of the engine log with an injected clock.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { LogManager } from './log-manager.js';

const DAY = 86_400_000;
/** Local 2026-07-01 09:08:07.006: every field of the timestamp is distinguishable. */
const T0 = new Date(2026, 6, 1, 9, 8, 7, 6).getTime();

async function onDisk(file: string, text: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(text)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${text} never reached ${file}`);
}

describe('LogManager', () => {
  let dir: string;
  let clock: FakeClock;
  let logs: LogManager;
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  const lines = (name: string) => read(name).trimEnd().split('\n');

  beforeEach(() => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-logs-')), 'Logs');
    clock = new FakeClock(T0);
    logs = new LogManager({ dir, clock });
  });
  afterEach(async () => {
    await logs.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('writes engine lines as `YYYY-MM-DD HH:MM:SS,mmm-<logger>-<LEVEL>: msg`, errors also to error.log', async () => {
    logs.engine.info('engine started');
    logs.engine.warn('disk almost full');
    logs.engine.error('database gone');
    logs.engine.debug('not written without debug');
    await logs.close();
    expect(lines('engine.log')).toEqual([
      '2026-07-01 09:08:07,006-engine-INFO: engine started',
      '2026-07-01 09:08:07,006-engine-WARNING: disk almost full',
      '2026-07-01 09:08:07,006-engine-ERROR: database gone',
    ]);
    expect(lines('error.log')).toEqual(['2026-07-01 09:08:07,006-engine-ERROR: database gone']);
  });

  it('writes DEBUG lines only when debug is on', async () => {
    const verbose = new LogManager({ dir, clock, debug: true });
    verbose.engine.debug('details');
    verbose.service('server').debug('more details');
    await verbose.close();
    expect(read('engine.log')).toContain('-engine-DEBUG: details');
    expect(read('server.log')).toContain('[DEBUG][CONTEXT-SYSTEM] more details');
  });

  it('writes one api.log line per request with client, method, path, status and duration_ms', async () => {
    logs.api({
      client: '10.1.2.3',
      method: 'POST',
      path: '/api/sites',
      status: 201,
      durationMs: 12.345,
    });
    logs.api({ client: '::1', method: 'GET', path: '/api/nope', status: 404, durationMs: 0.5 });
    await logs.close();
    const [created, missing] = lines('api.log');
    expect(created).toBe(
      '2026-07-01 09:08:07,006-api-INFO: client=10.1.2.3 method=POST path=/api/sites status=201 ' +
        'success=true duration_ms=12.3',
    );
    expect(missing).toMatch(
      /client=::1 method=GET path=\/api\/nope status=404 success=false duration_ms=0\.5$/,
    );
    expect(fs.existsSync(path.join(dir, 'engine.log'))).toBe(false);
  });

  it('writes service lines as `[YYYY-MM-DD HH:MM:SS] [LEVEL][CONTEXT-<scope>] msg` and echoes them to engine.log', async () => {
    logs.service('device_enrollment').info('request received');
    logs.service('device_enrollment', 'CURRENTUSER').error('bad proof');
    logs.service('scheduled_jobs', 'SYSTEM', false).info('tick');
    await logs.close();
    expect(lines('device_enrollment.log')).toEqual([
      '[2026-07-01 09:08:07] [INFO][CONTEXT-SYSTEM] request received',
      '[2026-07-01 09:08:07] [ERROR][CONTEXT-CURRENTUSER] bad proof',
    ]);
    expect(lines('engine.log')).toEqual([
      '2026-07-01 09:08:07,006-device_enrollment-INFO: request received',
      '2026-07-01 09:08:07,006-device_enrollment-ERROR: bad proof',
    ]);
    expect(read('error.log')).toContain('-device_enrollment-ERROR: bad proof');
    expect(read('scheduled_jobs.log')).toContain('tick');
    expect(read('engine.log')).not.toContain('tick');
  });

  it('keeps every message on one line, so a caller cannot forge extra log lines', async () => {
    logs.engine.info('user said hi\n2026-07-01 09:08:07,006-engine-INFO: forged');
    logs.api({ client: 'c', method: 'GET', path: '/api/x\r\ny', status: 200, durationMs: 1 });
    await logs.close();
    expect(lines('engine.log')).toHaveLength(1);
    expect(lines('api.log')).toHaveLength(1);
  });

  it('rotates engine.log to engine.log.YYYY-MM-DD each day and keeps the rotated files', async () => {
    const logFile = path.join(dir, 'engine.log');
    for (let day = 0; day < 4; day++) {
      logs.engine.info(`day ${day}`);
      logs.api({ client: 'c', method: 'GET', path: `/api/day/${day}`, status: 200, durationMs: 1 });
      await onDisk(logFile, `day ${day}`);
      await onDisk(path.join(dir, 'api.log'), `/api/day/${day}`);
      clock.advance(DAY);
    }
    await logs.close();
    const names = fs.readdirSync(dir).sort();
    expect(names.filter((n) => n.startsWith('engine.log'))).toEqual([
      'engine.log',
      'engine.log.2026-07-01',
      'engine.log.2026-07-02',
      'engine.log.2026-07-03',
    ]);
    expect(names).toContain('api.log.2026-07-01');
    expect(read('engine.log.2026-07-01')).toContain('-engine-INFO: day 0');
    expect(read('engine.log.2026-07-03')).toContain('-engine-INFO: day 2');
    expect(read('engine.log')).toBe('2026-07-04 09:08:07,006-engine-INFO: day 3\n');
  });

  it('a restart on a later day rotates the stale engine.log of the previous run', async () => {
    logs.engine.info('previous run');
    await logs.close();
    fs.utimesSync(path.join(dir, 'engine.log'), T0 / 1000, T0 / 1000);

    clock.advance(3 * DAY);
    logs = new LogManager({ dir, clock });
    logs.engine.info('this run');
    await logs.close();
    expect(read('engine.log.2026-07-01')).toBe(
      '2026-07-01 09:08:07,006-engine-INFO: previous run\n',
    );
    expect(read('engine.log')).toBe('2026-07-04 09:08:07,006-engine-INFO: this run\n');
  });

  it('opens engine.log, error.log and api.log at start-up, empty, and rotates a stale one first', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const stale = path.join(dir, 'api.log');
    fs.writeFileSync(stale, 'old line\n');
    fs.utimesSync(stale, new Date(T0 - 2 * DAY), new Date(T0 - 2 * DAY));
    logs.openCoreFiles();
    for (const name of ['engine.log', 'error.log', 'api.log']) expect(read(name)).toBe('');
    expect(read('api.log.2026-06-29')).toBe('old line\n');
    logs.api({ client: '127.0.0.1', method: 'GET', path: '/api/x', status: 200, durationMs: 1 });
    await logs.close();
    expect(lines('api.log')).toHaveLength(1);
  });
});
