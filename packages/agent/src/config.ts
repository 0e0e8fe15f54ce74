// Agent configuration: the install-root layout (architecture §3), agent_settings.json (load,
// validate, update atomically) and the merge of command-line options, environment and stored
// settings into one RuntimeConfig. Only main/program call resolveRuntimeConfig.
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ensureDir, readJson, readText, writeFileAtomic } from './files.js';

/** The package root (…/packages/agent or …/node_modules/@borealis/agent): the default install root. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AgentPaths {
  root: string;
  borealisDir: string;
  settingsDir: string;
  logsDir: string;
  runDir: string;
  socketFile: string;
  settingsFile: string;
  serverUrlFile: string;
  guidFile: string;
  keyFile: string;
  accessFile: string;
  accessMetaFile: string;
  refreshFile: string;
  caFile: string;
  signingKeyFile: string;
  /** Durable job outbox: one `<job_id>.json` per job until the engine acks its result. */
  spoolDir: string;
  /** Per-job script files (0700), removed after each run. */
  tempDir: string;
  /** World-readable copy of the script-signing public key for the per-user helpers. */
  sharedSigningKeyFile: string;
}

export function agentPaths(root: string): AgentPaths {
  const abs = path.resolve(root);
  const borealisDir = path.join(abs, 'Agent', 'Borealis');
  const settingsDir = path.join(borealisDir, 'Settings');
  const runDir = path.join(borealisDir, 'run');
  const s = (name: string) => path.join(settingsDir, name);
  return {
    root: abs,
    borealisDir,
    settingsDir,
    logsDir: path.join(abs, 'Agent', 'Logs'),
    runDir,
    socketFile: path.join(runDir, 'agent.sock'),
    settingsFile: s('agent_settings.json'),
    serverUrlFile: s('server_url.txt'),
    guidFile: s('guid.txt'),
    keyFile: s('agent_key.ed25519'),
    accessFile: s('access.jwt'),
    accessMetaFile: s('access.meta.json'),
    refreshFile: s('refresh.token'),
    caFile: s('server_certificate.pem'),
    signingKeyFile: s('server_signing_key.pub'),
    spoolDir: path.join(borealisDir, 'Spool'),
    tempDir: path.join(borealisDir, 'Temp'),
    sharedSigningKeyFile: path.join(runDir, 'server_signing_key.pub'),
  };
}

/** Creates the layout: Settings is private to root (keys, tokens); Borealis stays traversable. */
export function ensureLayout(paths: AgentPaths): void {
  ensureDir(paths.borealisDir, 0o755);
  ensureDir(paths.settingsDir, 0o700);
  ensureDir(paths.logsDir, 0o750);
}

export const TRUST_MODES = ['file', 'fingerprint', 'tofu'] as const;
export type TrustMode = (typeof TRUST_MODES)[number];
export const FINGERPRINT_RE = /^[0-9a-f]{64}$/;

export const AgentSettingsSchema = z.looseObject({
  config_file_watcher_interval: z.number().positive().default(2),
  agent_id: z.string().default(''),
  regions: z.record(z.string(), z.unknown()).default({}),
  /** Cleared after a successful enrollment. */
  installer_code: z.string().optional(),
  trust: z
    .object({ mode: z.enum(TRUST_MODES), fingerprint: z.string().regex(FINGERPRINT_RE).optional() })
    .optional(),
  audit_interval_minutes: z.number().min(5).default(5),
});
export type AgentSettings = z.infer<typeof AgentSettingsSchema>;

export class SettingsStore {
  constructor(private readonly paths: AgentPaths) {}

  /** The stored settings with defaults filled in; a missing or corrupt file gives the defaults. */
  load(): AgentSettings {
    const parsed = AgentSettingsSchema.safeParse(readJson(this.paths.settingsFile) ?? {});
    return parsed.success ? parsed.data : AgentSettingsSchema.parse({});
  }

  /** Applies `patch` (a key set to undefined is removed) and writes the file atomically (0600). */
  update(patch: Partial<AgentSettings>): AgentSettings {
    const next: Record<string, unknown> = { ...this.load() };
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    const settings = AgentSettingsSchema.parse(next);
    writeFileAtomic(this.paths.settingsFile, `${JSON.stringify(settings, null, 2)}\n`, {
      mode: 0o600,
    });
    return settings;
  }

