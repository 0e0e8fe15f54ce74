// Operator sign-in: POST /api/auth/login, POST /api/auth/mfa/verify, POST /api/auth/logout,
// GET /api/auth/me, GET /api/auth/setup (is first-admin setup pending?) and POST /api/auth/setup
// (create the first Admin with the one-time token). Sessions ride the borealis_session cookie.
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  LoginRequestSchema,
  LoginResponseSchema,
  MeSchema,
  MfaVerifyRequestSchema,
  SessionInfoSchema,
  SetupRequestSchema,
  SetupStatusSchema,
  StatusOkSchema,
  UserSchema,
} from '@borealis/protocol';
import type { EngineContext } from '../context.js';
import type { NewSession } from '../services/auth.service.js';
import { SESSION_COOKIE } from './auth-guard.js';

function setSessionCookie(reply: FastifyReply, s: NewSession): void {
  void reply.setCookie(SESSION_COOKIE, s.token, {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    maxAge: s.maxAgeSeconds,
  });
}

export const authRoutes =
  (ctx: EngineContext): FastifyPluginAsyncZod =>
  async (app) => {
    const auth = ctx.services.auth;

    app.post(
      '/api/auth/login',
      {
        config: { auth: 'none', audit: 'auth.login' },
        schema: {
          tags: ['auth'],
          body: LoginRequestSchema,
          response: { 200: LoginResponseSchema },
        },
      },
      async (req, reply) => {
        req.auditHint.actor = req.body.username;
        const out = await auth.login({ ...req.body, ip: req.ip });
        if (out.kind === 'mfa') return out.mfa;
        setSessionCookie(reply, out.session);
        return out.session.info;
      },
    );

    app.post(
      '/api/auth/mfa/verify',
      {
        config: { auth: 'none', audit: 'auth.mfa_verify' },
        schema: {
          tags: ['auth'],
          body: MfaVerifyRequestSchema,
          response: { 200: SessionInfoSchema },
        },
      },
      async (req, reply) => {
        req.auditHint.actor = (await auth.challengeUsername(req.body.pending_token)) ?? undefined;
        const session = await auth.verifyMfa({
          pendingToken: req.body.pending_token,
          code: req.body.code,
          ip: req.ip,
        });
        setSessionCookie(reply, session);
        return session.info;
      },
    );

    app.post(
      '/api/auth/logout',
      {
        config: { auth: 'viewer', audit: 'auth.logout' },
        schema: { tags: ['auth'], response: { 200: StatusOkSchema } },
      },
      async (req, reply) => {
        if (req.principal) await auth.logout(req.principal);
        void reply.clearCookie(SESSION_COOKIE, {
          httpOnly: true,
          secure: true,
          sameSite: 'strict',
          path: '/',
        });
        return { status: 'ok' as const };
      },
    );

    app.get(
      '/api/auth/me',
      { config: { auth: 'viewer' }, schema: { tags: ['auth'], response: { 200: MeSchema } } },
      async (req) => {
        const p = req.principal!;
        return {
          username: p.username,
          display_name: p.displayName,
          role: p.role,
          auth: p.via,
          ...(p.via === 'session' && p.csrfToken ? { csrf_token: p.csrfToken } : {}),
        };
      },
    );

    app.get(
      '/api/auth/setup',
      {
        config: { auth: 'none' },
        schema: { tags: ['auth'], response: { 200: SetupStatusSchema } },
      },
      async () => ({ setup_required: await auth.setupRequired() }),
    );

    app.post(
      '/api/auth/setup',
      {
        config: { auth: 'none', audit: 'auth.setup' },
        schema: { tags: ['auth'], body: SetupRequestSchema, response: { 201: UserSchema } },
      },
      async (req, reply) => {
        req.auditHint.actor = req.body.username;
        req.auditHint.target = req.body.username;
        const user = await auth.completeSetup({
          token: req.body.token,
          username: req.body.username,
          displayName: req.body.display_name,
          password: req.body.password,
        });
        return reply.status(201).send(user);
      },
    );
  };
