// Audit log reader: GET /api/audit (admin; paged; filters username, action, outcome, since, until).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuditPageSchema, AuditQuerySchema } from '@borealis/protocol';
import type { EngineContext } from '../context.js';

export const auditRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/audit',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['audit'],
          querystring: AuditQuerySchema,
          response: { 200: AuditPageSchema },
        },
      },
      async (req) => {
        const { entries, total } = await ctx.services.audit.page(req.query);
        return { entries, total, page: req.query.page, page_size: req.query.page_size };
      },
    );
  };
