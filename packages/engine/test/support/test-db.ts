// Databases for medium tests: `describe.each(DIALECTS)` runs a suite on SQLite and PostgreSQL.
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';

export const DIALECTS = ['sqlite', 'postgres'] as const;
export type TestDialect = (typeof DIALECTS)[number];

export interface TestDatabase extends Database {
  url?: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database. SQLite: in memory. PostgreSQL: a new database on the test server. */
export async function makeTestDb(dialect: TestDialect, migrate = true): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const d = createDb({ sqlitePath: ':memory:' });
    if (migrate) await migrateToLatest(d.db);
    return { ...d, drop: () => d.close() };
  }
  const admin = inject('pgAdminUrl');
  const name = `t_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = admin.replace(/\/postgres$/, `/${name}`);
  const d = createDb({ postgresUrl: url, poolSize: 4 });
  if (migrate) await migrateToLatest(d.db);
  return {
    ...d,
    url,
    drop: async () => {
      await d.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
