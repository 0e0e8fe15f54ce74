// Credentials store (admin): GET /api/credentials (no secrets: has_secret only), POST
// /api/credentials, PUT /api/credentials/:id (secret replaced only when sent), DELETE
// /api/credentials/:id. Errors: 404 credential_not_found, 409 credential_exists, 400 site_not_found.
// Secrets are never echoed; the audit row names the credential id only.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CredentialCreateSchema,
  CredentialListSchema,
  CredentialSchema,
  CredentialUpdateSchema,
  IdParamsSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import { actorOf } from './assemblies.routes.js';

const tags = ['credentials'];

export const credentialRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const credentials = ctx.services.credentials;

    app.get(
      '/api/credentials',
      { config: { auth: 'admin' }, schema: { tags, response: { 200: CredentialListSchema } } },
      async () => ({ credentials: await credentials.list() }),
    );

    app.post(
      '/api/credentials',
      {
        config: { auth: 'admin', audit: 'credential.create' },
        schema: { tags, body: CredentialCreateSchema, response: { 201: CredentialSchema } },
      },
      async (req, reply) => {
        req.auditHint.target = req.body.name;
        const created = await credentials.create(req.body, actorOf(req).username);
        req.auditHint.target = created.id;
        return reply.status(201).send(created);
      },
    );

    app.put(
      '/api/credentials/:id',
      {
        config: { auth: 'admin', audit: 'credential.update' },
        schema: {
          tags,
          params: IdParamsSchema,
          body: CredentialUpdateSchema,
          response: { 200: CredentialSchema },
        },
      },
      async (req) => credentials.update(req.params.id, req.body, actorOf(req).username),
    );

    app.delete(
      '/api/credentials/:id',
      {
        config: { auth: 'admin', audit: 'credential.delete' },
        schema: { tags, params: IdParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await credentials.delete(req.params.id, actorOf(req).username);
        return { status: 'ok' as const };
      },
    );
  };
