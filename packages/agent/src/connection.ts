// The agent's steady-state channel: one Socket.IO connection to the engine's `/agents` namespace
// (websocket only, pinned CA), authenticated at the handshake with {token, dpop}. First event
// connect_agent (ack); `reauthenticate` before the access token expires; `agent_disconnect`
// notices handled. Reconnects forever with exponential back-off + full jitter (cap 60 s).
import {
  AGENT_NAMESPACE,
  AgentAckErrorSchema,
  ConnectAgentAckSchema,
  type ConnectAgent,
} from '@borealis/protocol';
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { Backoff, sleep } from './backoff.js';
import { StoppedError } from './enrollment.js';
import {
  DeviceQuarantinedError,
  HttpError,
  REFRESH_BEFORE_MS,
  type AgentHttpClient,
} from './http-client.js';
import type { Identity } from './identity.js';
import { errText, type Logger } from './logging/agent-log.js';
import type { AgentSocketApi, ConnectedInfo } from './role-types.js';
import {
  checkServerIdentity,
  colonHex,
  isTlsTrustFailure,
  type TrustManager,
} from './tls-trust.js';

export const QUARANTINE_RETRY_MS = 5 * 60_000;
/** A session must last this long before the back-off ladder starts again from the bottom. */
const STABLE_AFTER_MS = 10_000;
/** Handshake refusals a token refresh can cure. */
const REFRESH_CODES = new Set([
  'token_expired',
  'invalid_token',
  'invalid_claims',
  'missing_authorization',
  'token_version_mismatch',
  'fingerprint_mismatch',
  'device_revoked',
]);

type Handler = (payload: unknown, ack?: (reply: unknown) => void) => void;

export interface ConnectionOptions {
  serverUrl: string;
  trust: TrustManager;
  identity: Identity;
  http: AgentHttpClient;
  log: Logger;
  hello: () => ConnectAgent;
  signal: AbortSignal;
  backoff?: Backoff;
}

interface SessionEnd {
  established: boolean;
  durationMs: number;
  /** Handshake refusal or agent_disconnect reason, when the engine gave one. */
  code?: string;
  detail: string;
}

