// createApp(ctx): builds the Fastify app (zod-typed routes, OpenAPI, auth guard, audit, api.log,
// SPA hosting) and attaches Socket.IO. Reads no environment; main.ts and tests supply ctx.
import fs from 'node:fs';
import path from 'node:path';
import type https from 'node:https';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { EngineContext } from './context.js';
import { installAuthGuard, type RouteAuthEntry } from './http/auth-guard.js';
import { installErrorHandlers } from './http/errors.js';
import { registerRoutes } from './http/index.js';
import { installRequestHooks } from './http/request-hooks.js';
import { attachRealtime, type Realtime } from './ws/realtime.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface CreateAppOptions {
  https?: https.ServerOptions;
  /** Attach Socket.IO (needs a real listening server; tests using inject() may skip it). */
  realtime?: boolean;
}

export interface EngineApp {
  app: FastifyInstance;
  routeTable: RouteAuthEntry[];
  realtime: Realtime | null;
}

export async function createApp(
  ctx: EngineContext,
  opts: CreateAppOptions = {},
): Promise<EngineApp> {
  const app = Fastify({
    logger: false,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: false,
    ...(opts.https ? { https: opts.https } : {}),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  installErrorHandlers(app, (err) => {
    ctx.logs.engine.error(
      `unhandled request error: ${err instanceof Error ? err.stack : String(err)}`,
    );
  });
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        connectSrc: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Borealis Engine API', version: ctx.version },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'borealis_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  const routeTable = installAuthGuard(app, ctx.services.auth);
  installRequestHooks(app, ctx);
  await registerRoutes(app, ctx);
  installSpaFallback(app, ctx.config.staticRoot);
  await app.ready();

  const realtime = opts.realtime ? attachRealtime(app, ctx) : null;
  return { app, routeTable, realtime };
}

/** Static files of the built SPA; any other non-API GET gets index.html; unknown /api → JSON 404. */
function installSpaFallback(app: FastifyInstance, staticRoot: string): void {
  const index = path.join(staticRoot, 'index.html');
  const hasSpa = fs.existsSync(index);
  if (hasSpa) void app.register(fastifyStatic, { root: staticRoot, serve: false });
  app.setNotFoundHandler(async (req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    const apiLike = url.startsWith('/api/') || url === '/api' || url.startsWith('/socket.io');
    if (apiLike || !hasSpa || (req.method !== 'GET' && req.method !== 'HEAD')) {
      return reply
        .status(404)
        .send({ error: 'not_found', message: `No route ${req.method} ${url}.` });
    }
    const rel = path.normalize(decodeURIComponent(url)).replace(/^([/\\])+/, '');
    const file = path.join(staticRoot, rel);
    if (
      rel &&
      file.startsWith(staticRoot + path.sep) &&
      fs.statSync(file, { throwIfNoEntry: false })?.isFile()
    ) {
      const immutable = rel.startsWith('assets/');
      return reply
        .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .sendFile(rel);
    }
    return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
  });
}
