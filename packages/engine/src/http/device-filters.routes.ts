// Device filters (reference §2.4, §10): GET /api/device_filters (viewer; with match counts),
// GET /api/device_filters/:id and POST /api/device_filters/preview → {count, devices:[first 20
// {guid, hostname}]} (viewer; preview evaluates an unsaved filter); POST, PUT /:id, DELETE /:id
// (operator, audited).
// Errors: 404 filter_not_found | site_not_found, 409 filter_exists, 400 site_required.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DeviceFilterDefinitionSchema,
  DeviceFilterInputSchema,
  DeviceFilterListSchema,
  DeviceFilterSchema,
  FilterPreviewSchema,
  FilterIdParamsSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

const tags = ['device_filters'];

export const deviceFilterRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const filters = ctx.services.deviceFilters;

    app.get(
      '/api/device_filters',
      { config: { auth: 'viewer' }, schema: { tags, response: { 200: DeviceFilterListSchema } } },
      async () => ({ filters: await filters.list() }),
    );

    app.post(
      '/api/device_filters/preview',
      {
        config: { auth: 'viewer', audit: false },
        schema: {
          tags,
          body: DeviceFilterDefinitionSchema,
          response: { 200: FilterPreviewSchema },
        },
      },
      async (req) => filters.preview(req.body),
    );

    app.get(
      '/api/device_filters/:id',
      {
        config: { auth: 'viewer' },
        schema: { tags, params: FilterIdParamsSchema, response: { 200: DeviceFilterSchema } },
      },
      async (req) => filters.get(req.params.id),
    );

    app.post(
      '/api/device_filters',
      {
        config: { auth: 'operator', audit: 'device_filter.create' },
        schema: { tags, body: DeviceFilterInputSchema, response: { 201: DeviceFilterSchema } },
      },
      async (req, reply) => {
        const filter = await filters.create(req.body, req.principal?.username ?? 'unknown');
        req.auditHint.target = filter.id;
        return reply.status(201).send(filter);
      },
    );

    app.put(
      '/api/device_filters/:id',
      {
        config: { auth: 'operator', audit: 'device_filter.update' },
        schema: {
          tags,
          params: FilterIdParamsSchema,
          body: DeviceFilterInputSchema,
          response: { 200: DeviceFilterSchema },
        },
      },
      async (req) => filters.update(req.params.id, req.body, req.principal?.username ?? 'unknown'),
    );

    app.delete(
      '/api/device_filters/:id',
      {
        config: { auth: 'operator', audit: 'device_filter.delete' },
        schema: { tags, params: FilterIdParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await filters.delete(req.params.id);
        return { status: 'ok' as const };
      },
    );
  };
