// Installer codes (admin): GET /api/admin/enrollment-codes?status=active|expired|used,
// POST /api/admin/enrollment-codes {ttl_hours, max_uses, site_id?} (201),
// DELETE /api/admin/enrollment-codes/:id (unused codes only: 409 code_in_use; 404 code_not_found).
// Audit targets are code ids; the codes themselves never reach logs or the audit trail.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  IdParamsSchema,
  InstallerCodeCreateSchema,
  InstallerCodeListSchema,
  InstallerCodeQuerySchema,
  InstallerCodeSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import { unauthorized } from './errors.js';

const tags = ['installer-codes'];

export const installerCodeRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const codes = ctx.services.installerCodes;

    app.get(
      '/api/admin/enrollment-codes',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          querystring: InstallerCodeQuerySchema,
          response: { 200: InstallerCodeListSchema },
        },
      },
      async (req) => ({ codes: await codes.list(req.query.status) }),
    );

    app.post(
      '/api/admin/enrollment-codes',
      {
        config: { auth: 'admin', audit: 'installer_code.create' },
        schema: { tags, body: InstallerCodeCreateSchema, response: { 201: InstallerCodeSchema } },
      },
      async (req, reply) => {
        if (!req.principal) throw unauthorized('unauthorized', 'Sign in or send a valid API key.');
        const created = await codes.create(req.body, req.principal.username);
        req.auditHint.target = created.id;
        return reply.status(201).send(created);
      },
    );

    app.delete(
      '/api/admin/enrollment-codes/:id',
      {
        config: { auth: 'admin', audit: 'installer_code.delete' },
        schema: { tags, params: IdParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await codes.delete(req.params.id);
        return { status: 'ok' as const };
      },
    );
  };
