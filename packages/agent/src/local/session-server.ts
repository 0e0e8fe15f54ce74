// Root side of the local bridge: a Unix socket at <root>/Agent/Borealis/run/agent.sock where
// per-user helpers register (`hello {username, uid, pid}` → `welcome`, `ping` → `pong`). The run
// directory and socket are root-owned, group `borealis` 0750/0660 when that group exists, else
// 0700/0600. Claims are checked against /proc/<pid>/status and /etc/passwd, then proven: the
// helper must read back a nonce from a file only the claimed uid can read (`verified`).
// Verified helpers also run current_user jobs: `job_run`/`job_cancel` go out through sendTo,
// their `job_ack`/`job_started`/`job_progress`/`job_result` come back to the job listeners.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../logging/agent-log.js';
import type { Clock } from '../logging/clock.js';
import type { LocalUserSession, UserJobChannel } from '../role-types.js';
import {
  HELPER_JOB_TYPES,
  MAX_JOB_LINE_BYTES,
  MAX_LINE_BYTES,
  readLines,
  send,
  type HelperJobMessage,
  type LocalMessage,
} from './ndjson.js';

export interface SessionServerOptions {
  runDir: string;
  socketFile: string;
  hostname: string;
  guid: () => string | null;
  log: Logger;
  clock: Clock;
  /** Group allowed to connect; default `borealis`. */
  group?: string;
  /** Where /proc and /etc are read from (tests). */
  procRoot?: string;
  passwdFile?: string;
  groupFile?: string;
  helloTimeoutMs?: number;
}

interface Claim {
  username: string;
  uid: number;
  pid: number;
}

const USERNAME_RE = /^[A-Za-z0-9._@-][A-Za-z0-9._@$-]{0,63}$/;
const MAX_SESSIONS = 256;

/** gid of `name` in an /etc/group-format file, or null. */
export function groupId(groupFile: string, name: string): number | null {
  const text = safeRead(groupFile) ?? '';
  for (const line of text.split('\n')) {
    const [g, , gid] = line.split(':');
    if (g === name && gid !== undefined && /^\d+$/.test(gid)) return Number(gid);
  }
  return null;
}

