// Operator accounts (admin): GET /api/users, POST /api/users, DELETE /api/users/:username,
// POST /api/users/:username/reset_password, POST /api/users/:username/role,
// POST /api/users/:username/mfa.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ResetPasswordSchema,
  SetMfaSchema,
  SetRoleSchema,
  StatusOkSchema,
  UserCreateSchema,
  UserListSchema,
  UsernameParamsSchema,
  UserSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';

export const userRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const users = ctx.services.users;
    const tags = ['users'];

    app.get(
      '/api/users',
      { config: { auth: 'admin' }, schema: { tags, response: { 200: UserListSchema } } },
      async () => ({ users: await users.list() }),
    );

    app.post(
      '/api/users',
      {
        config: { auth: 'admin', audit: 'users.create' },
        schema: { tags, body: UserCreateSchema, response: { 201: UserSchema } },
      },
      async (req, reply) => {
        req.auditHint.target = req.body.username;
        const user = await users.create({
          username: req.body.username,
          displayName: req.body.display_name,
          password: req.body.password,
          role: req.body.role,
        });
        return reply.status(201).send(user);
      },
    );

    app.delete(
      '/api/users/:username',
      {
        config: { auth: 'admin', audit: 'users.delete' },
        schema: { tags, params: UsernameParamsSchema, response: { 200: StatusOkSchema } },
      },
      async (req) => {
        await users.remove(req.principal!.username, req.params.username);
        return { status: 'ok' as const };
      },
    );

    app.post(
      '/api/users/:username/reset_password',
      {
        config: { auth: 'admin', audit: 'users.reset_password' },
        schema: {
          tags,
          params: UsernameParamsSchema,
          body: ResetPasswordSchema,
          response: { 200: StatusOkSchema },
        },
      },
      async (req) => {
        await users.resetPassword(req.params.username, req.body.password);
        return { status: 'ok' as const };
      },
    );

    app.post(
      '/api/users/:username/role',
      {
        config: { auth: 'admin', audit: 'users.set_role' },
        schema: {
          tags,
          params: UsernameParamsSchema,
          body: SetRoleSchema,
          response: { 200: UserSchema },
        },
      },
      async (req) => users.setRole(req.params.username, req.body.role),
    );

    app.post(
      '/api/users/:username/mfa',
      {
        config: { auth: 'admin', audit: 'users.set_mfa' },
        schema: {
          tags,
          params: UsernameParamsSchema,
          body: SetMfaSchema,
          response: { 200: UserSchema },
        },
      },
      async (req) =>
        users.setMfa(req.params.username, req.body.enabled, req.body.reset_secret ?? false),
    );
  };
