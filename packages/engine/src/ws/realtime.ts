// Socket.IO on the engine's HTTPS server, websocket transport only. Every upgrade must carry an
// allowed Origin; the /ui namespace admits only a valid operator session (cookie). Agents get
// their own namespace with the device-token handshake (agent protocol).
import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import type { EngineContext } from '../context.js';
import { SESSION_COOKIE } from '../http/auth-guard.js';

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
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (!origin) return false;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function attachRealtime(app: FastifyInstance, ctx: EngineContext): Realtime {
  const io = new Server(app.server, {
    transports: ['websocket'],
    serveClient: false,
    maxHttpBufferSize: 1024 * 1024,
    allowRequest: (req, cb) => {
      const ok = originAllowed(req.headers.origin, req.headers.host, ctx.config.corsAllowedOrigins);
      cb(ok ? null : 'origin_not_allowed', ok);
    },
  });
  const ui = io.of('/ui');
  ui.use((socket, next) => {
    const token = cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
    ctx.services.auth
      .authenticate({ sessionToken: token, ip: socket.handshake.address })
      .then((p) => {
        if (!p || p.via !== 'session') return next(new Error('unauthorized'));
        socket.data.principal = p;
        void socket.join(`user:${p.username}`);
        next();
      })
      .catch(() => next(new Error('unauthorized')));
  });
  return {
    io,
    close: () => new Promise<void>((resolve) => void io.close(() => resolve())),
  };
}
