// The only file that knows which SQL dialect runs. Migrations and repositories ask it for the
// few things that differ between SQLite and PostgreSQL.
import {
  sql,
  PostgresAdapter,
  SqliteAdapter,
  type ColumnDataType,
  type CreateTableBuilder,
  type Kysely,
  type RawBuilder,
} from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

const dialects = new WeakMap<Kysely<unknown>, DialectName>();

export function tagDialect(db: Kysely<unknown>, name: DialectName): void {
  dialects.set(db, name);
}

export function dialectOf(db: Kysely<any>): DialectName {
  const d = dialects.get(db as Kysely<unknown>);
  if (d) return d;
  // Migrations and transactions receive derived handles: ask the adapter instead.
  const adapter = db.getExecutor().adapter;
  if (adapter instanceof PostgresAdapter) return 'postgres';
  if (adapter instanceof SqliteAdapter) return 'sqlite';
  throw new Error('unsupported database adapter');
}

/** Epoch-ms timestamps exceed 32 bits: bigint on PostgreSQL (parsed back to number), integer on SQLite. */
export function epochType(db: Kysely<any>): ColumnDataType {
  return dialectOf(db) === 'postgres' ? 'bigint' : 'integer';
}

/** Adds an auto-incrementing primary-key column (bigserial on PostgreSQL, rowid alias on SQLite). */
export function serialPrimaryKey<T extends CreateTableBuilder<any, any>>(
  db: Kysely<any>,
  table: T,
  name: string,
): T {
  return (
    dialectOf(db) === 'postgres'
      ? table.addColumn(name, 'bigserial', (c) => c.primaryKey())
      : table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement())
  ) as T;
}

/** Case-insensitive LIKE operator. */
export function ilike(db: Kysely<any>): 'ilike' | 'like' {
  return dialectOf(db) === 'postgres' ? 'ilike' : 'like';
}

/** An epoch-ms column as UTC text "YYYY-MM-DD HH:MM:SS" (NULL stays NULL). */
export function epochMsAsUtcText(db: Kysely<any>, column: RawBuilder<unknown>): RawBuilder<string> {
  return dialectOf(db) === 'postgres'
    ? sql<string>`to_char(to_timestamp(${column} / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`
    : sql<string>`strftime('%Y-%m-%d %H:%M:%S', ${column} / 1000, 'unixepoch')`;
}

/** lower() that folds ASCII only on both dialects (PostgreSQL's locale rules would fold more). */
export function asciiLowerSql(db: Kysely<any>, text: RawBuilder<string>): RawBuilder<string> {
  return dialectOf(db) === 'postgres'
    ? sql<string>`lower(${text} COLLATE "C")`
    : sql<string>`lower(${text})`;
}
