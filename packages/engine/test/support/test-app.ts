// Builds a real engine app on a test database with a fake clock and a temp install root, for
// HTTP tests through app.inject(). No TLS or sockets: those are covered by the process tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp, type EngineApp } from '../../src/app.js';
import { loadConfig, type EngineConfig } from '../../src/config.js';
import type { EngineContext } from '../../src/context.js';
import { LogManager } from '../../src/logging/log-manager.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { buildServices } from '../../src/services/index.js';
import { SwitchableEventSink } from '../../src/services/events.js';
import { FakeClock } from './fake-clock.js';
import { makeTestDb, type TestDialect, type TestDatabase } from './test-db.js';

export interface TestApp extends EngineApp {
  ctx: EngineContext;
  clock: FakeClock;
  root: string;
  database: TestDatabase;
  close(): Promise<void>;
}

export async function makeTestApp(
  dialect: TestDialect,
  env: Record<string, string> = {},
): Promise<TestApp> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'borealis-test-'));
  const config: EngineConfig = loadConfig({ BOREALIS_ROOT: root, ...env }, root);
  const clock = new FakeClock(Date.now());
  const logs = new LogManager({ dir: path.join(config.engineDir, 'Logs'), clock });
  const database = await makeTestDb(dialect);
  const secrets = new SecretBox('test-secret-key-0123456789abcdef0123456789');
  const events = new SwitchableEventSink();
  const services = buildServices({ db: database.db, clock, logs, secrets, config, events });
  const ctx: EngineContext = {
    config,
    db: database.db,
    dialect: database.dialect,
    logs,
    clock,
    version: '0.0.0-test',
    startedAt: clock.now(),
    tls: { caFingerprintSha256: 'test-fingerprint', operatorSupplied: false },
    secrets,
    services,
    events,
  };
  const engine = await createApp(ctx);
  return {
    ...engine,
    ctx,
    clock,
    root,
    database,
    close: async () => {
      await engine.app.close();
      await database.drop();
      await logs.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export type InjectMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** `app.inject()` with a JSON payload only when one is given. */
export function injectJson(
  t: TestApp,
  method: InjectMethod,
  url: string,
  headers: Record<string, string>,
  payload?: unknown,
) {
  return t.app.inject({
    method,
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}
