// RotatingFile: rename-on-new-day rotation driven by an injected clock; nothing is ever deleted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { dayStamp } from './clock.js';
import { RotatingFile } from './rotating-file.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Local noon on 2026-03-10, so day arithmetic never crosses midnight by accident. */
const DAY1 = new Date(2026, 2, 10, 12, 0, 0).getTime();

/** Waits (bounded) until the stream has put `line` on disk, as hours would pass in a real run. */
async function onDisk(file: string, line: string): Promise<void> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    if (fs.existsSync(file) && fs.readFileSync(file, 'utf8').endsWith(`${line}\n`)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${line} never reached ${file}`);
}

describe('RotatingFile', () => {
  let dir: string;
  let clock: FakeClock;
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  const files = () => fs.readdirSync(dir).sort();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-rot-'));
    clock = new FakeClock(DAY1);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('appends lines to <name> on the same day without rotating', async () => {
    const f = new RotatingFile(dir, 'engine.log', clock);
    f.write('one');
    clock.advance(5 * HOUR);
    f.write('two\n');
    await f.close();
    expect(files()).toEqual(['engine.log']);
    expect(read('engine.log')).toBe('one\ntwo\n');
  });

  it('renames to <name>.YYYY-MM-DD on the first write of a new day and keeps every day', async () => {
    const f = new RotatingFile(dir, 'engine.log', clock);
    const days: string[] = [];
    for (let i = 0; i < 4; i++) {
      days.push(dayStamp(clock.now()));
      f.write(`line of day ${i + 1}`);
      await onDisk(f.file, `line of day ${i + 1}`);
      clock.advance(DAY);
    }
    await f.close();
    expect(days[0]).toBe('2026-03-10');
    expect(files()).toEqual([
      'engine.log',
      'engine.log.2026-03-10',
      'engine.log.2026-03-11',
      'engine.log.2026-03-12',
    ]);
    expect(read('engine.log.2026-03-10')).toBe('line of day 1\n');
    expect(read('engine.log.2026-03-12')).toBe('line of day 3\n');
    expect(read('engine.log')).toBe('line of day 4\n');
  });

  it('names the rotated file after the day its lines were written, even after quiet days', async () => {
    const f = new RotatingFile(dir, 'api.log', clock);
    f.write('monday');
    await onDisk(f.file, 'monday');
    clock.advance(3 * DAY);
    f.write('thursday');
    await f.close();
    expect(files()).toEqual(['api.log', 'api.log.2026-03-10']);
    expect(read('api.log.2026-03-10')).toBe('monday\n');
  });

  it('a restart on a later day rotates the stale file left by the previous run', async () => {
    const first = new RotatingFile(dir, 'engine.log', clock);
    first.write('before the restart');
    await first.close();
    // The previous run last wrote on day 1 (the file's mtime says so).
    fs.utimesSync(path.join(dir, 'engine.log'), DAY1 / 1000, DAY1 / 1000);

    clock.advance(2 * DAY);
    const second = new RotatingFile(dir, 'engine.log', clock);
    second.write('after the restart');
    await second.close();
    expect(files()).toEqual(['engine.log', 'engine.log.2026-03-10']);
    expect(read('engine.log.2026-03-10')).toBe('before the restart\n');
    expect(read('engine.log')).toBe('after the restart\n');
  });

  it('a restart on the same day keeps appending to the live file', async () => {
    const first = new RotatingFile(dir, 'engine.log', clock);
    first.write('a');
    await first.close();
    fs.utimesSync(path.join(dir, 'engine.log'), DAY1 / 1000, DAY1 / 1000);
    clock.advance(HOUR);
    const second = new RotatingFile(dir, 'engine.log', clock);
    second.write('b');
    await second.close();
    expect(files()).toEqual(['engine.log']);
    expect(read('engine.log')).toBe('a\nb\n');
  });

  it('merges into an existing rotated file of that day instead of overwriting it', async () => {
    fs.writeFileSync(path.join(dir, 'engine.log.2026-03-10'), 'morning\n');
    fs.writeFileSync(path.join(dir, 'engine.log'), 'afternoon\n');
    fs.utimesSync(path.join(dir, 'engine.log'), DAY1 / 1000, DAY1 / 1000);
    clock.advance(DAY);
    const f = new RotatingFile(dir, 'engine.log', clock);
    f.write('next day');
    await f.close();
    expect(read('engine.log.2026-03-10')).toBe('morning\nafternoon\n');
    expect(read('engine.log')).toBe('next day\n');
  });

  it('creates its folder on the first write', async () => {
    const nested = path.join(dir, 'Engine', 'Logs');
    const f = new RotatingFile(nested, 'server.log', clock);
    f.write('hello');
    await f.close();
    expect(fs.readFileSync(path.join(nested, 'server.log'), 'utf8')).toBe('hello\n');
  });
});
