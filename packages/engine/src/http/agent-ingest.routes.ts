// Agent inventory ingest (reference §2.3), device-authenticated (access token + DPoP proof):
// POST /api/agent/heartbeat → {status:"ok", poll_after_ms}; POST /api/agent/details → {status:"ok"}.
// The body's guid must be the token's (403 guid_mismatch). Also owns the ingest lifecycle: the
// presence sweep starts with the app, and pending heartbeats are flushed when it closes.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DetailsRequestSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import type { DevicePrincipal } from './auth-guard.js';
import { AppError } from './errors.js';

const tags = ['agent'];

/** The details body may name its device too (checked like the heartbeat's). */
const DetailsBodySchema = DetailsRequestSchema.extend({ guid: z.string().max(64).optional() });

function deviceOf(req: { device: DevicePrincipal | null }): DevicePrincipal {
  if (!req.device)
    throw new AppError(401, 'missing_authorization', 'Device authentication required.');
  return req.device;
}

export const agentIngestRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { heartbeats, details, presence, heartbeatBuffer } = ctx.services;

    app.addHook('onReady', async () => presence.start());
    app.addHook('onClose', async () => {
      await presence.stop();
      await heartbeatBuffer.close();
    });

    app.post(
      '/api/agent/heartbeat',
      {
        config: { auth: 'device', audit: false },
        schema: { tags, body: HeartbeatRequestSchema, response: { 200: HeartbeatResponseSchema } },
      },
      async (req) => {
        const { status, poll_after_ms } = await heartbeats.ingest(deviceOf(req), req.body);
        return { status, poll_after_ms };
      },
    );

    app.post(
      '/api/agent/details',
      {
        config: { auth: 'device', audit: false },
        schema: { tags, body: DetailsBodySchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await details.ingest(deviceOf(req), req.body);
        return { status: 'ok' as const };
      },
    );
  };
