// createDb(): Kysely on better-sqlite3 (WAL, busy_timeout) by default, or on a pg Pool when a
// postgres:// URL is given. Callers get the same typed handle either way.
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { tagDialect, type DialectName } from './dialect.js';
import type { DB } from './schema.js';

// int8 (bigint) and numeric come back from pg as strings; our timestamps fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DbOptions {
  sqlitePath?: string;
  postgresUrl?: string;
  poolSize?: number;
  onIdleError?: (err: Error) => void;
}

export interface Database {
  db: Kysely<DB>;
  dialect: DialectName;
  close(): Promise<void>;
}

export function createDb(opts: DbOptions): Database {
  let db: Kysely<DB>;
  let dialect: DialectName;
  if (opts.postgresUrl) {
    dialect = 'postgres';
    const pool = new pg.Pool({ connectionString: opts.postgresUrl, max: opts.poolSize ?? 10 });
    // An idle client dying (server restart, admin termination) must not crash the engine: the pool
    // drops it and the next query opens a fresh connection.
    pool.on('error', (err) => opts.onIdleError?.(err));
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  } else {
    if (!opts.sqlitePath) throw new Error('createDb needs sqlitePath or postgresUrl');
    dialect = 'sqlite';
    if (opts.sqlitePath !== ':memory:')
      fs.mkdirSync(path.dirname(opts.sqlitePath), { recursive: true });
    const sqlite = new SQLite(opts.sqlitePath);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  tagDialect(db as Kysely<unknown>, dialect);
  return { db, dialect, close: () => db.destroy() };
}

/** Cheap liveness probe for /health. */
export async function pingDb(db: Kysely<DB>): Promise<void> {
  await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll().as('n'))
    .limit(1)
    .execute();
}
