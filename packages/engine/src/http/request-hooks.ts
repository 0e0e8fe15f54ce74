// Per-request bookkeeping: one api.log line per /api request, and one audit row per mutating
// operator request (agent traffic under /api/agent is not operator activity).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EngineContext } from '../context.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0] ?? req.url;
}

function defaultTarget(req: FastifyRequest): string | null {
  const params = req.params as Record<string, unknown> | undefined;
  if (!params) return null;
  const first = Object.values(params).find((v) => typeof v === 'string');
  return typeof first === 'string' ? first : null;
}

export function installRequestHooks(app: FastifyInstance, ctx: EngineContext): void {
  // The audit row is written before the reply leaves, so a client that saw its change succeed can
  // always find it in the audit log.
  app.addHook('onSend', async (req, reply, payload) => {
    const p = pathOf(req);
    const audit = req.routeOptions.config?.audit;
    if (!MUTATING.has(req.method) || !p.startsWith('/api/') || audit === false) return payload;
    if (p.startsWith('/api/agent/')) return payload;
    const route = req.routeOptions.url ?? p;
    try {
      await ctx.services.audit.record({
        username: req.principal?.username ?? req.auditHint?.actor ?? null,
        auth: req.principal?.via ?? null,
        action: audit ?? `${req.method} ${route}`,
        method: req.method,
        path: p,
        target: req.auditHint?.target ?? defaultTarget(req),
        sourceIp: req.ip,
        statusCode: reply.statusCode,
      });
    } catch (err) {
      ctx.logs.engine.error(`audit write failed for ${req.method} ${p}: ${String(err)}`);
    }
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const p = pathOf(req);
    if (!p.startsWith('/api/')) return;
    ctx.logs.api({
      client: req.ip,
      method: req.method,
      path: p,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
  });
}
