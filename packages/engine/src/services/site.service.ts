// Sites: CRUD with per-site device counts and one static enrollment code per site (no expiry,
// unlimited uses, rotatable, matched case-insensitively). Names are unique regardless of case.
// Serves /api/sites* through http/sites.routes.ts; enrollment resolves codes via findByEnrollmentCode.
import crypto from 'node:crypto';
import type { Site, SiteCreate, SiteUpdate } from '@borealis/protocol';
import {
  isUniqueViolation,
  type SitePatch,
  type SiteRepository,
  type SiteRow,
} from '../db/repositories/site.repository.js';
import type { SitesTable } from '../db/schema.js';
import { conflict, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import { generateEnrollmentCode, normalizeEnrollmentCode } from '../security/enrollment-code.js';
import { safeEqual } from '../security/secret-box.js';

export function toSite(r: SiteRow): Site {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    created_at: r.created_at,
    device_count: r.device_count,
    enrollment_code: r.enrollment_code,
    auto_approve: r.auto_approve === 1,
  };
}

const siteNotFound = (id: string) => notFound('site_not_found', `No site with id ${id}.`);
const siteExists = (name: string) =>
  conflict('site_exists', `A site named "${name}" already exists.`);

export class SiteService {
  constructor(
    private readonly repo: SiteRepository,
    private readonly clock: Clock,
  ) {}

  /** All sites, sorted by name, each with its device count. */
  async list(): Promise<Site[]> {
    return (await this.repo.list()).map(toSite);
  }

  async get(id: string): Promise<Site> {
    const row = await this.repo.findById(id);
    if (!row) throw siteNotFound(id);
    return toSite(row);
  }

  async create(input: SiteCreate): Promise<Site> {
    const name = input.name.trim();
    if (await this.repo.findByName(name)) throw siteExists(name);
    const now = this.clock.now();
    const id = crypto.randomUUID();
    try {
      await this.repo.insert({
        id,
        name,
        description: input.description.trim(),
        enrollment_code: generateEnrollmentCode(),
        auto_approve: 0,
        created_at: now,
        updated_at: now,
      });
    } catch (err) {
      // Lost a race with a concurrent create of the same name.
      if (isUniqueViolation(err)) throw siteExists(name);
      throw err;
    }
    return this.get(id);
  }

  /** Changes name and/or description; a name taken by another site is a 409. */
  async update(id: string, input: SiteUpdate): Promise<Site> {
    const patch: SitePatch = { updated_at: this.clock.now() };
    if (input.name !== undefined) {
      const name = input.name.trim();
      const holder = await this.repo.findByName(name);
      if (holder && holder.id !== id) throw siteExists(name);
      patch.name = name;
    }
    if (input.description !== undefined) patch.description = input.description.trim();
    let updated: boolean;
    try {
      updated = await this.repo.update(id, patch);
    } catch (err) {
      if (isUniqueViolation(err) && patch.name !== undefined) throw siteExists(patch.name);
      throw err;
    }
    if (!updated) throw siteNotFound(id);
    return this.get(id);
  }

  rename(id: string, newName: string): Promise<Site> {
    return this.update(id, { name: newName });
  }

  /**
   * Deletes sites in one transaction: their devices stay (unassigned) and their installer codes
   * go. Unknown ids are ignored; returns how many sites were deleted.
   */
  delete(ids: readonly string[]): Promise<number> {
    return this.repo.deleteMany([...new Set(ids)]);
  }

  /** Replaces the site's enrollment code; the old code stops matching at once. */
  async rotateCode(id: string): Promise<Site> {
    const updated = await this.repo.update(id, {
      enrollment_code: generateEnrollmentCode(),
      updated_at: this.clock.now(),
    });
    if (!updated) throw siteNotFound(id);
    return this.get(id);
  }

  /** Turns automatic approval of this site's enrollment requests on or off. */
  async setAutoApprove(id: string, enabled: boolean): Promise<Site> {
    const updated = await this.repo.update(id, {
      auto_approve: enabled ? 1 : 0,
      updated_at: this.clock.now(),
    });
    if (!updated) throw siteNotFound(id);
    return this.get(id);
  }

  /** The site whose current enrollment code matches (case-insensitive), or null. */
  async findByEnrollmentCode(code: string): Promise<SitesTable | null> {
    const canonical = normalizeEnrollmentCode(code);
    if (!canonical) return null;
    const row = await this.repo.findByEnrollmentCode(canonical);
    return row && safeEqual(row.enrollment_code, canonical) ? row : null;
  }
}
