// Captures a script's stdout and stderr separately, each capped at OUTPUT_CAP_BYTES (excess is
// read and dropped, never left to block the child; truncation is flagged), and turns what was kept
// into ordered `quick_job_progress` chunks: small writes coalesced for ~50 ms, at most 64 KiB per
// chunk, one `seq` counter per job across both streams, UTF-8 characters never split.
import { StringDecoder } from 'node:string_decoder';
import { OUTPUT_CAP_BYTES, type QuickJobProgress } from '@borealis/protocol';

export type StreamName = 'stdout' | 'stderr';

export const PROGRESS_COALESCE_MS = 50;
export const PROGRESS_MAX_BYTES = 64 * 1024;

/** Length of the longest prefix of `buf` that ends on a UTF-8 character boundary. */
export function utf8Boundary(buf: Buffer): number {
  let end = buf.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last character.
  let i = end - 1;
  let back = 0;
  while (i >= 0 && back < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0) return 0;
  const lead = buf[i]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  if (end - i < need) end = i;
  return end;
}

/** One stream's capped capture. */
export class CappedBuffer {
  private readonly parts: Buffer[] = [];
  private kept = 0;
  truncated = false;
  /** Every byte the child wrote, kept or not. */
  total = 0;

  constructor(readonly cap = OUTPUT_CAP_BYTES) {}

  /** Keeps what fits under the cap; returns the kept slice (empty once the cap is reached). */
  push(chunk: Buffer): Buffer {
    this.total += chunk.length;
    const room = this.cap - this.kept;
    if (chunk.length <= room) {
      this.parts.push(chunk);
      this.kept += chunk.length;
      return chunk;
    }
    this.truncated = true;
    if (room <= 0) return Buffer.alloc(0);
    const slice = chunk.subarray(0, room);
    this.parts.push(slice);
    this.kept += slice.length;
    return slice;
  }

  /** The kept bytes as text; a character cut by the cap is dropped, not mangled. */
  text(): string {
    const all = Buffer.concat(this.parts);
    return (this.truncated ? all.subarray(0, utf8Boundary(all)) : all).toString('utf8');
  }
}

/** Splits `text` into pieces of at most `maxBytes` UTF-8 bytes without splitting a character. */
export function splitUtf8(text: string, maxBytes = PROGRESS_MAX_BYTES): string[] {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return [text];
  const out: string[] = [];
  let start = 0;
  while (start < buf.length) {
    let end = Math.min(buf.length, start + maxBytes);
    if (end < buf.length) end = start + utf8Boundary(buf.subarray(start, end));
    out.push(buf.subarray(start, end).toString('utf8'));
    start = end;
  }
  return out;
}

/** Coalesces kept output into ordered progress chunks and hands them to `sink`. */
export class ProgressStream {
  private seq = 0;
  private pending: { stream: StreamName; text: string; bytes: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly decoders: Record<StreamName, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  constructor(
    private readonly jobId: string,
    private readonly sink: (p: QuickJobProgress) => void,
    private readonly coalesceMs = PROGRESS_COALESCE_MS,
  ) {}

  push(stream: StreamName, bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.add(stream, this.decoders[stream].write(bytes));
  }

  /** Emits everything still held (including a dangling partial character) and stops the timer. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const)
      this.add(stream, this.decoders[stream].end());
    this.flush();
  }

  /** How many chunks were emitted. */
  get count(): number {
    return this.seq;
  }

  private add(stream: StreamName, text: string): void {
    if (!text) return;
    if (this.pending && this.pending.stream !== stream) this.flush();
    if (!this.pending) this.pending = { stream, text: '', bytes: 0 };
    this.pending.text += text;
    this.pending.bytes += Buffer.byteLength(text);
    if (this.pending.bytes >= PROGRESS_MAX_BYTES) this.flush(true);
    if (this.pending) this.timer ??= setTimeout(() => this.flush(), this.coalesceMs);
  }

  /** Emits what is pending; with `fullOnly`, a final piece under 64 KiB stays pending. */
  private flush(fullOnly = false): void {
    const p = this.pending;
    this.pending = null;
    if (!p) return;
    const pieces = splitUtf8(p.text);
    const last = pieces.at(-1)!;
    const keep =
      fullOnly && Buffer.byteLength(last) < PROGRESS_MAX_BYTES ? pieces.pop() : undefined;
    for (const data of pieces)
      this.sink({ job_id: this.jobId, seq: this.seq++, stream: p.stream, data });
    if (keep !== undefined) {
      this.pending = { stream: p.stream, text: keep, bytes: Buffer.byteLength(keep) };
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
