// Sites area wiring: the site and installer-code services share one site repository.
import { InstallerCodeRepository } from '../db/repositories/installer-code.repository.js';
import { SiteRepository } from '../db/repositories/site.repository.js';
import type { ServiceDeps } from './index.js';
import { InstallerCodeService } from './installer-code.service.js';
import { SiteService } from './site.service.js';

export function buildSiteServices(d: ServiceDeps) {
  const siteRepo = new SiteRepository(d.db);
  return {
    sites: new SiteService(siteRepo, d.clock),
    installerCodes: new InstallerCodeService(new InstallerCodeRepository(d.db), siteRepo, d.clock),
  };
}
