// audit_log: append-only rows; this repository has no update or delete.
import type { Kysely } from 'kysely';
import type { AuditEntry, AuditQuery } from '@borealis/protocol';
import type { AuditLogTable, DB } from '../schema.js';

export type NewAuditRow = Omit<AuditLogTable, 'seq'>;

export class AuditRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(row: NewAuditRow): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
  }

  async page(q: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }> {
    let base = this.db.selectFrom('audit_log');
    if (q.username) base = base.where('username', '=', q.username);
    if (q.action) base = base.where('action', '=', q.action);
    if (q.outcome) base = base.where('outcome', '=', q.outcome);
    if (q.since !== undefined) base = base.where('ts', '>=', q.since);
    if (q.until !== undefined) base = base.where('ts', '<', q.until);
    const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await base
      .select([
        'id',
        'ts',
        'username',
        'auth',
        'action',
        'method',
        'path',
        'target',
        'source_ip',
        'outcome',
        'status_code',
      ])
      .orderBy('seq', 'desc')
      .limit(q.page_size)
      .offset((q.page - 1) * q.page_size)
      .execute();
    return {
      entries: rows.map((r) => ({ ...r, outcome: r.outcome as AuditEntry['outcome'] })),
      total: Number(totalRow?.n ?? 0),
    };
  }
}
