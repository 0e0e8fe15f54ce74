// Log management (admin): GET /api/server/logs (families, sizes, rotations, retention),
// GET /api/server/logs/:name/entries?limit (parsed tail), PUT /api/server/logs/retention (policy;
// prunes rotated files only), DELETE /api/server/logs/:name?scope=file|family (truncate / delete).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  LogDeleteQuerySchema,
  LogDeleteResultSchema,
  LogEntriesQuerySchema,
  LogEntriesSchema,
  LogListSchema,
  LogNameParamsSchema,
  RetentionResultSchema,
  RetentionUpdateSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

export const logRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const logs = ctx.services.logs;

    app.get(
      '/api/server/logs',
      { config: { auth: 'admin' }, schema: { tags: ['server'], response: { 200: LogListSchema } } },
      async () => logs.list(),
    );

    app.get(
      '/api/server/logs/:name/entries',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['server'],
          params: LogNameParamsSchema,
          querystring: LogEntriesQuerySchema,
          response: { 200: LogEntriesSchema },
        },
      },
      async (req) => logs.entries(req.params.name, req.query.limit),
    );

    app.put(
      '/api/server/logs/retention',
      {
        config: { auth: 'admin', audit: 'log.retention' },
        schema: {
          tags: ['server'],
          body: RetentionUpdateSchema,
          response: { 200: RetentionResultSchema },
        },
      },
      async (req) => {
        const r = await logs.updateRetention(req.body);
        return { default_retention_days: r.default_days, overrides: r.overrides, pruned: r.pruned };
      },
    );

    app.delete(
      '/api/server/logs/:name',
      {
        config: { auth: 'admin', audit: 'log.delete' },
        schema: {
          tags: ['server'],
          params: LogNameParamsSchema,
          querystring: LogDeleteQuerySchema,
          response: { 200: LogDeleteResultSchema },
        },
      },
      async (req) => logs.delete(req.params.name, req.query.scope),
    );
  };
