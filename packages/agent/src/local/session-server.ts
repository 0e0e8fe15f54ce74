// Root side of the local bridge: a Unix socket at <root>/Agent/Borealis/run/agent.sock where
// per-user helpers register (`hello {username, uid, pid}` → `welcome`, `ping` → `pong`). The run
// directory and socket are root-owned, group `borealis` 0750/0660 when that group exists, else
// 0700/0600. Claims are checked against /proc/<pid>/status and /etc/passwd (`verified`).
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import type { Logger } from '../logging/agent-log.js';
import type { Clock } from '../logging/clock.js';
import type { LocalUserSession } from '../role-types.js';
import { readLines, send } from './ndjson.js';

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

export class LocalSessionServer {
  private server: net.Server | null = null;
  private readonly live = new Map<net.Socket, LocalUserSession>();
  private latest: string | undefined;

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
    log.info(`local user socket listening at ${socketFile} (${shared ? `group ${this.o.group ?? 'borealis'}, 0660` : 'owner only, 0600'})`);
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
      this.o.log.warn(`cannot give group ${gid} access to the local socket: ${(err as Error).message}`);
      return false;
    }
  }

  sessions(): LocalUserSession[] {
    return [...this.live.values()];
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
      const s = this.live.get(socket);
      if (s) {
        this.live.delete(socket);
        log.info(`user helper disconnected: ${s.username} (pid ${s.pid})`);
      }
    });
    socket.on('error', () => socket.destroy());
    readLines(
      socket,
      (msg) => {
        const m = msg as { type?: unknown; username?: unknown; uid?: unknown; pid?: unknown };
        const session = this.live.get(socket);
        if (!session) {
          if (m.type !== 'hello') {
            send(socket, { type: 'error', error: 'hello_required', message: 'the first message must be hello' });
            return void socket.end();
          }
          clearTimeout(timer);
          return this.hello(socket, m);
        }
        if (m.type === 'ping') return send(socket, { type: 'pong', ts: this.o.clock.now() });
        send(socket, { type: 'error', error: 'unknown_type', message: `unsupported message type` });
      },
      (why) => {
        send(socket, { type: 'error', error: why, message: 'malformed message' });
        if (why === 'line_too_long') socket.destroy();
      },
    );
  }

  private hello(socket: net.Socket, m: { username?: unknown; uid?: unknown; pid?: unknown }): void {
    const valid =
      typeof m.username === 'string' && USERNAME_RE.test(m.username) &&
      Number.isInteger(m.uid) && (m.uid as number) >= 0 &&
      Number.isInteger(m.pid) && (m.pid as number) > 0;
    if (!valid) {
      send(socket, { type: 'error', error: 'invalid_hello', message: 'hello needs username, uid and pid' });
      return void socket.end();
    }
    const username = m.username as string;
    const uid = m.uid as number;
    const pid = m.pid as number;
    const session: LocalUserSession = {
      sessionId: crypto.randomUUID(),
      username,
      uid,
      pid,
      connectedAt: this.o.clock.now(),
      verified: this.verify(username, uid, pid),
    };
    this.live.set(socket, session);
    this.latest = username;
    send(socket, { type: 'welcome', session_id: session.sessionId, hostname: this.o.hostname, guid: this.o.guid(), verified: session.verified });
    this.o.log.info(`user helper connected: ${username} (uid ${uid}, pid ${pid}${session.verified ? '' : ', unverified'})`);
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
