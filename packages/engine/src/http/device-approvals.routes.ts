// Device approvals (admin, reference §2.2): GET /api/admin/device-approvals?status=,
// POST /api/admin/device-approvals/:id/approve {guid?, conflict_resolution?: overwrite|coexist},
// POST /api/admin/device-approvals/:id/deny. Errors: 404 approval_not_found, 409
// approval_not_pending | conflict_resolution_required | no_free_hostname. Audited.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DeviceApprovalApprovedSchema,
  DeviceApprovalApproveSchema,
  DeviceApprovalDeniedSchema,
  DeviceApprovalListSchema,
  DeviceApprovalQuerySchema,
  IdParamsSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import { unauthorized } from './errors.js';

const tags = ['device-approvals'];

export const deviceApprovalRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const approvals = ctx.services.approvals;
    const actorOf = (p: { username: string } | null) => {
      if (!p) throw unauthorized('unauthorized', 'Sign in or send a valid API key.');
      return p.username;
    };

    app.get(
      '/api/admin/device-approvals',
      {
        config: { auth: 'admin' },
        schema: {
          tags,
          querystring: DeviceApprovalQuerySchema,
          response: { 200: DeviceApprovalListSchema },
        },
      },
      async (req) => ({ approvals: await approvals.list(req.query.status) }),
    );

    app.post(
      '/api/admin/device-approvals/:id/approve',
      {
        config: { auth: 'admin', audit: 'device_approval.approve' },
        schema: {
          tags,
          params: IdParamsSchema,
          // No body at all means {} (approve without conflict options).
          body: DeviceApprovalApproveSchema.nullable(),
          response: { 200: DeviceApprovalApprovedSchema },
        },
      },
      async (req) => approvals.approve(req.params.id, req.body ?? {}, actorOf(req.principal)),
    );

    app.post(
      '/api/admin/device-approvals/:id/deny',
      {
        config: { auth: 'admin', audit: 'device_approval.deny' },
        schema: { tags, params: IdParamsSchema, response: { 200: DeviceApprovalDeniedSchema } },
      },
      async (req) => approvals.deny(req.params.id, actorOf(req.principal)),
    );
  };
