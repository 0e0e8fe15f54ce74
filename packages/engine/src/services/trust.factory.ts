// Engine ↔ agent trust wiring: engine keys, enrollment, approvals, device tokens, device auth
// (the `device` route guard and the /agents handshake) and revoke/quarantine, all over one
// TrustStore. Needs the site services (codes) built before it.
import path from 'node:path';
import { TrustStore } from '../db/repositories/device-trust.repository.js';
import { CA_CERT_FILE } from '../security/tls.js';
import { EngineKeys } from '../security/engine-keys.js';
import { ApprovalService } from './approval.service.js';
import { DeviceAuthService, DpopReplayGuard } from './device-auth.service.js';
import { DeviceTokenService } from './device-token.service.js';
import { DeviceTrustService } from './device-trust.service.js';
import { EnrollmentService } from './enrollment.service.js';
import type { ServiceDeps } from './index.js';
import { buildSiteServices } from './sites.factory.js';

/** The PEM agents pin: the operator's bundle when TLS is operator-supplied, else the engine CA. */
function caFileOf(d: ServiceDeps): string | null {
  if (d.config.tls.cert) return d.config.tls.bundle ?? null;
  return path.join(d.config.engineDir, 'Certificates', CA_CERT_FILE);
}

export function buildTrustServices(
  d: ServiceDeps,
  siteServices: Pick<
    ReturnType<typeof buildSiteServices>,
    'sites' | 'installerCodes'
  > = buildSiteServices(d),
) {
  const store = new TrustStore(d.db);
  const keys = new EngineKeys({ engineDir: d.config.engineDir, caFile: caFileOf(d) });
  const authLog = d.logs.service('device_auth');
  const enrollLog = d.logs.service('enrollment');
  const dpop = new DpopReplayGuard(store.repos.jtis, d.clock);
  const publicUrl = d.config.publicUrl;

  const deviceTokens = new DeviceTokenService({
    store,
    dpop,
    keys,
    clock: d.clock,
    log: authLog,
    publicUrl,
  });
  const deviceAuth = new DeviceAuthService({
    devices: store.repos.devices,
    dpop,
    keys,
    clock: d.clock,
    log: authLog,
    publicUrl,
  });
  const approvals = new ApprovalService(store, d.events, d.clock, enrollLog);
  const enrollment = new EnrollmentService({
    store,
    sites: siteServices.sites,
    installerCodes: siteServices.installerCodes,
    approvals,
    tokens: deviceTokens,
    keys,
    events: d.events,
    clock: d.clock,
    log: enrollLog,
  });
  const deviceTrust = new DeviceTrustService(store, d.events, d.clock, authLog);
  return { engineKeys: keys, enrollment, approvals, deviceAuth, deviceTokens, deviceTrust };
}
