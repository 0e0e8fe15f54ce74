// The CLI's saved connection: server URL, how to trust its TLS certificate, and the credential
// (session cookie + CSRF token, or an API key). Stored as JSON, mode 0600, at
// $BOREALIS_CLI_CONFIG, else $XDG_CONFIG_HOME/borealis/cli.json, else ~/.config/borealis/cli.json.
// Environment overrides: BOREALIS_URL, BOREALIS_API_KEY, BOREALIS_CA_FILE, BOREALIS_CA_FINGERPRINT.
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { CliError, UsageError } from './errors.js';

export const SessionAuthSchema = z.object({
  type: z.literal('session'),
  cookie: z.string().min(1),
  csrf_token: z.string().min(1),
});
export const ApiKeyAuthSchema = z.object({ type: z.literal('api_key'), key: z.string().min(1) });
export const StoredAuthSchema = z.discriminatedUnion('type', [SessionAuthSchema, ApiKeyAuthSchema]);
export type StoredAuth = z.infer<typeof StoredAuthSchema>;

export const CliConfigSchema = z.object({
  server_url: z.string().min(1),
  ca_file: z.string().min(1).optional(),
  ca_fingerprint: z.string().min(1).optional(),
  auth: StoredAuthSchema.optional(),
});
export type CliConfig = z.infer<typeof CliConfigSchema>;

type Env = Record<string, string | undefined>;

/** Where the config lives for this environment. */
export function configPath(env: Env = process.env): string {
  if (env.BOREALIS_CLI_CONFIG) return path.resolve(env.BOREALIS_CLI_CONFIG);
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'borealis', 'cli.json');
}

/** Reads the saved config; null when there is none yet. A corrupt file is an error, not a reset. */
export async function loadConfig(file: string): Promise<CliConfig | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError('config_unreadable', `Cannot read ${file}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError('config_invalid', `${file} is not valid JSON; fix or delete it.`);
  }
  const parsed = CliConfigSchema.safeParse(data);
  if (!parsed.success) {
    throw new CliError('config_invalid', `${file} has an unexpected shape; fix or delete it.`);
  }
  return parsed.data;
}

/**
 * Writes the config atomically (temp file + rename) with mode 0600 in a 0700 directory, so the
 * session cookie or API key is never readable by other local users, even for a moment.
 */
export async function saveConfig(file: string, config: CliConfig): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, JSON.stringify(CliConfigSchema.parse(config), null, 2) + '\n', {
      mode: 0o600,
      flag: 'w',
    });
    await chmod(tmp, 0o600);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new CliError('config_unwritable', `Cannot write ${file}: ${(err as Error).message}`);
  }
}

/** SHA-256 fingerprint as 64 lower-case hex digits; accepts `AB:CD:…` or plain hex. */
export function normalizeFingerprint(input: string): string {
  const hex = input.replace(/[\s:]/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) {
    throw new UsageError(
      '--ca-fingerprint must be a SHA-256 fingerprint (64 hex digits, colons allowed).',
    );
  }
  return hex;
}

/** Server URL as `https://host[:port]` with no path; anything but https is refused. */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`${input} is not a URL (expected https://host:port).`);
  }
  if (url.protocol !== 'https:') throw new UsageError('The server URL must start with https://.');
  return url.origin;
}

/** Trust flags given on the command line (global options). */
export interface TrustFlags {
  caFile?: string;
  caFingerprint?: string;
}

/** What one invocation connects with after flags, environment and the saved config are merged. */
export interface Connection {
  serverUrl: string;
  caFile?: string;
  caFingerprint?: string;
  auth?: StoredAuth;
}

/** Trust from flags, else environment; undefined fields mean "not given here". */
export function trustFromFlags(flags: TrustFlags, env: Env = process.env): TrustFlags {
  const caFile = flags.caFile ?? env.BOREALIS_CA_FILE;
  const fp = flags.caFingerprint ?? env.BOREALIS_CA_FINGERPRINT;
  if (flags.caFile && flags.caFingerprint) {
    throw new UsageError('Give either --ca-file or --ca-fingerprint, not both.');
  }
  if (flags.caFile) return { caFile: path.resolve(flags.caFile) };
  if (flags.caFingerprint) return { caFingerprint: normalizeFingerprint(flags.caFingerprint) };
  return {
    ...(caFile ? { caFile: path.resolve(caFile) } : {}),
    ...(fp ? { caFingerprint: normalizeFingerprint(fp) } : {}),
  };
}

/**
 * Merges the saved config with the environment and flags. Throws `not_logged_in` when no server
 * is known at all.
 */
export function resolveConnection(
  saved: CliConfig | null,
  flags: TrustFlags,
  env: Env = process.env,
): Connection {
  const server = env.BOREALIS_URL || saved?.server_url;
  if (!server) {
    throw new CliError(
      'not_logged_in',
      'No server configured: run `borealis login --server https://…` or set BOREALIS_URL.',
    );
  }
  const trust = trustFromFlags(flags, env);
  const haveFlagTrust = trust.caFile !== undefined || trust.caFingerprint !== undefined;
  const auth: StoredAuth | undefined = env.BOREALIS_API_KEY
    ? { type: 'api_key', key: env.BOREALIS_API_KEY }
    : saved?.auth;
  return {
    serverUrl: normalizeServerUrl(server),
    ...(haveFlagTrust
      ? trust
      : {
          ...(saved?.ca_file ? { caFile: saved.ca_file } : {}),
          ...(saved?.ca_fingerprint ? { caFingerprint: saved.ca_fingerprint } : {}),
        }),
    ...(auth ? { auth } : {}),
  };
}
