// Engine configuration: read from the environment once, validated with zod into a typed object.
// Only main.ts calls loadConfig(); everything else receives the parsed EngineConfig.
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'].includes(v), {
    message: 'expected true or false',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const EnvSchema = z.object({
  BOREALIS_ROOT: z.string().min(1).optional(),
  BOREALIS_HOST: z.string().min(1).default('127.0.0.1'),
  BOREALIS_PORT: z.coerce.number().int().min(0).max(65535).default(5000),
  BOREALIS_DATABASE_PATH: z.string().min(1).optional(),
  BOREALIS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  BOREALIS_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .optional(),
  BOREALIS_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  BOREALIS_ENGINE_AUTO_MIGRATE: bool.default(true),
  BOREALIS_STATIC_ROOT: z.string().min(1).optional(),
  BOREALIS_CORS_ALLOWED_ORIGINS: z.string().optional(),
  BOREALIS_DEBUG: bool.default(false),
  BOREALIS_JOB_HISTORY_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  BOREALIS_DEV_MODE_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
  BOREALIS_TLS_CERT: z.string().min(1).optional(),
  BOREALIS_TLS_KEY: z.string().min(1).optional(),
  BOREALIS_TLS_BUNDLE: z.string().min(1).optional(),
  BOREALIS_TLS_SANS: z.string().optional(),
  BOREALIS_ADMIN_USERNAME: z.string().min(1).optional(),
  BOREALIS_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  BOREALIS_MFA_ISSUER: z.string().min(1).default('Borealis'),
  BOREALIS_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(2592000).default(43200),
  BOREALIS_PUBLIC_URL: z.string().url().optional(),
  BOREALIS_SCHEDULER_TICK_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  BOREALIS_SCHEDULER_LEADER_RETRY_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  BOREALIS_SCHEDULER_CLOCK_SCALE: z.coerce.number().min(1).max(1000).default(1),
  BOREALIS_SCHEDULER_CLOCK_ORIGIN: z.coerce.number().int().min(0).optional(),
});

export interface EngineConfig {
  root: string;
  engineDir: string;
  host: string;
  port: number;
  databasePath: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  secretKey: string | undefined;
  autoMigrate: boolean;
  staticRoot: string;
  corsAllowedOrigins: string[];
  debug: boolean;
  jobHistoryDays: number;
  devModeTtlSeconds: number;
  tls: { cert?: string; key?: string; bundle?: string; extraSans: string[] };
  admin: { username?: string; password?: string };
  mfaIssuer: string;
  sessionTtlSeconds: number;
  publicUrl: string | undefined;
  /**
   * Scheduler timing: tick interval (default one minute), how often a non-leader retries the
   * leader lock (default 15 s), and — for tests and demos only — a scheduler clock running
   * `clockScale` times faster than wall time from `clockOrigin` (epoch ms; default: start-up).
   */
  scheduler: { tickMs: number; leaderRetryMs: number; clockScale: number; clockOrigin?: number };
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`invalid configuration: ${variable}: ${detail}`);
  }
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Parses the environment; throws ConfigError naming the first bad variable. `defaultRoot` is where
 * the code lives (the repository): the install root when BOREALIS_ROOT is unset.
 */
export function loadConfig(env: NodeJS.ProcessEnv, defaultRoot: string): EngineConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0] ?? 'environment'), issue.message);
  }
  const e = parsed.data;
  if (Boolean(e.BOREALIS_TLS_CERT) !== Boolean(e.BOREALIS_TLS_KEY)) {
    throw new ConfigError(
      e.BOREALIS_TLS_CERT ? 'BOREALIS_TLS_KEY' : 'BOREALIS_TLS_CERT',
      'BOREALIS_TLS_CERT and BOREALIS_TLS_KEY must be set together',
    );
  }
  if (Boolean(e.BOREALIS_ADMIN_USERNAME) !== Boolean(e.BOREALIS_ADMIN_PASSWORD)) {
    throw new ConfigError(
      e.BOREALIS_ADMIN_USERNAME ? 'BOREALIS_ADMIN_PASSWORD' : 'BOREALIS_ADMIN_USERNAME',
      'BOREALIS_ADMIN_USERNAME and BOREALIS_ADMIN_PASSWORD must be set together',
    );
  }
  const root = path.resolve(e.BOREALIS_ROOT ?? defaultRoot);
  const engineDir = path.join(root, 'Engine');
  return {
    root,
    engineDir,
    host: e.BOREALIS_HOST,
    port: e.BOREALIS_PORT,
    databasePath: path.resolve(
      root,
      e.BOREALIS_DATABASE_PATH ?? path.join('Engine', 'database.db'),
    ),
    databaseUrl: e.BOREALIS_DATABASE_URL,
    redisUrl: e.BOREALIS_REDIS_URL,
    secretKey: e.BOREALIS_SECRET_KEY,
    autoMigrate: e.BOREALIS_ENGINE_AUTO_MIGRATE,
    // The built UI ships with the code, not with the data: default beside the code's own root.
    staticRoot: e.BOREALIS_STATIC_ROOT
      ? path.resolve(root, e.BOREALIS_STATIC_ROOT)
      : path.join(path.resolve(defaultRoot), 'packages', 'web', 'dist'),
    corsAllowedOrigins: list(e.BOREALIS_CORS_ALLOWED_ORIGINS),
    debug: e.BOREALIS_DEBUG,
    jobHistoryDays: e.BOREALIS_JOB_HISTORY_DAYS,
    devModeTtlSeconds: e.BOREALIS_DEV_MODE_TTL_SECONDS,
    tls: {
      cert: e.BOREALIS_TLS_CERT,
      key: e.BOREALIS_TLS_KEY,
      bundle: e.BOREALIS_TLS_BUNDLE,
      extraSans: list(e.BOREALIS_TLS_SANS),
    },
    admin: { username: e.BOREALIS_ADMIN_USERNAME, password: e.BOREALIS_ADMIN_PASSWORD },
    mfaIssuer: e.BOREALIS_MFA_ISSUER,
    sessionTtlSeconds: e.BOREALIS_SESSION_TTL_SECONDS,
    publicUrl: e.BOREALIS_PUBLIC_URL,
    scheduler: {
      tickMs: e.BOREALIS_SCHEDULER_TICK_MS,
      leaderRetryMs: e.BOREALIS_SCHEDULER_LEADER_RETRY_MS,
      clockScale: e.BOREALIS_SCHEDULER_CLOCK_SCALE,
      ...(e.BOREALIS_SCHEDULER_CLOCK_ORIGIN !== undefined
        ? { clockOrigin: e.BOREALIS_SCHEDULER_CLOCK_ORIGIN }
        : {}),
    },
  };
}
