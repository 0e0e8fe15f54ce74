// A scripted agent for trust tests: an Ed25519 identity, enrollment request/poll with real
// proofs, DPoP proofs at the fake clock's time, token refresh, and calls to `device` routes
// through a probe app (the real guard + error handler with one test-only device route).
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import {
  accessTokenHash,
  createDpopProof,
  ed25519Jwk,
  enrollmentProofMessage,
  jwkThumbprint,
  signEd25519,
  spkiFingerprint,
  spkiOf,
} from '@borealis/protocol/crypto';
import type { EngineContext } from '../../src/context.js';
import { installAuthGuard } from '../../src/http/auth-guard.js';
import { installErrorHandlers } from '../../src/http/errors.js';
import type { TestApp } from './test-app.js';

/** Host header every trust test sends; DPoP htu values are built on it. */
export const ENGINE_HOST = 'engine.test:5000';
export const ORIGIN = `https://${ENGINE_HOST}`;
export const PROBE_PATH = '/api/agent/probe';

export const htu = (path: string) => `${ORIGIN}${path}`;

export interface Tokens {
  guid: string;
  access: string;
  refresh: string;
}

export class TestAgent {
  readonly key = crypto.generateKeyPairSync('ed25519').privateKey;
  readonly spki = spkiOf(this.key);
  readonly fingerprint = spkiFingerprint(this.spki);
  readonly jkt = jwkThumbprint(ed25519Jwk(this.key));
  clientNonce = crypto.randomBytes(32);
  reference = '';
  serverNonce = Buffer.alloc(0);
  tokens: Tokens | null = null;

  constructor(
    readonly t: TestApp,
    readonly hostname = `host-${crypto.randomBytes(3).toString('hex')}`,
    readonly ip = `10.${rnd()}.${rnd()}.${rnd()}`,
  ) {}

  requestBody(code: string, over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      hostname: this.hostname,
      enrollment_code: code,
      agent_pubkey: this.spki.toString('base64'),
      client_nonce: this.clientNonce.toString('base64'),
      ...over,
    };
  }

  /** POST enroll/request; remembers the reference and server nonce of a 200. */
  async request(code: string, over: Record<string, unknown> = {}) {
    const res = await this.t.app.inject({
      method: 'POST',
      url: '/api/agent/enroll/request',
      headers: { host: ENGINE_HOST },
      remoteAddress: this.ip,
      payload: this.requestBody(code, over),
    });
    if (res.statusCode === 200) {
      const body = res.json<{ approval_reference: string; server_nonce: string }>();
      this.reference = body.approval_reference;
      this.serverNonce = Buffer.from(body.server_nonce, 'base64');
    }
    return res;
  }

  proofSig(): string {
    const msg = enrollmentProofMessage(this.serverNonce, this.reference, this.clientNonce);
    return signEd25519(this.key, msg).toString('base64');
  }

  pollBody(over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      approval_reference: this.reference,
      client_nonce: this.clientNonce.toString('base64'),
      proof_sig: this.proofSig(),
      ...over,
    };
  }

  /** POST enroll/poll; remembers the tokens of an approved answer. */
  async poll(over: Record<string, unknown> = {}) {
    const res = await this.t.app.inject({
      method: 'POST',
      url: '/api/agent/enroll/poll',
      headers: { host: ENGINE_HOST },
      remoteAddress: this.ip,
      payload: this.pollBody(over),
    });
    const body = res.json<Record<string, unknown>>();
    if (res.statusCode === 200 && body.status === 'approved') {
      this.tokens = {
        guid: body.guid as string,
        access: body.access_token as string,
        refresh: body.refresh_token as string,
      };
    }
    return res;
  }

  /** A DPoP proof by this agent's key at the fake clock's time (or `iat`). */
  dpop(
    method: string,
    url: string,
    opts: { accessToken?: string; iat?: number; jti?: string } = {},
  ) {
    return createDpopProof(this.key, {
      htm: method,
      htu: url,
      iat: opts.iat ?? Math.floor(this.t.clock.now() / 1000),
      jti: opts.jti ?? crypto.randomUUID(),
      ...(opts.accessToken !== undefined ? { ath: accessTokenHash(opts.accessToken) } : {}),
    });
  }

  /** POST token/refresh with a proper proof unless `headers` overrides it. */
  async refresh(opts: { token?: string; guid?: string; headers?: Record<string, string> } = {}) {
    const tokens = this.tokens!;
    const res = await this.t.app.inject({
      method: 'POST',
      url: '/api/agent/token/refresh',
      headers: {
        host: ENGINE_HOST,
        dpop: this.dpop('POST', htu('/api/agent/token/refresh')),
        ...opts.headers,
      },
      payload: { guid: opts.guid ?? tokens.guid, refresh_token: opts.token ?? tokens.refresh },
    });
    if (res.statusCode === 200 && opts.token === undefined) {
      const body = res.json<{ access_token: string; refresh_token: string }>();
      this.tokens = { guid: tokens.guid, access: body.access_token, refresh: body.refresh_token };
    }
    return res;
  }

  /** Headers of a device request to `path` (DPoP-bound to the current access token). */
  deviceHeaders(
    method: string,
    path: string,
    access = this.tokens!.access,
  ): Record<string, string> {
    return {
      host: ENGINE_HOST,
      authorization: `DPoP ${access}`,
      dpop: this.dpop(method, htu(path), { accessToken: access }),
    };
  }
}

