// `borealis-agent user`: the per-user (interactive) side. It connects to the root agent's Unix
// socket, registers with hello {username, uid, pid} (answering the identity challenge), pings
// every 30 s and reconnects with back-off; it runs the current_user jobs the root agent relays
// (user-jobs.ts). It has no identity or tokens of its own and never reads the root agent's
// Settings (only run/server_signing_key.pub).
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { Backoff, sleep } from '../backoff.js';
import { errText, type Logger } from '../logging/agent-log.js';
import { MAX_JOB_LINE_BYTES, readLines, send, type LocalMessage } from './ndjson.js';
import { UserJobExecutor } from './user-jobs.js';

/** Messages the root agent sends unprompted; everything else answers a request. */
const PUSHED = new Set(['job_run', 'job_cancel']);

export interface Welcome {
  session_id: string;
  hostname: string;
  guid: string | null;
  verified: boolean;
}

/** One connection to the root agent. */
export class UserHelperClient {
  private waiters: ((m: LocalMessage) => void)[] = [];
  private pushHandler: ((m: LocalMessage) => void) | null = null;
  readonly closed: Promise<void>;

  private constructor(private readonly socket: net.Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    readLines(
      socket,
      (m) => {
        const msg = m as LocalMessage;
        if (PUSHED.has(msg?.type)) this.pushHandler?.(msg);
        else this.waiters.shift()?.(msg);
      },
      () => socket.destroy(),
      () => MAX_JOB_LINE_BYTES,
    );
  }

  /** Handles job_run / job_cancel from the root agent. */
  onPush(handler: (m: LocalMessage) => void): void {
    this.pushHandler = handler;
  }

  /** Sends a message that expects no reply; false once the connection is gone. */
  post(msg: LocalMessage): boolean {
    return send(this.socket, msg);
  }

  static connect(socketFile: string, timeoutMs = 5_000): Promise<UserHelperClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketFile);
      const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        socket.on('error', () => socket.destroy());
        resolve(new UserHelperClient(socket));
      });
    });
  }

  /** Registers; answers the root agent's identity challenge by reading the file it names. */
  async hello(who = currentUser()): Promise<Welcome> {
    let reply = await this.request({ type: 'hello', ...who });
    if (reply.type === 'challenge') {
      let nonce = '';
      try {
        nonce = fs.readFileSync(reply.file, 'utf8').trim();
      } catch {
        // not readable by us: the root agent will mark this helper unverified
      }
      reply = await this.request({ type: 'challenge_response', nonce });
    }
    if (reply.type !== 'welcome')
      throw new Error(
        reply.type === 'error' ? `${reply.error}: ${reply.message}` : 'unexpected reply',
      );
    return reply;
  }

  async ping(): Promise<number> {
    const reply = await this.request({ type: 'ping', ts: Date.now() });
    if (reply.type !== 'pong') throw new Error('unexpected reply to ping');
    return reply.ts;
  }

  /** Sends one message and resolves the next reply (the protocol is strictly request/reply). */
  request(msg: LocalMessage, timeoutMs = 10_000): Promise<LocalMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reply from the root agent')), timeoutMs);
      const onClose = () => reject(new Error('connection closed'));
      this.socket.once('close', onClose);
      this.waiters.push((m) => {
        clearTimeout(timer);
        this.socket.off('close', onClose);
        resolve(m);
      });
      send(this.socket, msg);
    });
  }

  close(): void {
    this.socket.end();
  }
}

export function currentUser(): { username: string; uid: number; pid: number } {
  const info = os.userInfo();
  return { username: info.username, uid: info.uid, pid: process.pid };
}

export interface UserHelperOptions {
  socketFile: string;
  /** The root agent's world-readable copy of the script-signing key. */
  signingKeyFile: string;
  log: Logger;
  signal: AbortSignal;
  pingMs?: number;
}

/** Runs the helper until `signal` aborts: connect, hello, ping every `pingMs`, reconnect on loss. */
export async function runUserHelper(opts: UserHelperOptions): Promise<void> {
  const { socketFile, log, signal } = opts;
  const backoff = new Backoff({ baseMs: 1_000, capMs: 60_000, floorMs: 250 });
  while (!signal.aborted) {
    let client: UserHelperClient | null = null;
    try {
      client = await UserHelperClient.connect(socketFile);
      const w = await client.hello();
      log.info(`registered with the root agent on ${w.hostname}${w.guid ? ` (${w.guid})` : ''}`);
      backoff.reset();
      const c = client;
      const jobs = new UserJobExecutor((m) => c.post(m), {
        signingKeyFile: opts.signingKeyFile,
        log,
      });
      c.onPush((m) => jobs.handle(m));
      const onAbort = () => void jobs.stopAll().finally(() => c.close());
      signal.addEventListener('abort', onAbort, { once: true });
      const pinger = setInterval(() => void c.ping().catch(() => c.close()), opts.pingMs ?? 30_000);
      await c.closed;
      clearInterval(pinger);
      signal.removeEventListener('abort', onAbort);
      // Results can no longer be delivered: nothing this connection started keeps running.
      await jobs.stopAll();
      if (!signal.aborted) log.warn('connection to the root agent closed');
    } catch (err) {
      client?.close();
      log.warn(`cannot reach the root agent at ${socketFile}: ${errText(err)}`);
    }
    if (!(await sleep(backoff.next(), signal))) break;
  }
}
