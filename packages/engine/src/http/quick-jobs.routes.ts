// Quick jobs (reference §2.5): POST /api/scripts/quick_run (operator, audited) validates, freezes
// and dispatches one script to its targets → {job_id, results:[{hostname, guid, job_id, status}]};
// GET /api/quick_jobs/:id (viewer) → the job with its per-device runs. Errors: 404
// assembly_not_found, 400 unknown_targets | invalid_variable | script_too_large | no_targets |
// unsupported_assembly, 403 out_of_scope_hostnames. Also runs the expiry sweep while the app is up.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  JobIdParamsSchema,
  QuickJobSchema,
  QuickRunRequestSchema,
  QuickRunResponseSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

const tags = ['jobs'];

export const quickJobRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const jobs = ctx.services.jobs;

    app.addHook('onReady', async () => jobs.start());
    app.addHook('onClose', async () => jobs.stop());

    app.post(
      '/api/scripts/quick_run',
      {
        config: { auth: 'operator', audit: 'job.quick_run' },
        schema: { tags, body: QuickRunRequestSchema, response: { 200: QuickRunResponseSchema } },
      },
      async (req) => {
        req.auditHint.target = req.body.assembly_guid ?? req.body.script_path;
        const res = await jobs.create(req.body, req.principal?.username ?? 'unknown');
        req.auditHint.target = res.job_id;
        return res;
      },
    );

    app.get(
      '/api/quick_jobs/:id',
      {
        config: { auth: 'viewer' },
        schema: { tags, params: JobIdParamsSchema, response: { 200: QuickJobSchema } },
      },
      async (req) => jobs.getQuickJob(req.params.id),
    );
  };
