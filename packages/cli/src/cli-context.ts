// What every command needs: the global options (--json, --ca-file, --ca-fingerprint), the
// environment, the saved config, an authenticated API client, output sinks and the prompter.
// Also the shared argument parsers (roles, bounded integers) that raise usage errors (exit 2).
import type { Command } from 'commander';
import { ROLES, type Role } from '@borealis/protocol';
import {
  configPath,
  loadConfig,
  resolveConnection,
  type CliConfig,
  type Connection,
  type TrustFlags,
} from './config-store.js';
import { CliError, UsageError } from './errors.js';
import { ApiClient } from './https-client.js';
import type { Output } from './output.js';
import { createPrompter, type Prompter } from './prompt.js';

export interface GlobalOptions extends TrustFlags {
  json?: boolean;
}

/** Process-level dependencies, injectable for tests. */
export interface CliIo {
  env: Record<string, string | undefined>;
  output: Output;
  prompter(): Prompter;
  /** Releases stdin so the process can exit. */
  close(): void;
}

export function processIo(): CliIo {
  let prompter: Prompter | undefined;
  return {
    env: process.env,
    output: {
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    },
    prompter: () => (prompter ??= createPrompter()),
    close: () => prompter?.close(),
  };
}

export class CliContext {
  private saved: CliConfig | null | undefined;

  constructor(
    readonly io: CliIo,
    readonly globals: GlobalOptions,
  ) {}

  /** Builds the context from the action's command (globals come from the root program). */
  static of(io: CliIo, cmd: Command): CliContext {
    return new CliContext(io, cmd.optsWithGlobals<GlobalOptions>());
  }

  get json(): boolean {
    return Boolean(this.globals.json);
  }

  get output(): Output {
    return this.io.output;
  }

  get configFile(): string {
    return configPath(this.io.env);
  }

  async savedConfig(): Promise<CliConfig | null> {
    if (this.saved === undefined) this.saved = await loadConfig(this.configFile);
    return this.saved;
  }

  async connection(): Promise<Connection> {
    return resolveConnection(await this.savedConfig(), this.globals, this.io.env);
  }

  /** A client carrying the saved (or BOREALIS_API_KEY) credential; fails when there is none. */
  async client(): Promise<ApiClient> {
    const conn = await this.connection();
    if (!conn.auth) {
      throw new CliError(
        'not_logged_in',
        'Not logged in: run `borealis login --server https://…` or set BOREALIS_API_KEY.',
      );
    }
    return new ApiClient({
      serverUrl: conn.serverUrl,
      trust: {
        ...(conn.caFile ? { caFile: conn.caFile } : {}),
        ...(conn.caFingerprint ? { caFingerprint: conn.caFingerprint } : {}),
      },
      auth: conn.auth,
    });
  }
}

/** Role names are matched case-insensitively (`admin` → `Admin`). */
export function parseRole(input: string): Role {
  const role = ROLES.find((r) => r.toLowerCase() === input.trim().toLowerCase());
  if (!role) throw new UsageError(`Unknown role "${input}"; expected one of ${ROLES.join(', ')}.`);
  return role;
}

/** An integer option within [min, max]. */
export function parseBoundedInt(name: string, input: string, min: number, max: number): number {
  const n = /^\d+$/.test(input.trim()) ? Number(input.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}.`);
  }
  return n;
}

/** Fails with a usage error unless exactly one of the flags is set. */
export function exactlyOne(flags: Record<string, boolean | undefined>): string {
  const set = Object.entries(flags).filter(([, v]) => v);
  if (set.length !== 1) {
    throw new UsageError(`Give exactly one of ${Object.keys(flags).join(', ')}.`);
  }
  return set[0]![0];
}
