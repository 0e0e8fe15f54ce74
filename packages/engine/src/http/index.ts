// Registers every route module. Each module opens with a header naming its endpoints.
import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../context.js';
import { apiKeyRoutes } from './api-keys.routes.js';
import { auditRoutes } from './audit.routes.js';
import { authRoutes } from './auth.routes.js';
import { healthRoutes } from './health.routes.js';
import { installerCodeRoutes } from './installer-codes.routes.js';
import { logRoutes } from './logs.routes.js';
import { serverRoutes } from './server.routes.js';
import { siteRoutes } from './sites.routes.js';
import { userRoutes } from './users.routes.js';

export async function registerRoutes(app: FastifyInstance, ctx: EngineContext): Promise<void> {
  for (const plugin of [
    healthRoutes,
    serverRoutes,
    auditRoutes,
    authRoutes,
    userRoutes,
    apiKeyRoutes,
    siteRoutes,
    installerCodeRoutes,
    logRoutes,
  ]) {
    await app.register(plugin(ctx));
  }
}
