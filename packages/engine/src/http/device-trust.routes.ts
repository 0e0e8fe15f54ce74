// Device trust actions (admin, audited): POST /api/devices/:guid/revoke, /quarantine, /release.
// Each answers {guid, status, token_version}. Errors: 404 device_not_found, 409 device_revoked
// (quarantine of a revoked device), 409 device_not_quarantined (release).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DeviceGuidParamsSchema, DeviceTrustResultSchema } from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import { unauthorized } from './errors.js';

const tags = ['devices'];
const ACTIONS = ['revoke', 'quarantine', 'release'] as const;

export const deviceTrustRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const trust = ctx.services.deviceTrust;
    for (const action of ACTIONS) {
      app.post(
        `/api/devices/:guid/${action}`,
        {
          config: { auth: 'admin', audit: `device.${action}` },
          schema: {
            tags,
            params: DeviceGuidParamsSchema,
            response: { 200: DeviceTrustResultSchema },
          },
        },
        async (req) => {
          if (!req.principal)
            throw unauthorized('unauthorized', 'Sign in or send a valid API key.');
          return trust[action](req.params.guid, req.principal.username);
        },
      );
    }
  };
