// Live output of script runs as it streams in over `job_output`: chunks are kept per run id and
// stream, de-duplicated and ordered by `seq` (a late or repeated chunk never garbles the text),
// and listeners are told at most every 100 ms. Each stream keeps at most the agent's own cap.
import { JOB_OUTPUT_EVENT, JobOutputEventSchema, OUTPUT_CAP_BYTES } from '@borealis/protocol';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { z } from 'zod';
import { useJobSubscription, useRealtimeEvent } from '../../api/realtime';

type JobOutputEvent = z.output<typeof JobOutputEventSchema>;

const NOTIFY_EVERY_MS = 100;
/** Characters kept per stream (the agent caps each stream at OUTPUT_CAP_BYTES bytes). */
const MAX_CHARS = OUTPUT_CAP_BYTES;

export interface LiveOutput {
  stdout: string;
  stderr: string;
  /** The first chunk's seq seen here; > 0 means earlier output was missed (shown once final). */
  firstSeq: number;
  chunks: number;
  /** More arrived than is kept here. */
  clipped: boolean;
}

interface RunBuffer {
  chunks: Map<number, { stream: 'stdout' | 'stderr'; data: string }>;
  lastSeq: number;
  firstSeq: number;
  stdout: string;
  stderr: string;
  /** A chunk arrived out of order: rebuild the text in seq order on the next read. */
  dirty: boolean;
  clipped: boolean;
  view: LiveOutput | null;
}

function append(buf: RunBuffer, stream: 'stdout' | 'stderr', data: string): void {
  const current = buf[stream];
  if (current.length >= MAX_CHARS) {
    buf.clipped = true;
    return;
  }
  const room = MAX_CHARS - current.length;
  if (data.length > room) buf.clipped = true;
  buf[stream] = current + data.slice(0, room);
}

export class OutputStore {
  private readonly runs = new Map<string, RunBuffer>();
  private readonly listeners = new Set<() => void>();
  private version = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getVersion = (): number => this.version;

  add(e: JobOutputEvent): void {
    let buf = this.runs.get(e.job_id);
    if (!buf) {
      buf = {
        chunks: new Map(),
        lastSeq: -1,
        firstSeq: e.seq,
        stdout: '',
        stderr: '',
        dirty: false,
        clipped: false,
        view: null,
      };
      this.runs.set(e.job_id, buf);
    }
    if (buf.chunks.has(e.seq)) return;
    buf.chunks.set(e.seq, { stream: e.stream, data: e.data });
    buf.firstSeq = Math.min(buf.firstSeq, e.seq);
    if (e.seq > buf.lastSeq && !buf.dirty) append(buf, e.stream, e.data);
    else buf.dirty = true;
    buf.lastSeq = Math.max(buf.lastSeq, e.seq);
    buf.view = null;
    this.schedule();
  }

  /** What has streamed in for `runId` so far, or null when nothing has. */
  get(runId: string): LiveOutput | null {
    const buf = this.runs.get(runId);
    if (!buf) return null;
    if (buf.dirty) {
      buf.stdout = '';
      buf.stderr = '';
      buf.clipped = false;
      for (const seq of [...buf.chunks.keys()].sort((a, b) => a - b)) {
        const chunk = buf.chunks.get(seq)!;
        append(buf, chunk.stream, chunk.data);
      }
      buf.dirty = false;
    }
    buf.view ??= {
      stdout: buf.stdout,
      stderr: buf.stderr,
      firstSeq: buf.firstSeq,
      chunks: buf.chunks.size,
      clipped: buf.clipped,
    };
    return buf.view;
  }

  /** Drops a pending notification (the owner unmounted). */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.version += 1;
      for (const listener of this.listeners) listener();
    }, NOTIFY_EVERY_MS);
  }
}

/** A store owned by the calling component (disposed when it unmounts). */
export function useOutputStore(): OutputStore {
  const [store] = useState(() => new OutputStore());
  useEffect(() => () => store.dispose(), [store]);
  return store;
}

/** Re-renders the caller whenever new output arrived in `store`; returns that run's output. */
export function useLiveOutput(store: OutputStore, runId: string | null): LiveOutput | null {
  useSyncExternalStore(store.subscribe, store.getVersion);
  return runId ? store.get(runId) : null;
}

/** Feeds `store` with the live output of a quick job or run id (`subscribe_job`) while mounted. */
export function useJobOutputFeed(store: OutputStore, jobId: string | null): void {
  useJobSubscription(jobId);
  useRealtimeEvent(JOB_OUTPUT_EVENT, JobOutputEventSchema, (e) => store.add(e));
}