  /** A stable agent_id, `<hostname>_<random UUID>_SYSTEM`, created once. */
  agentId(hostname: string): string {
    const current = this.load().agent_id;
    if (current) return current;
    const id = `${hostname}_${crypto.randomUUID()}_SYSTEM`;
    this.update({ agent_id: id });
    return id;
  }
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** https URL with no query or fragment; a bare host gets https://. Plain http is refused. */
export function normalizeServerUrl(raw: string): string {
  const text = raw.trim().replace(/^\uFEFF/, '');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(`server URL "${text}" is not a valid URL`);
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(
      `server URL must use https:// (the agent only talks TLS), got ${url.protocol}`,
    );
  }
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

/** Lowercase 64-hex SHA-256 from `AB:CD:…`, `abcd…` or `sha256:…`. */
export function normalizeFingerprint(raw: string): string {
  const hex = raw
    .trim()
    .toLowerCase()
    .replace(/^sha-?256:/, '')
    .replace(/[:\s]/g, '');
  if (!FINGERPRINT_RE.test(hex)) {
    throw new ConfigError(
      '--ca-fingerprint must be the SHA-256 of the CA certificate (64 hex digits)',
    );
  }
  return hex;
}

export interface CommonOptions {
  serverUrl?: string;
  installerCode?: string;
  caFile?: string;
  caFingerprint?: string;
  trustOnFirstUse?: boolean;
  root?: string;
  debug?: boolean;
}

export interface RuntimeConfig {
  paths: AgentPaths;
  serverUrl: string;
  hostname: string;
  /** From the command line or environment (kept in memory for re-enrollment). */
  installerCode?: string;
  caFile?: string;
  trust?: { mode: TrustMode; fingerprint?: string };
  debug: boolean;
}

/**
 * Merges options, environment and stored settings, and persists what the options set (server
 * URL, installer code, trust mode) so a service restart needs only `--root`.
 */
export function resolveRuntimeConfig(opts: CommonOptions, env: NodeJS.ProcessEnv): RuntimeConfig {
  const modes = [opts.caFile, opts.caFingerprint, opts.trustOnFirstUse].filter(Boolean).length;
  if (modes > 1) {
    throw new ConfigError('pass only one of --ca-file, --ca-fingerprint, --trust-on-first-use');
  }
  const paths = agentPaths(opts.root ?? env.BOREALIS_ROOT ?? PACKAGE_ROOT);
  const store = new SettingsStore(paths);
  const rawUrl = opts.serverUrl ?? env.BOREALIS_SERVER_URL ?? readText(paths.serverUrlFile);
  if (!rawUrl) {
    throw new ConfigError('no server URL: pass --server-url (or set BOREALIS_SERVER_URL)');
  }
  const serverUrl = normalizeServerUrl(rawUrl);
  ensureLayout(paths);
  if (readText(paths.serverUrlFile) !== serverUrl) {
    writeFileAtomic(paths.serverUrlFile, `${serverUrl}\n`, { mode: 0o644 });
  }
  const code = (opts.installerCode ?? env.BOREALIS_INSTALLER_CODE)?.trim() || undefined;
  let trust: RuntimeConfig['trust'];
  if (opts.caFile) trust = { mode: 'file' };
  else if (opts.caFingerprint)
    trust = { mode: 'fingerprint', fingerprint: normalizeFingerprint(opts.caFingerprint) };
  else if (opts.trustOnFirstUse) trust = { mode: 'tofu' };
  const patch: Partial<AgentSettings> = {};
  if (code) patch.installer_code = code;
  if (trust) patch.trust = trust;
  const settings = Object.keys(patch).length ? store.update(patch) : store.load();
  return {
    paths,
    serverUrl,
    hostname: os.hostname(),
    ...(code ? { installerCode: code } : {}),
    ...(opts.caFile ? { caFile: path.resolve(opts.caFile) } : {}),
    ...(settings.trust ? { trust: settings.trust } : {}),
    debug: Boolean(opts.debug || env.BOREALIS_DEBUG === '1' || env.BOREALIS_DEBUG === 'true'),
  };
}
