// Socket.IO on the engine's HTTPS server, websocket transport only. A browser upgrade (one that
// carries an Origin) must come from an allowed Origin; the /ui namespace admits only an allowed
// Origin with a valid operator session cookie; there `subscribe_job {job_id}` / `unsubscribe_job`
// (acked) join or leave the room `job:<id>` that carries a job's live `job_output`. Agents (no
// Origin) authenticate per namespace with their device token + DPoP proof (ws/agent.gateway.ts).
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import {
  OUTPUT_CAP_BYTES,
  SUBSCRIBE_JOB_EVENT,
  SubscribeJobSchema,
  UI_NAMESPACE,
  UNSUBSCRIBE_JOB_EVENT,
  jobRoom,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import { SESSION_COOKIE } from '../http/auth-guard.js';
import { attachAgentGateway } from './agent.gateway.js';

export interface Realtime {
  io: Server;
  close(): Promise<void>;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Same-origin (the Host the browser used) or one of BOREALIS_CORS_ALLOWED_ORIGINS. */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: string[],
): boolean {
  if (!origin) return false;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Upgrade policy: no Origin (not a browser) passes to namespace auth; a foreign Origin never does. */
export function upgradeAllowed(req: IncomingMessage, allowed: string[]): boolean {
  const origin = req.headers.origin;
  return origin === undefined || originAllowed(origin, req.headers.host, allowed);
}

export function attachRealtime(app: FastifyInstance, ctx: EngineContext): Realtime {
  const io = new Server(app.server, {
    transports: ['websocket'],
    serveClient: false,
    // A job result carries both capped output streams (1 MiB each) plus JSON escaping headroom.
    maxHttpBufferSize: 4 * OUTPUT_CAP_BYTES,
    allowRequest: (req, cb) => {
      const ok = upgradeAllowed(req, ctx.config.corsAllowedOrigins);
      cb(ok ? null : 'origin_not_allowed', ok);
    },
  });
  const ui = io.of(UI_NAMESPACE);
  ui.use((socket, next) => {
    const { headers, address } = socket.handshake;
    if (!originAllowed(headers.origin, headers.host, ctx.config.corsAllowedOrigins)) {
      return next(new Error('origin_not_allowed'));
    }
    const token = cookieValue(headers.cookie, SESSION_COOKIE);
    ctx.services.auth
      .authenticate({ sessionToken: token, ip: address })
      .then((p) => {
        if (!p || p.via !== 'session') return next(new Error('unauthorized'));
        socket.data.principal = p;
        void socket.join(`user:${p.username}`);
        next();
      })
      .catch(() => next(new Error('unauthorized')));
  });
  ctx.events.attachUi((event, payload) => ui.emit(event, payload));
  ctx.events.attachUiRooms((rooms, event, payload) => ui.to([...rooms]).emit(event, payload));
  ui.on('connection', (socket) => {
    type Reply = (a: Record<string, unknown>) => void;
    const replyOf = (ack: unknown): Reply =>
      typeof ack === 'function' ? (ack as Reply) : () => undefined;
    socket.on(SUBSCRIBE_JOB_EVENT, (raw: unknown, ack?: unknown) => {
      const reply = replyOf(ack);
      const parsed = SubscribeJobSchema.safeParse(raw);
      if (!parsed.success) {
        return reply({ status: 'error', error: 'invalid_request', message: 'job_id required.' });
      }
      const id = parsed.data.job_id;
      ctx.services.jobs.canSubscribe(id).then(
        (ok) => {
          if (!ok) {
            return reply({ status: 'error', error: 'job_not_found', message: `No job ${id}.` });
          }
          void socket.join(jobRoom(id));
          reply({ status: 'ok', job_id: id });
        },
        () => reply({ status: 'error', error: 'internal_error', message: 'The engine failed.' }),
      );
    });
    socket.on(UNSUBSCRIBE_JOB_EVENT, (raw: unknown, ack?: unknown) => {
      const parsed = SubscribeJobSchema.safeParse(raw);
      if (parsed.success) void socket.leave(jobRoom(parsed.data.job_id));
      replyOf(ack)({ status: 'ok' });
    });
  });
  const agents = attachAgentGateway(io, ctx);
  return {
    io,
    close: async () => {
      ctx.events.attachUi(null);
      ctx.events.attachUiRooms(null);
      await agents.close();
      await new Promise<void>((resolve) => void io.close(() => resolve()));
    },
  };
}
