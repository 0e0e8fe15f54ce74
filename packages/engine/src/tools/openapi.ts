// Builds the OpenAPI document from the zod route schemas: an app on a throwaway in-memory
// database, never listening. Used by `npm run openapi` and by the drift test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { EngineContext } from '../context.js';
import { createDb } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { systemClock } from '../logging/clock.js';
import { LogManager } from '../logging/log-manager.js';
import { SecretBox, randomToken } from '../security/secret-box.js';
import { buildServices } from '../services/index.js';
import { SwitchableEventSink } from '../services/events.js';

export const OPENAPI_VERSION_PLACEHOLDER = 'see package.json';

export async function buildOpenApiDocument(): Promise<unknown> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-openapi-'));
  const config = loadConfig({ BOREALIS_ROOT: root }, root);
  const logs = new LogManager({ dir: path.join(root, 'Logs'), clock: systemClock });
  const database = createDb({ sqlitePath: ':memory:' });
  try {
    await migrateToLatest(database.db);
    const secrets = new SecretBox(randomToken(32));
    const events = new SwitchableEventSink();
    const services = buildServices({
      db: database.db,
      clock: systemClock,
      logs,
      secrets,
      config,
      events,
    });
    const ctx: EngineContext = {
      config,
      db: database.db,
      dialect: database.dialect,
      logs,
      clock: systemClock,
      // A fixed string keeps the document stable across version bumps.
      version: OPENAPI_VERSION_PLACEHOLDER,
      startedAt: 0,
      tls: { caFingerprintSha256: '', operatorSupplied: false },
      secrets,
      services,
      events,
    };
    const { app } = await createApp(ctx);
    const doc = app.swagger();
    await app.close();
    return doc;
  } finally {
    await database.close();
    await logs.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

export function serialiseOpenApi(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
