// Agent enrollment and token refresh (reference §2.2; auth none, not audited: agent traffic):
// POST /api/agent/enroll/request (429 rate_limited per IP and key), POST /api/agent/enroll/poll
// (404 {status:"unknown"} for an unknown reference), POST /api/agent/token/refresh (DPoP header
// required). Error codes: see docs/agent-protocol.md.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  EnrollPendingSchema,
  EnrollPollRequestSchema,
  EnrollPollResponseSchema,
  EnrollPollUnknownSchema,
  EnrollRequestSchema,
  TokenGrantSchema,
  TokenRefreshRequestSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import { missingEnrollField } from '../services/enrollment.service.js';

const tags = ['agent'];

export const agentEnrollRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { enrollment, deviceTokens } = ctx.services;

    app.post(
      '/api/agent/enroll/request',
      {
        config: { auth: 'none', audit: false },
        // Counted before the body is parsed, so malformed floods are limited too.
        onRequest: async (req) => enrollment.checkIpRate(req.ip),
        preValidation: async (req) => {
          const missing = missingEnrollField(req.body);
          if (missing) throw missing;
        },
        schema: { tags, body: EnrollRequestSchema, response: { 200: EnrollPendingSchema } },
      },
      async (req) => enrollment.request(req.body, req.ip),
    );

    app.post(
      '/api/agent/enroll/poll',
      {
        config: { auth: 'none', audit: false },
        schema: {
          tags,
          body: EnrollPollRequestSchema,
          response: { 200: EnrollPollResponseSchema, 404: EnrollPollUnknownSchema },
        },
      },
      async (req, reply) => {
        const answer = await enrollment.poll(req.body);
        if (answer) return answer;
        return reply.status(404).send({
          status: 'unknown' as const,
          error: 'approval_not_found',
          message: 'No enrollment request has this approval_reference; request again.',
        });
      },
    );

    app.post(
      '/api/agent/token/refresh',
      {
        config: { auth: 'none', audit: false },
        schema: { tags, body: TokenRefreshRequestSchema, response: { 200: TokenGrantSchema } },
      },
      async (req) =>
        deviceTokens.refresh({
          guid: req.body.guid,
          refreshToken: req.body.refresh_token,
          dpop: req.headers.dpop,
          host: req.headers.host,
          path: req.url.split('?')[0] ?? req.url,
        }),
    );
  };
