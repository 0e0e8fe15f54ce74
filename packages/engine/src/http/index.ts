// Registers every route module. Each module opens with a header naming its endpoints.
import type { FastifyInstance } from 'fastify';
import type { EngineContext } from '../context.js';
import { agentEnrollRoutes } from './agent-enroll.routes.js';
import { agentIngestRoutes } from './agent-ingest.routes.js';
import { activityRoutes } from './activity.routes.js';
import { apiKeyRoutes } from './api-keys.routes.js';
import { assemblyRoutes } from './assemblies.routes.js';
import { auditRoutes } from './audit.routes.js';
import { useDeviceAuthenticator } from './auth-guard.js';
import { authRoutes } from './auth.routes.js';
import { credentialRoutes } from './credentials.routes.js';
import { deviceApprovalRoutes } from './device-approvals.routes.js';
import { deviceFilterRoutes } from './device-filters.routes.js';
import { deviceTrustRoutes } from './device-trust.routes.js';
import { deviceRoutes } from './devices.routes.js';
import { healthRoutes } from './health.routes.js';
import { installerCodeRoutes } from './installer-codes.routes.js';
import { listViewRoutes } from './list-views.routes.js';
import { logRoutes } from './logs.routes.js';
import { quickJobRoutes } from './quick-jobs.routes.js';
import { scheduledJobRoutes } from './scheduled-jobs.routes.js';
import { serverRoutes } from './server.routes.js';
import { siteRoutes } from './sites.routes.js';
import { userRoutes } from './users.routes.js';

export async function registerRoutes(app: FastifyInstance, ctx: EngineContext): Promise<void> {
  useDeviceAuthenticator(app, ctx.services.deviceAuth);
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
    agentEnrollRoutes,
    deviceApprovalRoutes,
    deviceTrustRoutes,
    agentIngestRoutes,
    deviceRoutes,
    listViewRoutes,
    assemblyRoutes,
    credentialRoutes,
    deviceFilterRoutes,
    quickJobRoutes,
    activityRoutes,
    scheduledJobRoutes,
  ]) {
    await app.register(plugin(ctx));
  }
}
