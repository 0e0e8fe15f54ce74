// Server facts: GET /api/server/time (viewer), GET /api/server/info (admin).
import os from 'node:os';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ServerInfoSchema, ServerTimeSchema } from '@borealis/protocol';
import type { EngineContext } from '../context.js';

export const serverRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/server/time',
      {
        config: { auth: 'viewer' },
        schema: { tags: ['server'], response: { 200: ServerTimeSchema } },
      },
      async () => {
        const now = ctx.clock.now();
        return {
          epoch_ms: now,
          iso: new Date(now).toISOString(),
          timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        };
      },
    );
    app.get(
      '/api/server/info',
      {
        config: { auth: 'admin' },
        schema: { tags: ['server'], response: { 200: ServerInfoSchema } },
      },
      async () => ({
        version: ctx.version,
        hostname: os.hostname(),
        platform: `${os.type()} ${os.release()} (${os.arch()})`,
        node_version: process.version,
        started_at: ctx.startedAt,
        uptime_seconds: Math.floor((ctx.clock.now() - ctx.startedAt) / 1000),
        database: { dialect: ctx.dialect },
        tls: {
          ca_fingerprint_sha256: ctx.tls.caFingerprintSha256,
          operator_supplied: ctx.tls.operatorSupplied,
        },
        install_root: ctx.config.root,
      }),
    );
  };
