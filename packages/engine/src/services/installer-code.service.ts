// Installer codes: expiring (1–24 h), limited-use (1–10) enrollment codes, optionally bound to a
// site. Serves /api/admin/enrollment-codes through http/installer-codes.routes.ts; enrollment
// checks a presented code with findUsable() and counts it with recordUse().
import crypto from 'node:crypto';
import type { InstallerCode, InstallerCodeCreate, InstallerCodeStatus } from '@borealis/protocol';
import type {
  InstallerCodeRepository,
  InstallerCodeRow,
} from '../db/repositories/installer-code.repository.js';
import type { SiteRepository } from '../db/repositories/site.repository.js';
import { conflict, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import { generateEnrollmentCode, normalizeEnrollmentCode } from '../security/enrollment-code.js';
import { safeEqual } from '../security/secret-box.js';

const HOUR_MS = 3_600_000;

/** used (every use spent) wins over expired (expires_at reached); anything else is active. */
export function installerCodeStatus(
  c: Pick<InstallerCodeRow, 'use_count' | 'max_uses' | 'expires_at'>,
  now: number,
): InstallerCodeStatus {
  if (c.use_count >= c.max_uses) return 'used';
  if (c.expires_at <= now) return 'expired';
  return 'active';
}

export function toInstallerCode(r: InstallerCodeRow, now: number): InstallerCode {
  return {
    id: r.id,
    code: r.code,
    site_id: r.site_id,
    site_name: r.site_name,
    expires_at: r.expires_at,
    max_uses: r.max_uses,
    use_count: r.use_count,
    last_used_at: r.last_used_at,
    created_by: r.created_by,
    created_at: r.created_at,
    status: installerCodeStatus(r, now),
  };
}

const codeNotFound = (id: string) => notFound('code_not_found', `No installer code with id ${id}.`);

export class InstallerCodeService {
  constructor(
    private readonly repo: InstallerCodeRepository,
    private readonly sites: Pick<SiteRepository, 'findById'>,
    private readonly clock: Clock,
  ) {}

  /** Newest first, optionally only those in one status right now. */
  async list(status?: InstallerCodeStatus): Promise<InstallerCode[]> {
    const now = this.clock.now();
    const rows = await this.repo.list({ status, now });
    return rows.map((r) => toInstallerCode(r, now));
  }

  async get(id: string): Promise<InstallerCode> {
    const row = await this.repo.findById(id);
    if (!row) throw codeNotFound(id);
    return toInstallerCode(row, this.clock.now());
  }

  async create(input: InstallerCodeCreate, createdBy: string): Promise<InstallerCode> {
    const siteId = input.site_id ?? null;
    if (siteId !== null && !(await this.sites.findById(siteId))) {
      throw notFound('site_not_found', `No site with id ${siteId}.`);
    }
    const now = this.clock.now();
    const id = crypto.randomUUID();
    await this.repo.insert({
      id,
      code: generateEnrollmentCode(),
      site_id: siteId,
      expires_at: now + input.ttl_hours * HOUR_MS,
      max_uses: input.max_uses,
      use_count: 0,
      last_used_at: null,
      used_by_guid: null,
      created_by: createdBy,
      created_at: now,
    });
    return this.get(id);
  }

  /** Deletes a code that was never used; a used code stays as a record (409 code_in_use). */
  async delete(id: string): Promise<void> {
    const row = await this.repo.findById(id);
    if (!row) throw codeNotFound(id);
    if (row.use_count > 0 || !(await this.repo.deleteUnused(id))) {
      throw conflict('code_in_use', 'This installer code has been used and cannot be deleted.');
    }
  }

  /** The active code matching `code` (case-insensitive, dashes optional), or null. */
  async findUsable(code: string): Promise<InstallerCode | null> {
    const canonical = normalizeEnrollmentCode(code);
    if (!canonical) return null;
    const row = await this.repo.findByCode(canonical);
    if (!row || !safeEqual(row.code, canonical)) return null;
    const found = toInstallerCode(row, this.clock.now());
    return found.status === 'active' ? found : null;
  }

  /**
   * Counts one use by the device `guid`. Atomic: returns false (and changes nothing) when the
   * code is unknown, expired or already spent at this moment.
   */
  recordUse(id: string, guid: string): Promise<boolean> {
    return this.repo.recordUse(id, guid, this.clock.now());
  }
}
