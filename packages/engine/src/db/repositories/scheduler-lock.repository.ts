// The scheduler's leader lock: a PostgreSQL session advisory lock held on a dedicated connection
// (PostgreSQL releases it by itself when that connection ends: node killed, network lost), or an
// in-process lock on SQLite, where one process owns the database file.
import pg from 'pg';
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.js';
import type { DB } from '../schema.js';

/** Who may tick: held by at most one engine node at a time. */
export interface LeaderLock {
  /** Takes the lock if free; true while this node holds it. */
  tryAcquire(): Promise<boolean>;
  /** Whether the lock is still held (its connection is alive). */
  check(): Promise<boolean>;
  release(): Promise<void>;
}

/** SQLite: one process owns the database file, so the lock is always this process's. */
export class InProcessLock implements LeaderLock {
  async tryAcquire(): Promise<boolean> {
    return true;
  }
  async check(): Promise<boolean> {
    return true;
  }
  async release(): Promise<void> {}
}

/** pg_try_advisory_lock(key1, key2) keys: "Bore" and 1 (the scheduler). */
export const SCHEDULER_LOCK_KEYS = [0x426f7265, 1] as const;

/**
 * A session advisory lock on a dedicated connection: PostgreSQL releases it by itself when the
 * connection ends (node killed, network lost), so another node can take over.
 */
export class PgAdvisoryLock implements LeaderLock {
  private client: pg.Client | null = null;
  private held = false;

  constructor(
    private readonly url: string,
    private readonly onLost: (reason: string) => void = () => undefined,
  ) {}

  private drop(reason: string): void {
    const c = this.client;
    const wasHeld = this.held;
    this.client = null;
    this.held = false;
    if (c) void c.end().catch(() => undefined);
    if (wasHeld) this.onLost(reason);
  }

  private async connection(): Promise<pg.Client> {
    if (this.client) return this.client;
    const c = new pg.Client({
      connectionString: this.url,
      query_timeout: 10_000,
      connectionTimeoutMillis: 10_000,
      keepAlive: true,
      application_name: 'borealis-scheduler-lock',
    });
    c.on('error', (err) => {
      if (this.client === c) this.drop(`lock connection error: ${err.message}`);
    });
    c.on('end', () => {
      if (this.client === c) this.drop('lock connection closed');
    });
    this.client = c;
    try {
      await c.connect();
    } catch (err) {
      if (this.client === c) this.client = null;
      throw err;
    }
    return c;
  }

  async tryAcquire(): Promise<boolean> {
    if (this.held && (await this.check())) return true;
    try {
      const c = await this.connection();
      const res = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        ...SCHEDULER_LOCK_KEYS,
      ]);
      this.held = res.rows[0]?.ok === true;
      return this.held;
    } catch {
      this.drop('lock query failed');
      return false;
    }
  }

  async check(): Promise<boolean> {
    if (!this.held || !this.client) return false;
    try {
      await this.client.query('SELECT 1');
      return this.held;
    } catch {
      this.drop('lock connection lost');
      return false;
    }
  }

  async release(): Promise<void> {
    const c = this.client;
    this.client = null;
    const wasHeld = this.held;
    this.held = false;
    if (!c) return;
    try {
      if (wasHeld) await c.query('SELECT pg_advisory_unlock($1, $2)', [...SCHEDULER_LOCK_KEYS]);
    } catch {
      // The connection is gone: PostgreSQL released the lock with it.
    }
    await c.end().catch(() => undefined);
  }
}

/** The leader lock for this database: advisory lock on PostgreSQL (needs its URL), else in-process. */
export function schedulerLockFor(
  db: Kysely<DB>,
  postgresUrl: string | undefined,
  onLost?: (reason: string) => void,
): LeaderLock {
  if (dialectOf(db) !== 'postgres') return new InProcessLock();
  if (!postgresUrl) throw new Error('the PostgreSQL scheduler lock needs the database URL');
  return new PgAdvisoryLock(postgresUrl, onLost);
}
