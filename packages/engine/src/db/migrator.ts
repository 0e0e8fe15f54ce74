// Runs the ordered, dialect-portable migration set (start-up and `borealis-engine migrate`).
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import { migration0001 } from './migrations/0001_foundation.js';
import { migration0002 } from './migrations/0002_agents.js';
import { migration0003 } from './migrations/0003_jobs.js';
import { migration0004 } from './migrations/0004_scheduler.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': migration0001,
  '0002_agents': migration0002,
  '0003_jobs': migration0003,
  '0004_scheduler': migration0004,
};

export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    throw result.error instanceof Error
      ? result.error
      : new Error(`migration failed: ${JSON.stringify(result.error)}`);
  }
  return result;
}
