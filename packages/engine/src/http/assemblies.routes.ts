// Assemblies (reference §2.5, §7): GET /api/assemblies?domain&kind, GET/PUT/DELETE
// /api/assemblies/:guid, POST /api/assemblies, POST /:guid/clone, POST /import, GET /:guid/export;
// Dev Mode: GET /api/assemblies/dev-mode, POST /api/assemblies/dev-mode/switch (admin);
// POST /api/assemblies/official/sync (admin). Reads: viewer; writes: operator (official and
// community need an Admin in Dev Mode: 403 dev_mode_required). Errors: 404 assembly_not_found,
// 409 assembly_exists, 400 with `field` for bad content (script_too_large, invalid_variable_*, …).
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AssemblyCloneSchema,
  AssemblyCreateSchema,
  AssemblyExportSchema,
  AssemblyGuidParamsSchema,
  AssemblyImportBodySchema,
  AssemblyImportQuerySchema,
  AssemblyListQuerySchema,
  AssemblyListSchema,
  AssemblySchema,
  AssemblyUpdateSchema,
  DevModeStatusSchema,
  DevModeSwitchSchema,
  OfficialSyncResultSchema,
  StatusOkSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import type { Actor } from '../services/dev-mode.service.js';
import { unauthorized } from './errors.js';

const tags = ['assemblies'];
/** Room for a 1 MiB script plus 5 MiB of files, base64-encoded, so the service can say which is too big. */
const ASSEMBLY_BODY_LIMIT = 10 * 1024 * 1024;

export function actorOf(req: FastifyRequest): Actor {
  if (!req.principal) throw unauthorized('unauthorized', 'Sign in or send a valid API key.');
  return { username: req.principal.username, role: req.principal.role };
}

export const assemblyRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const assemblies = ctx.services.assemblies;
    const devMode = ctx.services.devMode;

    app.get(
      '/api/assemblies',
      {
        config: { auth: 'viewer' },
        schema: {
          tags,
          querystring: AssemblyListQuerySchema,
          response: { 200: AssemblyListSchema },
        },
      },
      async (req) => ({ items: await assemblies.list(req.query) }),
    );

    app.get(
      '/api/assemblies/dev-mode',
      { config: { auth: 'viewer' }, schema: { tags, response: { 200: DevModeStatusSchema } } },
      async (req) => devMode.status(actorOf(req).username),
    );

    app.post(
      '/api/assemblies/dev-mode/switch',
      {
        config: { auth: 'admin', audit: 'assemblies.dev_mode' },
        schema: { tags, body: DevModeSwitchSchema, response: { 200: DevModeStatusSchema } },
      },
      async (req) => {
        req.auditHint.target = req.body.enabled ? 'on' : 'off';
        return devMode.set(actorOf(req), req.body.enabled);
      },
    );

    app.post(
      '/api/assemblies/official/sync',
      {
        config: { auth: 'admin', audit: 'assemblies.official_sync' },
        schema: { tags, response: { 200: OfficialSyncResultSchema } },
      },
      async () => assemblies.syncOfficial(),
    );

    app.post(
      '/api/assemblies',
      {
        bodyLimit: ASSEMBLY_BODY_LIMIT,
        config: { auth: 'operator', audit: 'assembly.create' },
        schema: { tags, body: AssemblyCreateSchema, response: { 201: AssemblySchema } },
      },
      async (req, reply) => {
        req.auditHint.target = `${req.body.domain}:${req.body.assembly_guid ?? 'new'}`;
        const created = await assemblies.create(req.body, actorOf(req));
        req.auditHint.target = `${created.domain}:${created.assembly_guid}`;
        return reply.status(201).send(created);
      },
    );

    app.post(
      '/api/assemblies/import',
      {
        bodyLimit: ASSEMBLY_BODY_LIMIT,
        config: { auth: 'operator', audit: 'assembly.import' },
        schema: {
          tags,
          querystring: AssemblyImportQuerySchema,
          body: AssemblyImportBodySchema,
          response: { 201: AssemblySchema },
        },
      },
      async (req, reply) => {
        req.auditHint.target = `${req.query.domain}:${req.query.assembly_guid ?? 'new'}`;
        const created = await assemblies.import(req.body, req.query, actorOf(req));
        req.auditHint.target = `${created.domain}:${created.assembly_guid}`;
        return reply.status(201).send(created);
      },
    );

    app.get(
      '/api/assemblies/:guid',
      {
        config: { auth: 'viewer' },
        schema: { tags, params: AssemblyGuidParamsSchema, response: { 200: AssemblySchema } },
      },
      async (req) => assemblies.get(req.params.guid),
    );

    app.get(
      '/api/assemblies/:guid/export',
      {
        config: { auth: 'viewer' },
        schema: { tags, params: AssemblyGuidParamsSchema, response: { 200: AssemblyExportSchema } },
      },
      async (req, reply) => {
        const doc = await assemblies.export(req.params.guid);
        const file = `${doc.assembly.display_name.replace(/[^A-Za-z0-9._-]+/g, '_') || 'assembly'}.json`;
        void reply.header('Content-Disposition', `attachment; filename="${file}"`);
        return doc;
      },
    );

    app.put(
      '/api/assemblies/:guid',
      {
        bodyLimit: ASSEMBLY_BODY_LIMIT,
        config: { auth: 'operator', audit: 'assembly.update' },
        schema: {
          tags,
          params: AssemblyGuidParamsSchema,
          body: AssemblyUpdateSchema,
          response: { 200: AssemblySchema },
        },
      },
      async (req) => assemblies.update(req.params.guid, req.body, actorOf(req)),
    );

    app.delete(
      '/api/assemblies/:guid',
      {
        config: { auth: 'operator', audit: 'assembly.delete' },
        schema: { tags, params: AssemblyGuidParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await assemblies.delete(req.params.guid, actorOf(req));
        return { status: 'ok' as const };
      },
    );

    app.post(
      '/api/assemblies/:guid/clone',
      {
        config: { auth: 'operator', audit: 'assembly.clone' },
        schema: {
          tags,
          params: AssemblyGuidParamsSchema,
          body: AssemblyCloneSchema,
          response: { 201: AssemblySchema },
        },
      },
      async (req, reply) => {
        const created = await assemblies.clone(req.params.guid, req.body, actorOf(req));
        req.auditHint.target = `${req.params.guid}->${created.domain}:${created.assembly_guid}`;
        return reply.status(201).send(created);
      },
    );
  };
