#!/usr/bin/env node
// borealis-engine [serve|migrate]: reads the environment (config.ts), boots, listens on HTTPS and
// prints the URL, the root CA fingerprint and how to reach the first admin.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bootEngine, openDatabase } from './boot.js';
import { ConfigError, loadConfig, type EngineConfig } from './config.js';
import { migrateToLatest } from './db/migrator.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const version = (
  JSON.parse(fs.readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { version: string }
).version;

const MAINTENANCE_INTERVAL_MS = 60_000;
const LOG_PRUNE_INTERVAL_MS = 24 * 60 * 60_000;

async function serve(config: EngineConfig): Promise<void> {
  const booted = await bootEngine(config, { echo: true, version });
  const { ctx, engine, tls } = booted;
  const log = ctx.logs.engine;
  const bootstrap = await ctx.services.auth.bootstrap();
  await engine.app.listen({ host: config.host, port: config.port });
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = config.publicUrl ?? `https://${shownHost}:${config.port}`;
  log.info(`Borealis Engine ${version} listening on ${url} (database: ${ctx.dialect})`);
  log.info(`Root CA: ${tls.caFile} SHA-256 fingerprint ${tls.caFingerprintSha256}`);
  if (bootstrap.setupToken) {
    log.info(
      `No operator exists yet. Create the first admin at ${url}/setup#token=<one-time token>`,
    );
    // The token itself goes to the terminal only, never into a log file.
    process.stdout.write(
      `\n  First admin setup (one-time link): ${url}/setup#token=${bootstrap.setupToken}\n\n`,
    );
  } else if (bootstrap.seededAdmin) {
    log.info(`Seeded admin "${bootstrap.seededAdmin}" from BOREALIS_ADMIN_USERNAME`);
  }
  let lastLogPrune = 0;
  const timer = setInterval(() => {
    Promise.all([ctx.services.auth.prune(), ctx.services.deviceTrust.prune()]).catch(
      (err: unknown) => log.error(`maintenance failed: ${String(err)}`),
    );
    if (Date.now() - lastLogPrune >= LOG_PRUNE_INTERVAL_MS) {
      lastLogPrune = Date.now();
      ctx.services.logs
        .pruneRotated()
        .catch((err: unknown) => log.error(`log retention prune failed: ${String(err)}`));
    }
  }, MAINTENANCE_INTERVAL_MS);
  timer.unref();
  const stop = (signal: string) => {
    log.info(`${signal} received, shutting down`);
    clearInterval(timer);
    booted.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

async function migrate(config: EngineConfig): Promise<void> {
  const database = openDatabase(config);
  try {
    const result = await migrateToLatest(database.db);
    const applied =
      result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
    process.stdout.write(
      applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n',
    );
  } finally {
    await database.close();
  }
}

async function run(): Promise<void> {
  const command = process.argv[2] ?? 'serve';
  let config: EngineConfig;
  try {
    config = loadConfig(process.env, repoRoot);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`borealis-engine: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (command === 'migrate') return migrate(config);
  if (command === 'serve') return serve(config);
  process.stderr.write(`borealis-engine: unknown command "${command}" (use serve or migrate)\n`);
  process.exit(2);
}

run().catch((err: unknown) => {
  process.stderr.write(
    `borealis-engine: failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
