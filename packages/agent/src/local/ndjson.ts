// Newline-delimited JSON framing for the local Unix socket between the root agent and per-user
// helpers: one JSON object per line, lines capped in size (small until a helper is registered,
// large enough for a job payload or result after), malformed lines reported, not thrown.
import type net from 'node:net';
import type { QuickJobProgress, QuickJobResult, QuickJobRun } from '@borealis/protocol';

export const MAX_LINE_BYTES = 64 * 1024;
/** Job payloads and results (two capped streams, JSON-escaped) need more once a helper is known. */
export const MAX_JOB_LINE_BYTES = 16 * 1024 * 1024;

export type LocalMessage =
  | { type: 'hello'; username: string; uid: number; pid: number }
  // root → helper, then helper → root: prove the claimed uid by reading a file only it can read
  | { type: 'challenge'; file: string }
  | { type: 'challenge_response'; nonce: string }
  | {
      type: 'welcome';
      session_id: string;
      hostname: string;
      guid: string | null;
      verified: boolean;
    }
  | { type: 'ping'; ts?: number }
  | { type: 'pong'; ts: number }
  | { type: 'error'; error: string; message: string }
  // root → helper
  | { type: 'job_run'; guid: string; job: QuickJobRun }
  | { type: 'job_cancel'; job_id: string }
  // helper → root
  | HelperJobMessage;

export type HelperJobMessage =
  | { type: 'job_ack'; job_id: string; status: 'accepted' | 'rejected'; error?: string }
  | { type: 'job_started'; job_id: string; pid: number; started_at: number }
  | { type: 'job_progress'; progress: QuickJobProgress }
  | { type: 'job_result'; result: QuickJobResult };

export const HELPER_JOB_TYPES = new Set(['job_ack', 'job_started', 'job_progress', 'job_result']);

/**
 * Calls `onMessage` for each complete JSON line; `onBad` for oversize or unparsable input.
 * `maxBytes` is read per chunk, so the limit can grow once the peer is trusted.
 */
export function readLines(
  socket: net.Socket,
  onMessage: (msg: unknown) => void,
  onBad: (why: string) => void,
  maxBytes: () => number = () => MAX_LINE_BYTES,
): void {
  let parts: Buffer[] = [];
  let size = 0;
  const line = (buf: Buffer) => {
    const text = buf.toString('utf8').trim();
    if (!text) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return onBad('invalid_json');
    }
    onMessage(parsed);
  };
  socket.on('data', (chunk: Buffer) => {
    let start = 0;
    let nl: number;
    // Only the new chunk is searched for newlines: long lines cost linear time.
    while ((nl = chunk.indexOf(0x0a, start)) >= 0) {
      const piece = chunk.subarray(start, nl);
      const whole = parts.length ? Buffer.concat([...parts, piece]) : piece;
      parts = [];
      size = 0;
      start = nl + 1;
      if (whole.length > maxBytes()) onBad('line_too_long');
      else line(whole);
      if (socket.destroyed) return;
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start));
      size += chunk.length - start;
      if (size > maxBytes()) {
        parts = [];
        size = 0;
        onBad('line_too_long');
      }
    }
  });
}

export function send(socket: net.Socket, msg: LocalMessage): boolean {
  if (socket.destroyed || !socket.writable) return false;
  socket.write(`${JSON.stringify(msg)}\n`);
  return true;
}
