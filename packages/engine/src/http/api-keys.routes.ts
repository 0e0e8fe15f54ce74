// API keys (admin): GET /api/api_keys, POST /api/api_keys (the key is in this reply only),
// DELETE /api/api_keys/:id (revoke).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ApiKeyCreatedSchema,
  ApiKeyCreateSchema,
  ApiKeyListSchema,
  IdParamsSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

export const apiKeyRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const keys = ctx.services.apiKeys;
    const tags = ['api_keys'];

    app.get(
      '/api/api_keys',
      { config: { auth: 'admin' }, schema: { tags, response: { 200: ApiKeyListSchema } } },
      async () => ({ api_keys: await keys.list() }),
    );

    app.post(
      '/api/api_keys',
      {
        config: { auth: 'admin', audit: 'api_keys.create' },
        schema: { tags, body: ApiKeyCreateSchema, response: { 201: ApiKeyCreatedSchema } },
      },
      async (req, reply) => {
        const created = await keys.create({
          name: req.body.name,
          role: req.body.role,
          createdBy: req.principal!.username,
        });
        req.auditHint.target = `${created.name} (${created.prefix})`;
        return reply.status(201).send(created);
      },
    );

    app.delete(
      '/api/api_keys/:id',
      {
        config: { auth: 'admin', audit: 'api_keys.revoke' },
        schema: { tags, params: IdParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await keys.revoke(req.params.id);
        return { status: 'ok' as const };
      },
    );
  };
