// device_approvals: one row per enrollment attempt (pending → approved → completed, or denied /
// expired). Status changes are conditional updates, so two operators (or an operator and the
// agent's finalising poll) can never both win the same transition.
import type { Kysely } from 'kysely';
import type { DB, DeviceApprovalsTable } from '../schema.js';

export type ApprovalRow = DeviceApprovalsTable;
export type ApprovalListRow = ApprovalRow & { site_name: string | null };
export type ApprovalPatch = Partial<Omit<ApprovalRow, 'id' | 'approval_reference' | 'created_at'>>;

/** States an agent can still finish enrolling from (given time left). */
export const OPEN_APPROVAL_STATES = ['pending', 'approved'] as const;

export class ApprovalRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(row: ApprovalRow): Promise<void> {
    await this.db.insertInto('device_approvals').values(row).execute();
  }

  async findById(id: string): Promise<ApprovalRow | null> {
    const row = await this.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async findByReference(reference: string): Promise<ApprovalRow | null> {
    const row = await this.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('approval_reference', '=', reference)
      .executeTakeFirst();
    return row ?? null;
  }

  /** The newest unexpired pending/approved approval for a key fingerprint, if any. */
  async findOpenByFingerprint(fingerprint: string, now: number): Promise<ApprovalRow | null> {
    const row = await this.db
      .selectFrom('device_approvals')
      .selectAll()
      .where('ssl_key_fingerprint_claimed', '=', fingerprint)
      .where('status', 'in', OPEN_APPROVAL_STATES)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .executeTakeFirst();
    return row ?? null;
  }

  /** Newest first, with the site's name; `status` narrows to one stored status. */
  async list(status?: string): Promise<ApprovalListRow[]> {
    let q = this.db
      .selectFrom('device_approvals as a')
      .leftJoin('sites as s', 's.id', 'a.site_id')
      .selectAll('a')
      .select('s.name as site_name');
    if (status) q = q.where('a.status', '=', status);
    return q.orderBy('a.created_at', 'desc').orderBy('a.id').limit(1000).execute();
  }

  /** Applies `patch` only while the row is in one of `from`; returns whether it did. */
  async transition(id: string, from: readonly string[], patch: ApprovalPatch): Promise<boolean> {
    const res = await this.db
      .updateTable('device_approvals')
      .set(patch)
      .where('id', '=', id)
      .where('status', 'in', from)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** Marks open approvals whose time ran out as expired; returns how many. */
  async expireStale(now: number): Promise<number> {
    const res = await this.db
      .updateTable('device_approvals')
      .set({ status: 'expired', updated_at: now })
      .where('status', 'in', OPEN_APPROVAL_STATES)
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Deletes expired and denied approvals last touched before `before`; returns how many. */
  async deleteFinishedBefore(before: number): Promise<number> {
    const res = await this.db
      .deleteFrom('device_approvals')
      .where('status', 'in', ['expired', 'denied'])
      .where('updated_at', '<', before)
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
