// EngineContext: everything a running engine shares: config, database, logs, clock, keys and
// services. Built once by main.ts (or by tests), handed to createApp().
import type { Kysely } from 'kysely';
import type { EngineConfig } from './config.js';
import type { DialectName } from './db/dialect.js';
import type { DB } from './db/schema.js';
import type { Clock } from './logging/clock.js';
import type { LogManager } from './logging/log-manager.js';
import type { SecretBox } from './security/secret-box.js';
import type { SwitchableEventSink } from './services/events.js';
import type { Services } from './services/index.js';

export interface TlsInfo {
  caFingerprintSha256: string;
  operatorSupplied: boolean;
}

export interface EngineContext {
  config: EngineConfig;
  db: Kysely<DB>;
  dialect: DialectName;
  logs: LogManager;
  clock: Clock;
  version: string;
  startedAt: number;
  tls: TlsInfo;
  secrets: SecretBox;
  services: Services;
  events: SwitchableEventSink;
}
