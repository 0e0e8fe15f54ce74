// Newline-delimited JSON framing for the local Unix socket between the root agent and per-user
// helpers: one JSON object per line, lines capped in size, malformed lines reported, not thrown.
import type net from 'node:net';

export const MAX_LINE_BYTES = 64 * 1024;

export type LocalMessage =
  | { type: 'hello'; username: string; uid: number; pid: number }
  | { type: 'welcome'; session_id: string; hostname: string; guid: string | null; verified: boolean }
  | { type: 'ping'; ts?: number }
  | { type: 'pong'; ts: number }
  | { type: 'error'; error: string; message: string };

/** Calls `onMessage` for each complete JSON line; `onBad` for oversize or unparsable input. */
export function readLines(socket: net.Socket, onMessage: (msg: unknown) => void, onBad: (why: string) => void): void {
  let buf = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        onBad('invalid_json');
        continue;
      }
      onMessage(parsed);
    }
    if (Buffer.byteLength(buf) > MAX_LINE_BYTES) {
      buf = '';
      onBad('line_too_long');
    }
  });
}

export function send(socket: net.Socket, msg: LocalMessage): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(msg)}\n`);
}
