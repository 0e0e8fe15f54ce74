// Saved device-list views (reference §2.4): GET /api/device_list_views, GET /:id (viewer);
// POST, PUT /:id, DELETE /:id (operator). Body {name (unique), columns:[ids], filters:{…}, sort?}.
// Errors: 404 view_not_found, 409 view_exists.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  ListViewInputSchema,
  ListViewListSchema,
  ListViewSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

const tags = ['devices'];

export const listViewRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const views = ctx.services.listViews;

    app.get(
      '/api/device_list_views',
      { config: { auth: 'viewer' }, schema: { tags, response: { 200: ListViewListSchema } } },
      async () => ({ views: await views.list() }),
    );

    app.get(
      '/api/device_list_views/:id',
      {
        config: { auth: 'viewer' },
        schema: { tags, params: IdParamsSchema, response: { 200: ListViewSchema } },
      },
      async (req) => views.get(req.params.id),
    );

    app.post(
      '/api/device_list_views',
      {
        config: { auth: 'operator', audit: 'device_list_view.create' },
        schema: { tags, body: ListViewInputSchema, response: { 201: ListViewSchema } },
      },
      async (req, reply) => {
        const view = await views.create(req.body, req.principal?.username ?? 'unknown');
        req.auditHint.target = view.id;
        return reply.status(201).send(view);
      },
    );

    app.put(
      '/api/device_list_views/:id',
      {
        config: { auth: 'operator', audit: 'device_list_view.update' },
        schema: {
          tags,
          params: IdParamsSchema,
          body: ListViewInputSchema,
          response: { 200: ListViewSchema },
        },
      },
      async (req) => views.update(req.params.id, req.body),
    );

    app.delete(
      '/api/device_list_views/:id',
      {
        config: { auth: 'operator', audit: 'device_list_view.delete' },
        schema: { tags, params: IdParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await views.delete(req.params.id);
        return { status: 'ok' as const };
      },
    );
  };
