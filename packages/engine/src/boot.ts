// Boots an engine from a parsed config: folders, secret key, TLS material, database (+migrations),
// services and the app. main.ts serves it; integration tests boot the same way.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createApp, type EngineApp } from './app.js';
import type { EngineConfig } from './config.js';
import type { EngineContext } from './context.js';
import { createDb, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { systemClock, type Clock } from './logging/clock.js';
import { LogManager, type Logger } from './logging/log-manager.js';
import { SecretBox } from './security/secret-box.js';
import { ensureTls, type TlsMaterial } from './security/tls.js';
import { buildServices } from './services/index.js';
import { SwitchableEventSink } from './services/events.js';

export interface BootOptions {
  clock?: Clock;
  echo?: boolean;
  version: string;
}

export interface BootedEngine {
  ctx: EngineContext;
  engine: EngineApp;
  tls: TlsMaterial;
  database: Database;
  close(): Promise<void>;
}

/** BOREALIS_SECRET_KEY, or Engine/secret.key created once with mode 0600. Never a fixed fallback. */
export function resolveSecretKey(config: EngineConfig): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.engineDir, 'secret.key');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.engineDir, { recursive: true });
    const key = crypto.randomBytes(32).toString('hex');
    fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}

export function openDatabase(config: EngineConfig, log?: Logger): Database {
  return config.databaseUrl
    ? createDb({
        postgresUrl: config.databaseUrl,
        onIdleError: (err) => log?.warn(`PostgreSQL connection lost: ${err.message}`),
      })
    : createDb({ sqlitePath: config.databasePath });
}

export async function bootEngine(config: EngineConfig, opts: BootOptions): Promise<BootedEngine> {
  const clock = opts.clock ?? systemClock;
  fs.mkdirSync(config.engineDir, { recursive: true });
  const logs = new LogManager({
    dir: path.join(config.engineDir, 'Logs'),
    clock,
    echo: opts.echo ?? false,
    debug: config.debug,
  });
  logs.openCoreFiles();
  const secrets = new SecretBox(resolveSecretKey(config));
  const tls = await ensureTls(config, logs.service('server'));
  const database = openDatabase(config, logs.engine);
  try {
    if (config.autoMigrate) await migrateToLatest(database.db);
    const events = new SwitchableEventSink();
    const services = buildServices({ db: database.db, clock, logs, secrets, config, events });
    await services.assemblies.syncOfficial();
    const ctx: EngineContext = {
      config,
      db: database.db,
      dialect: database.dialect,
      logs,
      clock,
      version: opts.version,
      startedAt: clock.now(),
      tls: { caFingerprintSha256: tls.caFingerprintSha256, operatorSupplied: tls.operatorSupplied },
      secrets,
      services,
      events,
    };
    const engine = await createApp(ctx, {
      https: { key: tls.key, cert: tls.cert, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' },
      realtime: true,
    });
    services.scheduler.start();
    return {
      ctx,
      engine,
      tls,
      database,
      close: async () => {
        await services.scheduler.stop();
        await engine.realtime?.close();
        await engine.app.close();
        await database.close();
        await logs.close();
      },
    };
  } catch (err) {
    await database.close();
    await logs.close();
    throw err;
  }
}
