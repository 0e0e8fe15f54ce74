// Output plumbing without processes: the capped buffer (kept bytes, truncation, character-safe
// text), UTF-8-safe splitting, progress coalescing (50 ms window, stream switches flush, 64 KiB
// chunks, one seq per job) and fitting a result into the socket's frame limit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QuickJobProgress, QuickJobResult } from '@borealis/protocol';
import {
  CappedBuffer,
  ProgressStream,
  splitUtf8,
  utf8Boundary,
} from '../src/exec/output-capture.js';
import { fitResultToFrame } from '../src/exec/result-outbox.js';

describe('CappedBuffer', () => {
  it('keeps up to the cap, flags truncation and counts everything written', () => {
    const b = new CappedBuffer(10);
    expect(b.push(Buffer.from('hello ')).toString()).toBe('hello ');
    expect(b.push(Buffer.from('world!!')).toString()).toBe('worl');
    expect(b.push(Buffer.from('more')).length).toBe(0);
    expect(b.text()).toBe('hello worl');
    expect(b.truncated).toBe(true);
    expect(b.total).toBe(17);
  });

  it('drops a character cut in half by the cap instead of mangling it', () => {
    const b = new CappedBuffer(4);
    b.push(Buffer.from('aé€')); // 1 + 2 + 3 bytes
    expect(b.text()).toBe('aé');
  });
});

describe('UTF-8 helpers', () => {
  it('finds the last character boundary', () => {
    const euro = Buffer.from('€'); // e2 82 ac
    expect(utf8Boundary(Buffer.concat([Buffer.from('ab'), euro.subarray(0, 2)]))).toBe(2);
    expect(utf8Boundary(Buffer.concat([Buffer.from('ab'), euro]))).toBe(5);
    expect(utf8Boundary(Buffer.from('😀').subarray(0, 3))).toBe(0);
  });

  it('splits text into pieces of at most N bytes without splitting characters', () => {
    const text = '€'.repeat(10); // 30 bytes
    const parts = splitUtf8(text, 7);
    expect(parts.join('')).toBe(text);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(7);
    expect(parts[0]).toBe('€€');
  });
});

describe('ProgressStream', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('coalesces writes for 50 ms, flushes on a stream switch, numbers chunks across streams', () => {
    const got: QuickJobProgress[] = [];
    const p = new ProgressStream('job-1', (x) => got.push(x));
    p.push('stdout', Buffer.from('a'));
    p.push('stdout', Buffer.from('b'));
    vi.advanceTimersByTime(49);
    expect(got).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(got).toEqual([{ job_id: 'job-1', seq: 0, stream: 'stdout', data: 'ab' }]);
    p.push('stdout', Buffer.from('c'));
    p.push('stderr', Buffer.from('E'));
    p.push('stdout', Buffer.from('d'));
    p.end();
    expect(got.map((g) => [g.seq, g.stream, g.data])).toEqual([
      [0, 'stdout', 'ab'],
      [1, 'stdout', 'c'],
      [2, 'stderr', 'E'],
      [3, 'stdout', 'd'],
    ]);
  });

  it('keeps a character split across writes whole, and emits 64 KiB chunks at once', () => {
    const got: QuickJobProgress[] = [];
    const p = new ProgressStream('job-2', (x) => got.push(x));
    const euro = Buffer.from('€');
    p.push('stdout', euro.subarray(0, 1));
    p.push('stdout', euro.subarray(1));
    p.push('stdout', Buffer.alloc(150 * 1024, 0x61));
    expect(got.length).toBe(2); // two full 64 KiB chunks flushed without waiting
    p.end();
    expect(got.map((g) => g.data).join('')).toBe(`€${'a'.repeat(150 * 1024)}`);
    for (const g of got) expect(Buffer.byteLength(g.data)).toBeLessThanOrEqual(64 * 1024);
  });
});

describe('fitResultToFrame', () => {
  const result = (stdout: string, stderr: string): QuickJobResult => ({
    job_id: 'j',
    status: 'Success',
    exit_code: 0,
    stdout,
    stderr,
    stdout_truncated: false,
    stderr_truncated: false,
    started_at: 1,
    finished_at: 2,
  });

  it('leaves a result that fits untouched', () => {
    const r = result('x'.repeat(1000), 'y');
    expect(fitResultToFrame(r, 5000)).toBe(r);
  });

  it('shortens the larger stream first, then both, flagging what it cut', () => {
    const small = fitResultToFrame(result('x'.repeat(10_000), 'err'), 5000);
    expect(small.stderr).toBe('err');
    expect(small.stdout_truncated).toBe(true);
    expect(small.stderr_truncated).toBe(false);
    expect(Buffer.byteLength(JSON.stringify(small))).toBeLessThanOrEqual(5000);
    const both = fitResultToFrame(result('x'.repeat(10_000), '"'.repeat(10_000)), 5000);
    expect(both.stdout_truncated && both.stderr_truncated).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(both))).toBeLessThanOrEqual(5000);
    expect(both.stdout.length).toBeGreaterThan(1000);
  });
});
