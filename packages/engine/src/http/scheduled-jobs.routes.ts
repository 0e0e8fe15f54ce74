// Scheduled jobs (reference §2.7, §8). Viewer: GET /api/scheduled_jobs, GET /:id, GET /:id/runs
// ?days&limit, GET /:id/devices. Operator (audited): POST /api/scheduled_jobs, PUT|DELETE /:id,
// POST /:id/toggle {enabled}, POST /:id/run_now, DELETE /:id/runs, POST /preview {schedule,count}.
// Errors: 404 scheduled_job_not_found; 400 invalid_cron | unknown_timezone | invalid_start |
// invalid_end | start_required | invalid_expiration | unsupported_execution_context |
// assembly_required | assembly_not_found | unsupported_assembly | invalid_variable |
// unknown_targets | invalid_name (each with `field`).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ScheduledDevicesSchema,
  ScheduledJobEnvelopeSchema,
  ScheduledJobIdParamsSchema,
  ScheduledJobInputSchema,
  ScheduledJobListSchema,
  ScheduledJobUpdateSchema,
  ScheduledRunNowSchema,
  ScheduledRunsClearedSchema,
  ScheduledRunsQuerySchema,
  ScheduledRunsSchema,
  ScheduledToggleSchema,
  SchedulePreviewRequestSchema,
  SchedulePreviewSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

const tags = ['scheduled-jobs'];
const params = ScheduledJobIdParamsSchema;

export const scheduledJobRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const jobs = ctx.services.scheduledJobs;
    const who = (req: { principal?: { username: string } | null }) =>
      req.principal?.username ?? 'unknown';

    app.get(
      '/api/scheduled_jobs',
      { config: { auth: 'viewer' }, schema: { tags, response: { 200: ScheduledJobListSchema } } },
      async () => ({ jobs: await jobs.list() }),
    );

    app.post(
      '/api/scheduled_jobs',
      {
        config: { auth: 'operator', audit: 'scheduled_job.create' },
        schema: {
          tags,
          body: ScheduledJobInputSchema,
          response: { 201: ScheduledJobEnvelopeSchema },
        },
      },
      async (req, reply) => {
        req.auditHint.target = req.body.name.slice(0, 200);
        const job = await jobs.create(req.body, who(req));
        req.auditHint.target = job.id;
        return reply.status(201).send({ job });
      },
    );

    app.post(
      '/api/scheduled_jobs/preview',
      {
        config: { auth: 'operator', audit: false },
        schema: {
          tags,
          body: SchedulePreviewRequestSchema,
          response: { 200: SchedulePreviewSchema },
        },
      },
      async (req) => jobs.preview(req.body.schedule, req.body.count),
    );

    app.get(
      '/api/scheduled_jobs/:id',
      {
        config: { auth: 'viewer' },
        schema: { tags, params, response: { 200: ScheduledJobEnvelopeSchema } },
      },
      async (req) => ({ job: await jobs.get(req.params.id) }),
    );

    app.put(
      '/api/scheduled_jobs/:id',
      {
        config: { auth: 'operator', audit: 'scheduled_job.update' },
        schema: {
          tags,
          params,
          body: ScheduledJobUpdateSchema,
          response: { 200: ScheduledJobEnvelopeSchema },
        },
      },
      async (req) => ({ job: await jobs.update(req.params.id, req.body) }),
    );

    app.delete(
      '/api/scheduled_jobs/:id',
      {
        config: { auth: 'operator', audit: 'scheduled_job.delete' },
        schema: { tags, params, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await jobs.delete(req.params.id);
        return { status: 'ok' as const };
      },
    );

    app.post(
      '/api/scheduled_jobs/:id/toggle',
      {
        config: { auth: 'operator', audit: 'scheduled_job.toggle' },
        schema: {
          tags,
          params,
          body: ScheduledToggleSchema,
          response: { 200: ScheduledJobEnvelopeSchema },
        },
      },
      async (req) => ({ job: await jobs.toggle(req.params.id, req.body.enabled) }),
    );

    app.post(
      '/api/scheduled_jobs/:id/run_now',
      {
        config: { auth: 'operator', audit: 'scheduled_job.run_now' },
        schema: { tags, params, response: { 200: ScheduledRunNowSchema } },
      },
      async (req) => ({
        status: 'ok' as const,
        occurrence: await jobs.runNow(req.params.id, who(req)),
      }),
    );

    app.get(
      '/api/scheduled_jobs/:id/runs',
      {
        config: { auth: 'viewer' },
        schema: {
          tags,
          params,
          querystring: ScheduledRunsQuerySchema,
          response: { 200: ScheduledRunsSchema },
        },
      },
      async (req) => ({ runs: await jobs.runs(req.params.id, req.query) }),
    );

    app.delete(
      '/api/scheduled_jobs/:id/runs',
      {
        config: { auth: 'operator', audit: 'scheduled_job.clear_runs' },
        schema: { tags, params, response: { 200: ScheduledRunsClearedSchema } },
      },
      async (req) => ({ status: 'ok' as const, ...(await jobs.clearRuns(req.params.id)) }),
    );

    app.get(
      '/api/scheduled_jobs/:id/devices',
      {
        config: { auth: 'viewer' },
        schema: { tags, params, response: { 200: ScheduledDevicesSchema } },
      },
      async (req) => jobs.deviceStatuses(req.params.id),
    );
  };
