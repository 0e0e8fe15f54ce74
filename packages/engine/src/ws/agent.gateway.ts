// Agent gateway: the `/agents` Socket.IO namespace. The handshake carries the access token + DPoP
// proof (auth {token, dpop}, or `Authorization: DPoP …` + `DPoP` headers); each socket joins
// `device:<guid>`. Events (acked {status:"ok",…} or {status:"error", error, message}): connect_agent
// (first), agent_heartbeat, agent_details (60/min per device), reauthenticate, quick_job_progress,
// quick_job_result (acked only once recorded). A socket whose token expires without
// re-authentication gets `agent_disconnect {reason:"token_expired"}` and is dropped;
// ctx.events.disconnectDevice (revoke, quarantine, delete) does the same with its reason. Also the
// job transport: `quick_job_run` (acked by the agent) and `quick_job_cancel` to one device's room.
import type { Namespace, Server, Socket } from 'socket.io';
import type { z } from 'zod';
import {
  AGENT_NAMESPACE,
  AGENT_PROTOCOL_VERSION,
  AgentEvents,
  HEARTBEAT_INTERVAL_MS,
  QuickJobAckSchema,
  type AgentEventName,
  type QuickJobAck,
  type QuickJobRun,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import type { DevicePrincipal } from '../http/auth-guard.js';
import { AppError } from '../http/errors.js';
import { SlidingWindowLimiter } from '../security/rate-limit.js';

type Ack = Record<string, unknown> & { status: 'ok' | 'error' };
type Payload<K extends AgentEventName> = z.infer<(typeof AgentEvents)[K]>;
type Handler<K extends AgentEventName> = (socket: Socket, payload: Payload<K>) => Promise<Ack>;

interface SocketState {
  device: DevicePrincipal;
  connected: boolean;
  expiry: NodeJS.Timeout | null;
}

export interface AgentGateway {
  namespace: Namespace;
  close(): Promise<void>;
}

/** Inventory events per device per minute (the REST endpoints' limit). */
const INGEST_EVENTS_PER_MINUTE = 60;
const INGEST_EVENTS = new Set<AgentEventName>(['agent_heartbeat', 'agent_details']);

const room = (guid: string) => `device:${guid}`;
const stateOf = (socket: Socket) => socket.data as SocketState;

/** A Socket.IO middleware error whose `data` reaches the client's connect_error. */
function handshakeError(code: string, message: string): Error {
  return Object.assign(new Error(message), { data: { error: code, message } });
}

function credentials(socket: Socket): { token: unknown; dpop: unknown } {
  const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
  if (auth.token !== undefined) return { token: auth.token, dpop: auth.dpop };
  const { authorization, dpop } = socket.handshake.headers;
  const m = /^(?:DPoP|Bearer)\s+(\S+)$/i.exec(authorization ?? '');
  return { token: m?.[1], dpop };
}

export function attachAgentGateway(io: Server, ctx: EngineContext): AgentGateway {
  const nsp = io.of(AGENT_NAMESPACE);
  const { deviceAuth, heartbeats, details, presence, jobs } = ctx.services;
  const log = ctx.logs.service('agents');
  const limiter = new SlidingWindowLimiter({
    limit: INGEST_EVENTS_PER_MINUTE,
    windowMs: 60_000,
    clock: ctx.clock,
  });

  /** Drops the socket when its token expires (at least a tick from now). */
  const armExpiry = (socket: Socket) => {
    const st = stateOf(socket);
    if (st.expiry) clearTimeout(st.expiry);
    const delay = Math.max(0, st.device.exp * 1000 - ctx.clock.now());
    st.expiry = setTimeout(() => {
      socket.emit('agent_disconnect', { reason: 'token_expired' });
      socket.disconnect(true);
    }, delay);
    st.expiry.unref();
  };

  const handlers: { [K in AgentEventName]: Handler<K> } = {
    connect_agent: async (socket, p) => {
      const st = stateOf(socket);
      if (p.protocol_version !== AGENT_PROTOCOL_VERSION) {
        throw new AppError(
          400,
          'unsupported_protocol_version',
          `This engine speaks agent protocol ${AGENT_PROTOCOL_VERSION}.`,
        );
      }
      if (!st.connected) {
        st.connected = true;
        presence.socketConnected(st.device.guid, st.device.hostname);
      }
      log.info(`agent ${st.device.guid} (${st.device.hostname}) connected, mode ${p.service_mode}`);
      // Re-send the device's Pending runs once this ack is on its way.
      setImmediate(() => {
        jobs.onAgentConnected(st.device.guid).catch((err: unknown) => {
          log.error(`re-sending pending jobs to ${st.device.guid} failed: ${String(err)}`);
        });
      });
      return { status: 'ok', guid: st.device.guid, heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS };
    },
    agent_heartbeat: async (socket, p) => {
      const st = stateOf(socket);
      const res = await heartbeats.ingest(st.device, p);
      st.device = { ...st.device, hostname: res.hostname };
      return { status: 'ok', poll_after_ms: res.poll_after_ms };
    },
    agent_details: async (socket, p) => {
      const st = stateOf(socket);
      const res = await details.ingest(st.device, p);
      st.device = { ...st.device, hostname: res.hostname };
      return { status: 'ok' };
    },
    reauthenticate: async (socket, p) => {
      const st = stateOf(socket);
      const next = await deviceAuth.authenticateSocket({
        token: p.token,
        dpop: p.dpop,
        host: socket.handshake.headers.host,
      });
      if (next.guid !== st.device.guid) {
        throw new AppError(403, 'guid_mismatch', 'The new token belongs to another device.');
      }
      st.device = { ...next, hostname: st.device.hostname };
      armExpiry(socket);
      return { status: 'ok', expires_at: next.exp * 1000 };
    },
    quick_job_progress: async (socket, p) => {
      await jobs.recordProgress(stateOf(socket).device.guid, p);
      return { status: 'ok' };
    },
    quick_job_result: async (socket, p) => {
      await jobs.recordResult(stateOf(socket).device.guid, p);
      return { status: 'ok', job_id: p.job_id };
    },
  };

  /** The newest socket of `guid` on this node that completed connect_agent. */
  const jobSocket = (guid: string): Socket | undefined => {
    let chosen: Socket | undefined;
    for (const id of nsp.adapter.rooms.get(room(guid)) ?? []) {
      const socket = nsp.sockets.get(id);
      if (socket && stateOf(socket).connected) chosen = socket;
    }
    return chosen;
  };

  jobs.transport.attach({
    sendJob: async (guid: string, payload: QuickJobRun): Promise<QuickJobAck | null> => {
      const socket = jobSocket(guid);
      if (!socket) return null;
      try {
        const raw: unknown = await socket
          .timeout(jobs.transport.ackTimeoutMs)
          .emitWithAck('quick_job_run', payload);
        const ack = QuickJobAckSchema.safeParse(raw);
        if (ack.success && ack.data.job_id === payload.job_id) return ack.data;
        log.warn(`agent ${guid} sent a malformed ack for job ${payload.job_id}`);
        return null;
      } catch {
        return null;
      }
    },
    cancelJob: (guid: string, jobId: string) => {
      nsp.to(room(guid)).emit('quick_job_cancel', { job_id: jobId });
    },
  });

  async function dispatch<K extends AgentEventName>(
    socket: Socket,
    name: K,
    raw: unknown,
  ): Promise<Ack> {
    if (name !== 'connect_agent' && name !== 'reauthenticate' && !stateOf(socket).connected) {
      throw new AppError(409, 'connect_agent_required', 'Send connect_agent first.');
    }
    if (INGEST_EVENTS.has(name)) {
      const decision = limiter.hit(stateOf(socket).device.guid);
      if (!decision.allowed) {
        throw new AppError(
          429,
          'rate_limited',
          `Too many events; retry in ${decision.retryAfterSeconds} s.`,
          {
            retryAfter: decision.retryAfterSeconds,
          },
        );
      }
    }
    const parsed = AgentEvents[name].safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'payload';
      throw new AppError(400, 'invalid_request', `${where}: ${issue?.message ?? 'invalid'}`);
    }
    return handlers[name](socket, parsed.data as Payload<K>);
  }

  nsp.use((socket, next) => {
    const { token, dpop } = credentials(socket);
    deviceAuth
      .authenticateSocket({ token, dpop, host: socket.handshake.headers.host })
      .then((device) => {
        const st: SocketState = { device, connected: false, expiry: null };
        Object.assign(socket.data as object, st);
        next();
      })
      .catch((err: unknown) => {
        if (err instanceof AppError) return next(handshakeError(err.code, err.message));
        log.error(`agent handshake failed: ${String(err)}`);
        next(handshakeError('internal_error', 'Authentication failed.'));
      });
  });

  nsp.on('connection', (socket) => {
    const st = stateOf(socket);
    void socket.join(room(st.device.guid));
    armExpiry(socket);
    for (const name of Object.keys(handlers) as AgentEventName[]) {
      socket.on(name, (raw: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (a: Ack) => void) : () => undefined;
        dispatch(socket, name, raw)
          .then(reply)
          .catch((err: unknown) => {
            if (err instanceof AppError) {
              reply({ status: 'error', error: err.code, message: err.message });
              return;
            }
            log.error(`agent ${st.device.guid} ${name} failed: ${String(err)}`);
            reply({ status: 'error', error: 'internal_error', message: 'The engine failed.' });
          });
      });
    }
    socket.on('disconnect', (reason) => {
      if (st.expiry) clearTimeout(st.expiry);
      st.expiry = null;
      if (st.connected) {
        st.connected = false;
        presence.socketDisconnected(st.device.guid);
        log.info(`agent ${st.device.guid} (${st.device.hostname}) disconnected: ${reason}`);
      }
    });
  });

  ctx.events.attachDevices((guid, reason) => {
    nsp.to(room(guid)).emit('agent_disconnect', { reason });
    nsp.in(room(guid)).disconnectSockets(true);
    log.info(`agent sockets of ${guid} dropped: ${reason}`);
  });

  return {
    namespace: nsp,
    close: async () => {
      ctx.events.attachDevices(null);
      jobs.transport.attach(null);
      for (const socket of nsp.sockets.values()) {
        const s = stateOf(socket);
        if (s.expiry) clearTimeout(s.expiry);
      }
      nsp.disconnectSockets(true);
    },
  };
}
