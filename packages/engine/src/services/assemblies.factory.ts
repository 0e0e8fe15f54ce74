// Assemblies area wiring: Dev Mode, the assembly service (with the shipped official documents in
// packages/engine/assemblies/official) and the credentials store, logging to assemblies.log.
import { fileURLToPath } from 'node:url';
import { AssemblyRepository } from '../db/repositories/assembly.repository.js';
import { CredentialRepository } from '../db/repositories/credential.repository.js';
import { AssemblyService } from './assembly.service.js';
import { CredentialService } from './credential.service.js';
import { DevModeService } from './dev-mode.service.js';
import type { ServiceDeps } from './index.js';

/** src/services and dist/services both sit two levels below the package root. */
export const OFFICIAL_ASSEMBLIES_DIR = fileURLToPath(
  new URL('../../assemblies/official', import.meta.url),
);

export function buildAssemblyServices(d: ServiceDeps) {
  const log = d.logs.service('assemblies');
  const devMode = new DevModeService(d.clock, d.config.devModeTtlSeconds, log);
  return {
    devMode,
    assemblies: new AssemblyService({
      repo: new AssemblyRepository(d.db),
      devMode,
      clock: d.clock,
      log,
      officialDir: OFFICIAL_ASSEMBLIES_DIR,
    }),
    credentials: new CredentialService({
      repo: new CredentialRepository(d.db),
      secrets: d.secrets,
      clock: d.clock,
      log,
    }),
  };
}
