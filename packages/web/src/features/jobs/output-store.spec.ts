// OutputStore: live job output kept per run and stream, in `seq` order whatever the arrival order,
// each chunk once, capped per stream, with listeners told at most every 100 ms.
import { OUTPUT_CAP_BYTES } from '@borealis/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutputStore } from './output-store';

const chunk = (job_id: string, seq: number, stream: 'stdout' | 'stderr', data: string) => ({
  job_id,
  guid: 'device-1',
  seq,
  stream,
  data,
});

describe('OutputStore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps stdout and stderr apart, in seq order, per run', () => {
    const store = new OutputStore();
    store.add(chunk('run-a', 0, 'stdout', 'one\n'));
    store.add(chunk('run-a', 1, 'stderr', 'oops\n'));
    store.add(chunk('run-b', 0, 'stdout', 'other run\n'));
    store.add(chunk('run-a', 2, 'stdout', 'two\n'));
    expect(store.get('run-a')).toMatchObject({
      stdout: 'one\ntwo\n',
      stderr: 'oops\n',
      firstSeq: 0,
      chunks: 3,
      clipped: false,
    });
    expect(store.get('run-b')?.stdout).toBe('other run\n');
    expect(store.get('run-c')).toBeNull();
  });

  it('puts a late chunk back in its place and ignores a repeated one', () => {
    const store = new OutputStore();
    store.add(chunk('r', 0, 'stdout', 'a'));
    store.add(chunk('r', 2, 'stdout', 'c'));
    store.add(chunk('r', 2, 'stdout', 'c'));
    expect(store.get('r')?.stdout).toBe('ac');
    store.add(chunk('r', 1, 'stdout', 'b'));
    store.add(chunk('r', 0, 'stdout', 'a'));
    store.add(chunk('r', 3, 'stdout', 'd'));
    expect(store.get('r')).toMatchObject({ stdout: 'abcd', chunks: 4 });
  });

  it('reports output missed before it started listening', () => {
    const store = new OutputStore();
    store.add(chunk('r', 5, 'stdout', 'tick 3\n'));
    store.add(chunk('r', 6, 'stdout', 'tick 4\n'));
    expect(store.get('r')).toMatchObject({ firstSeq: 5, stdout: 'tick 3\ntick 4\n' });
  });

  it('caps each stream and says so', () => {
    const store = new OutputStore();
    const big = 'x'.repeat(60_000);
    const n = Math.ceil(OUTPUT_CAP_BYTES / big.length) + 2;
    for (let seq = 0; seq < n; seq++) store.add(chunk('r', seq, 'stdout', big));
    store.add(chunk('r', n, 'stderr', 'still kept'));
    const out = store.get('r')!;
    expect(out.stdout.length).toBe(OUTPUT_CAP_BYTES);
    expect(out.stderr).toBe('still kept');
    expect(out.clipped).toBe(true);
  });

  it('tells listeners once per 100 ms however many chunks arrive', () => {
    const store = new OutputStore();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    for (let seq = 0; seq < 50; seq++) store.add(chunk('r', seq, 'stdout', `${seq}\n`));
    expect(listener).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(store.getVersion()).toBe(1);
    store.add(chunk('r', 50, 'stdout', 'more'));
    vi.advanceTimersByTime(100);
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    store.add(chunk('r', 51, 'stdout', 'unheard'));
    vi.advanceTimersByTime(100);
    expect(listener).toHaveBeenCalledTimes(2);
  });
});