function safeRead(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

export class LocalSessionServer implements UserJobChannel {
  private server: net.Server | null = null;
  private readonly live = new Map<net.Socket, LocalUserSession>();
  private latest: string | undefined;
  private readonly jobListeners: ((sessionId: string, msg: HelperJobMessage) => void)[] = [];
  private readonly closeListeners: ((sessionId: string) => void)[] = [];
  /** Helpers that passed the /proc check and still have to answer their challenge. */
  private readonly challenges = new Map<net.Socket, Claim & { nonce: string; file: string }>();

  constructor(private readonly o: SessionServerOptions) {}

  async start(): Promise<void> {
    const { runDir, socketFile, log } = this.o;
    const gid = groupId(this.o.groupFile ?? '/etc/group', this.o.group ?? 'borealis');
    // Permissions come from the directory first, so the socket is never reachable before chmod.
    fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
    fs.chmodSync(runDir, 0o700);
    fs.rmSync(socketFile, { force: true });
    const server = net.createServer((s) => this.accept(s));
    server.maxConnections = MAX_SESSIONS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketFile, () => resolve());
    });
    server.on('error', (err) => log.error(`local socket error: ${err.message}`));
    const shared = gid !== null && this.shareWithGroup(gid);
    if (!shared) fs.chmodSync(socketFile, 0o600);
    this.server = server;
    log.info(
      `local user socket listening at ${socketFile} (${shared ? `group ${this.o.group ?? 'borealis'}, 0660` : 'owner only, 0600'})`,
    );
  }

  /** Group-owns the socket (0660) and run directory (0750); false when chown is not permitted. */
  private shareWithGroup(gid: number): boolean {
    const uid = process.getuid?.() ?? 0;
    try {
      fs.chownSync(this.o.socketFile, uid, gid);
      fs.chmodSync(this.o.socketFile, 0o660);
      fs.chownSync(this.o.runDir, uid, gid);
      fs.chmodSync(this.o.runDir, 0o750);
      return true;
    } catch (err) {
      this.o.log.warn(
        `cannot give group ${gid} access to the local socket: ${(err as Error).message}`,
      );
      return false;
    }
  }

  sessions(): LocalUserSession[] {
    return [...this.live.values()];
  }

  /** Sends to one registered helper; false when it is gone. */
  sendTo(sessionId: string, msg: LocalMessage): boolean {
    for (const [socket, s] of this.live) if (s.sessionId === sessionId) return send(socket, msg);
    return false;
  }

  onJobMessage(handler: (sessionId: string, msg: HelperJobMessage) => void): void {
    this.jobListeners.push(handler);
  }

  onSessionClosed(handler: (sessionId: string) => void): void {
    this.closeListeners.push(handler);
  }

  /** The user of the most recently registered helper (connected or not). */
  lastUser(): string | undefined {
    const current = this.sessions().sort((a, b) => b.connectedAt - a.connectedAt)[0];
    return current?.username ?? this.latest;
  }

  async close(): Promise<void> {
    for (const s of this.live.keys()) s.destroy();
    this.live.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(this.o.socketFile, { force: true });
  }

  private accept(socket: net.Socket): void {
    const { log } = this.o;
    const timer = setTimeout(() => {
      send(socket, { type: 'error', error: 'hello_timeout', message: 'send hello first' });
      socket.end();
    }, this.o.helloTimeoutMs ?? 10_000);
    socket.on('close', () => {
      clearTimeout(timer);
      const c = this.challenges.get(socket);
      if (c) fs.rmSync(c.file, { force: true });
      this.challenges.delete(socket);
      const s = this.live.get(socket);
      if (s) {
        this.live.delete(socket);
        log.info(`user helper disconnected: ${s.username} (pid ${s.pid})`);
        for (const h of this.closeListeners) h(s.sessionId);
      }
    });
    socket.on('error', () => socket.destroy());
    readLines(
      socket,
      (msg) => {
        const m = msg as { type?: unknown; username?: unknown; uid?: unknown; pid?: unknown };
        const session = this.live.get(socket);
        if (!session) {
          if (this.challenges.has(socket) && m.type === 'challenge_response') {
            clearTimeout(timer);
            return this.answer(socket, (msg as { nonce?: unknown }).nonce);
          }
          if (m.type !== 'hello' || this.challenges.has(socket)) {
            send(socket, {
              type: 'error',
              error: 'hello_required',
              message: 'the first message must be hello',
            });
            return void socket.end();
          }
          return this.hello(socket, m, () => clearTimeout(timer));
        }
        if (m.type === 'ping') return void send(socket, { type: 'pong', ts: this.o.clock.now() });
        if (typeof m.type === 'string' && HELPER_JOB_TYPES.has(m.type) && session.verified) {
          for (const h of this.jobListeners) h(session.sessionId, msg as HelperJobMessage);
          return;
        }
        send(socket, { type: 'error', error: 'unknown_type', message: `unsupported message type` });
      },
      (why) => {
        send(socket, { type: 'error', error: why, message: 'malformed message' });
        if (why === 'line_too_long') socket.destroy();
      },
      () => (this.live.get(socket)?.verified ? MAX_JOB_LINE_BYTES : MAX_LINE_BYTES),
    );
  }

  private hello(
    socket: net.Socket,
    m: { username?: unknown; uid?: unknown; pid?: unknown },
    done: () => void,
  ): void {
    const valid =
      typeof m.username === 'string' &&
      USERNAME_RE.test(m.username) &&
      Number.isInteger(m.uid) &&
      (m.uid as number) >= 0 &&
      Number.isInteger(m.pid) &&
      (m.pid as number) > 0;
    if (!valid) {
      send(socket, {
        type: 'error',
        error: 'invalid_hello',
        message: 'hello needs username, uid and pid',
      });
      return void socket.end();
    }
    const claim: Claim = {
      username: m.username as string,
      uid: m.uid as number,
      pid: m.pid as number,
    };
    if (!this.verify(claim.username, claim.uid, claim.pid)) {
      done();
      return this.register(socket, claim, false);
    }
    // Anyone may name another user's pid: prove the peer runs as that uid (or root).
    const nonce = crypto.randomBytes(32).toString('hex');
    const file = path.join(this.o.runDir, `.challenge-${crypto.randomUUID()}`);
    try {
      fs.writeFileSync(file, nonce, { mode: 0o400, flag: 'wx' });
      fs.chownSync(file, claim.uid, -1);
    } catch (err) {
      fs.rmSync(file, { force: true });
      this.o.log.warn(
        `cannot challenge the helper of ${claim.username}: ${(err as Error).message}`,
      );
      done();
      return this.register(socket, claim, false);
    }
    this.challenges.set(socket, { ...claim, nonce, file });
    send(socket, { type: 'challenge', file });
  }

  /** The helper's answer: the nonce from the file only the claimed uid could read. */
  private answer(socket: net.Socket, nonce: unknown): void {
    const c = this.challenges.get(socket)!;
    this.challenges.delete(socket);
    fs.rmSync(c.file, { force: true });
    const expected = Buffer.from(c.nonce);
    const given = Buffer.from(typeof nonce === 'string' ? nonce : '');
    this.register(
      socket,
      c,
      given.length === expected.length && crypto.timingSafeEqual(given, expected),
    );
  }

  private register(socket: net.Socket, claim: Claim, verified: boolean): void {
    const { username, uid, pid } = claim;
    const session: LocalUserSession = {
      sessionId: crypto.randomUUID(),
      username,
      uid,
      pid,
      connectedAt: this.o.clock.now(),
      verified,
    };
    this.live.set(socket, session);
    this.latest = username;
    send(socket, {
      type: 'welcome',
      session_id: session.sessionId,
      hostname: this.o.hostname,
      guid: this.o.guid(),
      verified: session.verified,
    });
    this.o.log.info(
      `user helper connected: ${username} (uid ${uid}, pid ${pid}${session.verified ? '' : ', unverified'})`,
    );
  }

  /** The claimed pid runs as the claimed uid, and /etc/passwd maps that uid to the claimed name. */
  private verify(username: string, uid: number, pid: number): boolean {
    const status = safeRead(`${this.o.procRoot ?? '/proc'}/${pid}/status`) ?? '';
    const realUid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
    if (realUid === undefined || Number(realUid) !== uid) return false;
    const passwd = safeRead(this.o.passwdFile ?? '/etc/passwd') ?? '';
    return passwd.split('\n').some((l) => {
      const [name, , id] = l.split(':');
      return name === username && Number(id) === uid;
    });
  }
}
