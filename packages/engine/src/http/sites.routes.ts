// Sites (reference §2.4): GET /api/sites (viewer); admin: POST /api/sites, PUT /api/sites/:id,
// POST /api/sites/rename, POST /api/sites/delete, POST /api/sites/rotate_code,
// POST /api/sites/:id/auto_approve {enabled}.
// Errors: 404 site_not_found, 409 site_exists. Audit targets are site ids, never codes.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  SiteCreateSchema,
  SiteDeleteResultSchema,
  SiteDeleteSchema,
  SiteAutoApproveSchema,
  SiteListSchema,
  SiteRenameSchema,
  SiteRotateSchema,
  SiteSchema,
  SiteUpdateSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

const tags = ['sites'];

export const siteRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const sites = ctx.services.sites;

    app.get(
      '/api/sites',
      { config: { auth: 'viewer' }, schema: { tags, response: { 200: SiteListSchema } } },
      async () => ({ sites: await sites.list() }),
    );

    app.post(
      '/api/sites',
      {
        config: { auth: 'admin', audit: 'site.create' },
        schema: { tags, body: SiteCreateSchema, response: { 201: SiteSchema } },
      },
      async (req, reply) => {
        req.auditHint.target = req.body.name;
        const site = await sites.create(req.body);
        req.auditHint.target = site.id;
        return reply.status(201).send(site);
      },
    );

    app.put(
      '/api/sites/:id',
      {
        config: { auth: 'admin', audit: 'site.update' },
        schema: {
          tags,
          params: IdParamsSchema,
          body: SiteUpdateSchema,
          response: { 200: SiteSchema },
        },
      },
      async (req) => sites.update(req.params.id, req.body),
    );

    app.post(
      '/api/sites/rename',
      {
        config: { auth: 'admin', audit: 'site.rename' },
        schema: { tags, body: SiteRenameSchema, response: { 200: SiteSchema } },
      },
      async (req) => {
        req.auditHint.target = req.body.id;
        return sites.rename(req.body.id, req.body.new_name);
      },
    );

    app.post(
      '/api/sites/delete',
      {
        config: { auth: 'admin', audit: 'site.delete' },
        schema: { tags, body: SiteDeleteSchema, response: { 200: SiteDeleteResultSchema } },
      },
      async (req) => {
        req.auditHint.target = req.body.ids.join(',').slice(0, 512);
        const deleted = await sites.delete(req.body.ids);
        return { status: 'ok' as const, deleted };
      },
    );

    app.post(
      '/api/sites/:id/auto_approve',
      {
        config: { auth: 'admin', audit: 'site.auto_approve' },
        schema: {
          tags,
          params: IdParamsSchema,
          body: SiteAutoApproveSchema,
          response: { 200: SiteSchema },
        },
      },
      async (req) => sites.setAutoApprove(req.params.id, req.body.enabled),
    );

    app.post(
      '/api/sites/rotate_code',
      {
        config: { auth: 'admin', audit: 'site.rotate_code' },
        schema: { tags, body: SiteRotateSchema, response: { 200: SiteSchema } },
      },
      async (req) => {
        req.auditHint.target = req.body.site_id;
        return sites.rotateCode(req.body.site_id);
      },
    );
  };
