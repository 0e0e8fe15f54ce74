// Activity history (reference §2.5, keyed by device GUID): GET /api/device/activity/:guid
// (viewer; newest first, `limit`/`before` paging) → {history, next_before}; DELETE same path
// (operator) clears finished runs; GET /api/device/activity/job/:id (viewer) → the full run with
// stdout/stderr; POST /api/device/activity/job/:id/cancel (operator, audited). Errors: 404
// device_not_found | job_not_found, 409 job_finished.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ActivityClearResultSchema,
  ActivityGuidParamsSchema,
  ActivityHistorySchema,
  ActivityJobSchema,
  ActivityQuerySchema,
  JobIdParamsSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

const tags = ['jobs'];

export const activityRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const jobs = ctx.services.jobs;

    app.get(
      '/api/device/activity/:guid',
      {
        config: { auth: 'viewer' },
        schema: {
          tags,
          params: ActivityGuidParamsSchema,
          querystring: ActivityQuerySchema,
          response: { 200: ActivityHistorySchema },
        },
      },
      async (req) => jobs.history(req.params.guid, req.query),
    );

    app.delete(
      '/api/device/activity/:guid',
      {
        config: { auth: 'operator', audit: 'activity.clear' },
        schema: {
          tags,
          params: ActivityGuidParamsSchema,
          response: { 200: ActivityClearResultSchema },
        },
      },
      async (req) => ({ status: 'ok' as const, deleted: await jobs.clearHistory(req.params.guid) }),
    );

    app.get(
      '/api/device/activity/job/:id',
      {
        config: { auth: 'viewer' },
        schema: { tags, params: JobIdParamsSchema, response: { 200: ActivityJobSchema } },
      },
      async (req) => jobs.getRun(req.params.id),
    );

    app.post(
      '/api/device/activity/job/:id/cancel',
      {
        config: { auth: 'operator', audit: 'job.cancel' },
        schema: { tags, params: JobIdParamsSchema, response: { 200: ActivityJobSchema } },
      },
      async (req) => {
        req.auditHint.target = req.params.id;
        return jobs.cancel(req.params.id, req.principal?.username ?? 'unknown');
      },
    );
  };