export class AgentConnection implements AgentSocketApi {
  private socket: Socket | null = null;
  private ready = false;
  private readonly handlers = new Map<string, Handler>();
  private readonly connectedHandlers: ((info: ConnectedInfo) => void)[] = [];
  private readonly backoff: Backoff;
  private loop: Promise<void> | null = null;
  private reauthTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ConnectionOptions) {
    this.backoff = o.backoff ?? new Backoff({ baseMs: 1_000, capMs: 60_000, floorMs: 250 });
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Closes the socket and waits for the loop to end (the signal must be aborted first). */
  async stop(): Promise<void> {
    this.socket?.disconnect();
    await this.loop;
  }

  connected(): boolean {
    return this.ready && this.socket?.connected === true;
  }

  async emit(event: string, payload: unknown, timeoutMs = 15_000): Promise<unknown> {
    const s = this.socket;
    if (!s || !this.connected()) throw new Error('not connected');
    return s.timeout(timeoutMs).emitWithAck(event, payload);
  }

  send(event: string, payload: unknown): boolean {
    const s = this.socket;
    if (!s || !this.connected()) return false;
    s.emit(event, payload);
    return true;
  }

  on(event: string, handler: Handler): void {
    this.handlers.set(event, handler);
    this.socket?.on(event, handler);
  }

  onConnected(handler: (info: ConnectedInfo) => void): void {
    this.connectedHandlers.push(handler);
  }

  private async run(): Promise<void> {
    const { log, signal } = this.o;
    while (!signal.aborted) {
      let wait: number;
      try {
        const token = await this.o.http.ensureAuthenticated();
        const end = await this.session(token);
        if (signal.aborted) break;
        if (end.established && end.durationMs >= STABLE_AFTER_MS) this.backoff.reset();
        wait = this.afterSession(end);
      } catch (err) {
        if (err instanceof StoppedError || signal.aborted) break;
        if (err instanceof DeviceQuarantinedError) {
          log.warn('device is quarantined by the engine; retrying later');
          wait = QUARANTINE_RETRY_MS;
        } else if (isTlsTrustFailure(err)) {
          this.logTrustFailure(err);
          wait = this.backoff.next();
        } else {
          log.warn(
            `cannot authenticate with the engine: ${err instanceof HttpError ? `${err.code} (${err.message})` : errText(err)}`,
          );
          wait =
            err instanceof HttpError && err.retryAfterMs ? err.retryAfterMs : this.backoff.next();
        }
      }
      log.info(`reconnecting in ${(wait / 1000).toFixed(1)} s`);
      if (!(await sleep(wait, signal))) break;
    }
  }

  /** Decides what to do after a session ended; returns the delay before the next attempt. */
  private afterSession(end: SessionEnd): number {
    const { log, http } = this.o;
    if (end.code === 'device_quarantined') {
      log.warn('engine reports this device quarantined; retrying later');
      return QUARANTINE_RETRY_MS;
    }
    if (end.code && REFRESH_CODES.has(end.code)) {
      log.warn(
        `engine ${end.established ? 'dropped' : 'refused'} the connection: ${end.code}; renewing credentials`,
      );
      http.invalidateAccess();
      return end.code === 'token_expired' ? 250 : this.backoff.next();
    }
    log.warn(`${end.established ? 'connection lost' : 'cannot connect'}: ${end.detail}`);
    return this.backoff.next();
  }

  private session(token: string): Promise<SessionEnd> {
    const { serverUrl, identity, trust, log, signal } = this.o;
    const origin = new URL(serverUrl).origin;
    const ca = trust.pinned();
    return new Promise((resolve) => {
      const started = Date.now();
      let established = false;
      let code: string | undefined;
      const opts: Partial<ManagerOptions & SocketOptions> & Record<string, unknown> = {
        path: '/socket.io/',
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        autoConnect: false,
        timeout: 15_000,
        auth: {
          token,
          dpop: identity.dpop({ method: 'GET', url: `${origin}/socket.io/`, accessToken: token }),
        },
        extraHeaders: { 'x-borealis-agent-context': 'SYSTEM' },
        rejectUnauthorized: true,
        checkServerIdentity,
        ...(ca ? { ca: ca.pem } : {}),
      };
      const socket = io(`${origin}${AGENT_NAMESPACE}`, opts);
      this.socket = socket;
      const onAbort = () => socket.disconnect();
      signal.addEventListener('abort', onAbort, { once: true });
      let done = false;
      const finish = (detail: string) => {
        if (done) return;
        done = true;
        signal.removeEventListener('abort', onAbort);
        this.clearReauth();
        this.ready = false;
        socket.removeAllListeners();
        socket.io.removeAllListeners();
        socket.disconnect();
        if (this.socket === socket) this.socket = null;
        resolve({
          established,
          durationMs: Date.now() - started,
          detail,
          ...(code ? { code } : {}),
        });
      };
      for (const [event, h] of this.handlers) socket.on(event, h);
      socket.on('agent_disconnect', (p: unknown) => {
        const reason = (p as { reason?: unknown } | null)?.reason;
        code = typeof reason === 'string' ? reason : 'unknown';
        log.warn(`engine is disconnecting this agent: ${code}`);
      });
      socket.on(
        'connect',
        () =>
          void this.handshake(socket).then((info) => {
            if (!info) return void socket.disconnect();
            established = true;
            this.ready = true;
            log.info(`connected to ${origin} as ${info.guid}`);
            this.scheduleReauth(socket, origin);
            for (const h of this.connectedHandlers) {
              try {
                h(info);
              } catch (err) {
                log.error(`connected handler failed: ${errText(err)}`);
              }
            }
          }),
      );
      socket.on(
        'connect_error',
        (err: Error & { description?: unknown; data?: { error?: unknown } }) => {
          const inner =
            (err.description as { error?: unknown } | undefined)?.error ?? err.description;
          if (isTlsTrustFailure(inner) || isTlsTrustFailure(err)) {
            this.logTrustFailure(inner ?? err);
            return finish('TLS verification failed');
          }
          // The engine's middleware refusal carries {error: <code>, message} as `data`.
          const refused = typeof err.data?.error === 'string' ? err.data.error : undefined;
          code = refused ?? (/^[a-z_]+$/.test(err.message) ? err.message : undefined);
          finish(inner instanceof Error ? inner.message : err.message);
        },
      );
      socket.on('disconnect', (reason) => finish(code ?? reason));
      socket.connect();
    });
  }

  /** connect_agent with its ack; null (and a log line) when the engine refuses it. */
  private async handshake(socket: Socket): Promise<ConnectedInfo | null> {
    try {
      const ack: unknown = await socket
        .timeout(15_000)
        .emitWithAck('connect_agent', this.o.hello());
      const ok = ConnectAgentAckSchema.safeParse(ack);
      if (ok.success)
        return { guid: ok.data.guid, heartbeatIntervalMs: ok.data.heartbeat_interval_ms };
      const e = AgentAckErrorSchema.safeParse(ack);
      this.o.log.error(
        e.success
          ? `engine refused connect_agent: ${e.data.error} (${e.data.message})`
          : 'engine answered connect_agent with an unexpected ack',
      );
    } catch (err) {
      this.o.log.warn(`connect_agent was not acknowledged: ${errText(err)}`);
    }
    return null;
  }

  /** Sends `reauthenticate` with a fresh token shortly before the socket's token expires. */
  private scheduleReauth(socket: Socket, origin: string): void {
    this.clearReauth();
    const expiresAt = this.o.http.accessExpiresAt();
    const delay = Math.max(5_000, expiresAt - (REFRESH_BEFORE_MS - 10_000) - Date.now());
    this.reauthTimer = setTimeout(() => void this.reauthenticate(socket, origin), delay);
    this.reauthTimer.unref?.();
  }

  private async reauthenticate(socket: Socket, origin: string): Promise<void> {
    const { http, identity, log } = this.o;
    try {
      const token = await http.ensureAuthenticated();
      const dpop = identity.dpop({
        method: 'GET',
        url: `${origin}/socket.io/`,
        accessToken: token,
      });
      const ack = (await socket.timeout(15_000).emitWithAck('reauthenticate', { token, dpop })) as {
        status?: string;
        error?: string;
      };
      if (ack?.status !== 'ok')
        throw new Error(`engine refused reauthenticate: ${ack?.error ?? 'unexpected ack'}`);
      log.info('socket re-authenticated with a fresh access token');
      if (this.socket === socket) this.scheduleReauth(socket, origin);
    } catch (err) {
      log.warn(`re-authentication failed (${errText(err)}); reconnecting`);
      socket.disconnect();
    }
  }

  private clearReauth(): void {
    if (this.reauthTimer) clearTimeout(this.reauthTimer);
    this.reauthTimer = null;
  }

  private logTrustFailure(err: unknown): void {
    const pinned = this.o.trust.pinned();
    this.o.log.error(
      `the engine's certificate does not chain to the pinned CA ${pinned ? colonHex(pinned.fingerprint) : '(none)'} ` +
        `(${errText(err)}); not re-pinning — replace Settings/server_certificate.pem or run with --ca-file to change it`,
    );
  }
}