function rnd(): number {
  return crypto.randomInt(1, 255);
}

/**
 * The real auth guard and error handler on a small app sharing `ctx`, with one test-only route
 * `POST /api/agent/probe` (auth 'device') that echoes req.device.
 */
export async function makeDeviceProbe(ctx: EngineContext): Promise<FastifyInstance> {
  const app = Fastify({ logger: false }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app, () => undefined);
  installAuthGuard(app, ctx.services.auth, ctx.services.deviceAuth);
  app.post(PROBE_PATH, { config: { auth: 'device' } }, async (req) => ({ device: req.device }));
  await app.ready();
  return app;
}

/** Creates a site over the API (admin headers) and returns its id and enrollment code. */
export async function createSite(
  t: TestApp,
  admin: Record<string, string>,
  opts: { autoApprove?: boolean; name?: string } = {},
): Promise<{ id: string; code: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: admin,
    payload: { name: opts.name ?? `site-${crypto.randomBytes(3).toString('hex')}` },
  });
  const site = res.json<{ id: string; enrollment_code: string }>();
  if (opts.autoApprove) {
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/sites/${site.id}/auto_approve`,
      headers: admin,
      payload: { enabled: true },
    });
    if (r.statusCode !== 200) throw new Error(`auto_approve failed: ${r.body}`);
  }
  return { id: site.id, code: site.enrollment_code };
}

/** Approves the agent's pending approval over the API; returns the response. */
export async function approve(
  t: TestApp,
  admin: Record<string, string>,
  agent: TestAgent,
  body: Record<string, unknown> = {},
) {
  const row = await t.ctx.db
    .selectFrom('device_approvals')
    .select('id')
    .where('approval_reference', '=', agent.reference)
    .executeTakeFirstOrThrow();
  return t.app.inject({
    method: 'POST',
    url: `/api/admin/device-approvals/${row.id}/approve`,
    headers: admin,
    payload: body,
  });
}

/** request → approve → poll: a fully enrolled agent with tokens. */
export async function enroll(
  t: TestApp,
  admin: Record<string, string>,
  code: string,
  agent = new TestAgent(t),
): Promise<TestAgent> {
  const req = await agent.request(code);
  if (req.statusCode !== 200) throw new Error(`enroll request failed: ${req.body}`);
  const ok = await approve(t, admin, agent);
  if (ok.statusCode !== 200) throw new Error(`approve failed: ${ok.body}`);
  const polled = await agent.poll();
  if (!agent.tokens) throw new Error(`poll did not finalise: ${polled.body}`);
  return agent;
}
