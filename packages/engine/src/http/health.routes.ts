// Liveness: GET /health → {status:"ok", version, database:"ok"} (503 database_unavailable when the
// database does not answer).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { HealthSchema } from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import { pingDb } from '../db/database.js';
import { AppError } from './errors.js';

export const healthRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/health',
      { config: { auth: 'none' }, schema: { tags: ['server'], response: { 200: HealthSchema } } },
      async () => {
        try {
          await pingDb(ctx.db);
        } catch {
          throw new AppError(503, 'database_unavailable', 'The database did not answer.');
        }
        return { status: 'ok' as const, version: ctx.version, database: 'ok' as const };
      },
    );
  };
