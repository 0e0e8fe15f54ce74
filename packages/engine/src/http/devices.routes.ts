// Devices (reference §2.4), operator API: GET /api/devices (paged/sorted/filtered),
// GET /api/devices/:guid, GET /api/devices/:guid/software, GET /api/devices/:guid/metrics (viewer);
// PUT /api/devices/:guid/description, POST /api/sites/assign (operator); DELETE /api/devices/:guid
// (admin, also drops the agent's sockets). Errors: 404 device_not_found, 404 site_not_found.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DescriptionUpdateSchema,
  DeviceDetailSchema,
  DeviceListQuerySchema,
  DeviceListSchema,
  GuidParamsSchema,
  MetricsQuerySchema,
  MetricsSeriesSchema,
  SiteAssignResultSchema,
  SiteAssignSchema,
  SoftwareListSchema,
  SoftwareQuerySchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

const tags = ['devices'];

export const deviceRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const devices = ctx.services.devices;

    app.get(
      '/api/devices',
      {
        config: { auth: 'viewer' },
        schema: { tags, querystring: DeviceListQuerySchema, response: { 200: DeviceListSchema } },
      },
      async (req) => devices.list(req.query),
    );

    app.get(
      '/api/devices/:guid',
      {
        config: { auth: 'viewer' },
        schema: { tags, params: GuidParamsSchema, response: { 200: DeviceDetailSchema } },
      },
      async (req) => devices.get(req.params.guid),
    );

    app.get(
      '/api/devices/:guid/software',
      {
        config: { auth: 'viewer' },
        schema: {
          tags,
          params: GuidParamsSchema,
          querystring: SoftwareQuerySchema,
          response: { 200: SoftwareListSchema },
        },
      },
      async (req) => devices.software(req.params.guid, req.query),
    );

    app.get(
      '/api/devices/:guid/metrics',
      {
        config: { auth: 'viewer' },
        schema: {
          tags,
          params: GuidParamsSchema,
          querystring: MetricsQuerySchema,
          response: { 200: MetricsSeriesSchema },
        },
      },
      async (req) => devices.metrics(req.params.guid, req.query.minutes),
    );

    app.put(
      '/api/devices/:guid/description',
      {
        config: { auth: 'operator', audit: 'device.description' },
        schema: {
          tags,
          params: GuidParamsSchema,
          body: DescriptionUpdateSchema,
          response: { 200: DeviceDetailSchema },
        },
      },
      async (req) => devices.setDescription(req.params.guid, req.body.description),
    );

    app.post(
      '/api/sites/assign',
      {
        config: { auth: 'operator', audit: 'site.assign' },
        schema: { tags, body: SiteAssignSchema, response: { 200: SiteAssignResultSchema } },
      },
      async (req) => {
        req.auditHint.target = req.body.site_id ?? 'unassigned';
        return devices.assignSite(req.body);
      },
    );

    app.delete(
      '/api/devices/:guid',
      {
        config: { auth: 'admin', audit: 'device.delete' },
        schema: { tags, params: GuidParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await devices.delete(req.params.guid);
        return { status: 'ok' as const };
      },
    );
  };
