// Device filters (reference §2.4, §10): CRUD of saved AND/OR groups, global or scoped to a site,
// with live match counts and an unsaved preview; quick jobs resolve `filter_id` targets here.
// Serves /api/device_filters* through http/device-filters.routes.ts.
import crypto from 'node:crypto';
import {
  FILTER_PREVIEW_LIMIT,
  FilterGroupSchema,
  OFFLINE_AFTER_MS,
  type DeviceFilter,
  type DeviceFilterDefinition,
  type DeviceFilterInput,
  type FilterGroup,
  type FilterPreview,
} from '@borealis/protocol';
import { z } from 'zod';
import type {
  DeviceFilterRepository,
  DeviceFilterRow,
  FilterMatch,
  FilterQuery,
} from '../db/repositories/device-filter.repository.js';
import { isUniqueViolation } from '../db/repositories/site.repository.js';
import { badRequest, conflict, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';

const StoredGroupsSchema = z.array(FilterGroupSchema);

const filterNotFound = (id: string) =>
  notFound('filter_not_found', `No device filter with id ${id}.`);
const filterExists = (name: string) =>
  conflict('filter_exists', `A device filter named "${name}" already exists.`);

/** Stored groups; a row that no longer parses matches nothing rather than everything. */
function parseGroups(json: string): FilterGroup[] | null {
  try {
    const parsed = StoredGroupsSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class DeviceFilterService {
  constructor(
    private readonly repo: DeviceFilterRepository,
    private readonly clock: Clock,
  ) {}

  private query(groups: readonly FilterGroup[], siteId: string | null): FilterQuery {
    return { groups, siteId, onlineSince: this.clock.now() - OFFLINE_AFTER_MS };
  }

  /** The site a definition is limited to (null = global); a scoped one needs an existing site. */
  private async scopeOf(def: DeviceFilterDefinition): Promise<string | null> {
    if (def.site_scope === 'global') return null;
    if (!def.site_id)
      throw badRequest('site_required', 'A scoped filter needs site_id.', 'site_id');
    if (!(await this.repo.siteExists(def.site_id))) {
      throw notFound('site_not_found', `No site with id ${def.site_id}.`);
    }
    return def.site_id;
  }

  private async toFilter(row: DeviceFilterRow): Promise<DeviceFilter> {
    const groups = parseGroups(row.groups_json);
    const scoped = row.site_scope === 'scoped';
    return {
      id: row.id,
      name: row.name,
      site_scope: scoped ? 'scoped' : 'global',
      site_id: row.site_id,
      site_name: row.site_name,
      groups: groups ?? [],
      match_count: groups ? await this.repo.count(this.query(groups, row.site_id)) : 0,
      last_edited_by: row.last_edited_by,
      created_at: Number(row.created_at),
      updated_at: Number(row.updated_at),
    };
  }

  /** Every filter by name, each with its current match count. */
  async list(): Promise<DeviceFilter[]> {
    const out: DeviceFilter[] = [];
    for (const row of await this.repo.list()) out.push(await this.toFilter(row));
    return out;
  }

  async get(id: string): Promise<DeviceFilter> {
    const row = await this.repo.findById(id);
    if (!row) throw filterNotFound(id);
    return this.toFilter(row);
  }

  async create(input: DeviceFilterInput, by: string): Promise<DeviceFilter> {
    const siteId = await this.scopeOf(input);
    const name = input.name.trim();
    if (await this.repo.findByName(name)) throw filterExists(name);
    const now = this.clock.now();
    const id = crypto.randomUUID();
    try {
      await this.repo.insert({
        id,
        name,
        site_scope: input.site_scope,
        site_id: siteId,
        groups_json: JSON.stringify(input.groups),
        last_edited_by: by,
        created_at: now,
        updated_at: now,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw filterExists(name);
      throw err;
    }
    return this.get(id);
  }

  async update(id: string, input: DeviceFilterInput, by: string): Promise<DeviceFilter> {
    if (!(await this.repo.findById(id))) throw filterNotFound(id);
    const siteId = await this.scopeOf(input);
    const name = input.name.trim();
    const holder = await this.repo.findByName(name);
    if (holder && holder.id !== id) throw filterExists(name);
    try {
      const updated = await this.repo.update(id, {
        name,
        site_scope: input.site_scope,
        site_id: siteId,
        groups_json: JSON.stringify(input.groups),
        last_edited_by: by,
        updated_at: this.clock.now(),
      });
      if (!updated) throw filterNotFound(id);
    } catch (err) {
      if (isUniqueViolation(err)) throw filterExists(name);
      throw err;
    }
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repo.delete(id))) throw filterNotFound(id);
  }

  /** Evaluates an unsaved definition: the match count and the first matches by hostname. */
  async preview(def: DeviceFilterDefinition): Promise<FilterPreview> {
    const siteId = await this.scopeOf(def);
    const res = await this.repo.preview(this.query(def.groups, siteId), FILTER_PREVIEW_LIMIT);
    return {
      count: res.count,
      devices: res.devices.map((d) => ({ guid: d.guid, hostname: d.hostname })),
    };
  }

  /** Every device the saved filter matches now (404 filter_not_found). */
  async matches(id: string): Promise<FilterMatch[]> {
    const row = await this.repo.findById(id);
    if (!row) throw filterNotFound(id);
    const groups = parseGroups(row.groups_json);
    if (!groups) return [];
    return this.repo.all(this.query(groups, row.site_id));
  }
}
