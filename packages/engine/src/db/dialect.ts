// The only file that knows which SQL dialect runs. Migrations and repositories ask it for the
// few things that differ between SQLite and PostgreSQL.
import type { ColumnDataType, Kysely } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

const dialects = new WeakMap<Kysely<unknown>, DialectName>();

export function tagDialect(db: Kysely<unknown>, name: DialectName): void {
  dialects.set(db, name);
}

export function dialectOf(db: Kysely<any>): DialectName {
  const d = dialects.get(db as Kysely<unknown>);
  if (!d) throw new Error('database handle was not created by createDb()');
  return d;
}

/** Epoch-ms timestamps exceed 32 bits: bigint on PostgreSQL (parsed back to number), integer on SQLite. */
export function epochType(db: Kysely<any>): ColumnDataType {
  return dialectOf(db) === 'postgres' ? 'bigint' : 'integer';
}

/** Auto-incrementing sequence column, used only for stable ordering of append-only rows. */
export function serialType(db: Kysely<any>): ColumnDataType {
  return dialectOf(db) === 'postgres' ? 'bigserial' : 'integer';
}

/** Case-insensitive LIKE operator. */
export function ilike(db: Kysely<any>): 'ilike' | 'like' {
  return dialectOf(db) === 'postgres' ? 'ilike' : 'like';
}
