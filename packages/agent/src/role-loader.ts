// Discovers roles at start-up by reading the roles directory (`*.role.js`; `*.role.ts` when run
// from source), imports each, checks its exports and keeps those declared for this context. The
// RoleHost then drives their hooks and gathers their health; one broken role never stops the rest.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RoleHealth } from '@borealis/protocol';
import type { AgentSettings } from './config.js';
import { errText, type Logger } from './logging/agent-log.js';
import type { Role, RoleContext, RoleContextName, RoleModule } from './role-types.js';

export const ROLES_DIR = fileURLToPath(new URL('./roles/', import.meta.url));
const ROLE_FILE = /^([a-z0-9][a-z0-9_-]*)\.role\.(js|ts)$/;

export function isRoleModule(m: unknown): m is RoleModule {
  const r = m as Partial<RoleModule> | null;
  return (
    !!r &&
    typeof r.ROLE_NAME === 'string' &&
    r.ROLE_NAME.length > 0 &&
    Array.isArray(r.ROLE_CONTEXTS) &&
    r.ROLE_CONTEXTS.every((c) => c === 'system' || c === 'interactive') &&
    typeof r.createRole === 'function'
  );
}

/** Role modules in `dir` declared for `context`, sorted by file name. */
export async function discoverRoles(
  dir: string,
  context: RoleContextName,
  log: Logger,
): Promise<RoleModule[]> {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    log.error(`cannot read roles directory ${dir}: ${errText(err)}`);
    return [];
  }
  const byBase = new Map<string, string>();
  for (const name of names) {
    const m = ROLE_FILE.exec(name);
    if (!m || name.endsWith('.d.ts')) continue;
    // Prefer the compiled .js when a .ts of the same role sits beside it.
    if (!byBase.has(m[1]!) || m[2] === 'js') byBase.set(m[1]!, name);
  }
  const modules: RoleModule[] = [];
  for (const file of byBase.values()) {
    try {
      const mod: unknown = await import(pathToFileURL(path.join(dir, file)).href);
      if (!isRoleModule(mod)) {
        log.error(
          `role file ${file} does not export ROLE_NAME, ROLE_CONTEXTS and createRole; skipped`,
        );
        continue;
      }
      if (mod.ROLE_CONTEXTS.includes(context)) modules.push(mod);
    } catch (err) {
      log.error(`role file ${file} failed to load: ${errText(err)}`);
    }
  }
  return modules;
}

interface Loaded {
  name: string;
  role: Role | null;
  error?: string;
}

export class RoleHost {
  private readonly loaded: Loaded[] = [];

  constructor(private readonly log: Logger) {}

  /** Creates each role with its own context and calls registerEvents. */
  start(modules: RoleModule[], contextFor: (roleName: string) => RoleContext): void {
    for (const mod of modules) {
      try {
        const role = mod.createRole(contextFor(mod.ROLE_NAME));
        role.registerEvents?.();
        this.loaded.push({ name: mod.ROLE_NAME, role });
        this.log.info(`role ${mod.ROLE_NAME} started`);
      } catch (err) {
        this.loaded.push({ name: mod.ROLE_NAME, role: null, error: errText(err) });
        this.log.error(`role ${mod.ROLE_NAME} failed to start: ${errText(err)}`);
      }
    }
  }

  names(): string[] {
    return this.loaded.map((l) => l.name);
  }

  async onConfig(settings: AgentSettings): Promise<void> {
    for (const l of this.loaded) {
      try {
        await l.role?.onConfig?.(settings);
      } catch (err) {
        this.log.error(`role ${l.name} rejected the configuration: ${errText(err)}`);
      }
    }
  }

  health(): RoleHealth {
    const out: RoleHealth = {};
    for (const l of this.loaded) {
      if (!l.role) {
        out[l.name] = { status: 'failed', detail: (l.error ?? 'failed to start').slice(0, 1024) };
        continue;
      }
      try {
        out[l.name] = l.role.healthReport?.() ?? { status: 'ok' };
      } catch (err) {
        out[l.name] = { status: 'failed', detail: errText(err).slice(0, 1024) };
      }
    }
    return out;
  }

  async stopAll(): Promise<void> {
    for (const l of [...this.loaded].reverse()) {
      try {
        await l.role?.stopAll?.();
      } catch (err) {
        this.log.error(`role ${l.name} did not stop cleanly: ${errText(err)}`);
      }
    }
  }
}
