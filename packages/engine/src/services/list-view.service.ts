// Saved device-list views (reference §2.4): global, uniquely named layouts of columns, the UI's
// filter model and an optional sort. Serves /api/device_list_views*; 404 view_not_found,
// 409 view_exists.
import crypto from 'node:crypto';
import { ListViewSortSchema, type ListView, type ListViewInput } from '@borealis/protocol';
import type { ListViewRepository } from '../db/repositories/list-view.repository.js';
import { isUniqueViolation } from '../db/repositories/site.repository.js';
import type { DeviceListViewsTable } from '../db/schema.js';
import { conflict, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';

const noNul = (s: string) => s.replaceAll('\u0000', '');

/** JSON text written by this service, read defensively: a damaged column yields an empty value. */
function parse(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function toListView(r: DeviceListViewsTable): ListView {
  const columns = parse(r.columns_json);
  const filters = parse(r.filters_json);
  const sort = ListViewSortSchema.safeParse(parse(r.sort_json));
  return {
    id: r.id,
    name: r.name,
    columns: Array.isArray(columns) ? columns.filter((c) => typeof c === 'string') : [],
    filters:
      typeof filters === 'object' && filters !== null && !Array.isArray(filters)
        ? (filters as Record<string, unknown>)
        : {},
    sort: sort.success ? sort.data : null,
    created_by: r.created_by,
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}

const viewNotFound = (id: string) => notFound('view_not_found', `No saved view with id ${id}.`);
const viewExists = (name: string) =>
  conflict('view_exists', `A saved view named "${name}" already exists.`);

export class ListViewService {
  constructor(
    private readonly repo: ListViewRepository,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<ListView[]> {
    return (await this.repo.list()).map(toListView);
  }

  async get(id: string): Promise<ListView> {
    const row = await this.repo.findById(noNul(id));
    if (!row) throw viewNotFound(id);
    return toListView(row);
  }

  async create(input: ListViewInput, createdBy: string): Promise<ListView> {
    const name = noNul(input.name).trim();
    if (await this.repo.findByName(name)) throw viewExists(name);
    const now = this.clock.now();
    const id = crypto.randomUUID();
    try {
      await this.repo.insert({
        id,
        name,
        columns_json: JSON.stringify(input.columns),
        filters_json: JSON.stringify(input.filters),
        sort_json: input.sort ? JSON.stringify(input.sort) : null,
        created_by: createdBy,
        created_at: now,
        updated_at: now,
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw viewExists(name);
      throw err;
    }
    return this.get(id);
  }

  /** Replaces the view's name, columns, filters and sort. */
  async update(id: string, input: ListViewInput): Promise<ListView> {
    const name = noNul(input.name).trim();
    const holder = await this.repo.findByName(name);
    if (holder && holder.id !== id) throw viewExists(name);
    let ok: boolean;
    try {
      ok = await this.repo.update(noNul(id), {
        name,
        columns_json: JSON.stringify(input.columns),
        filters_json: JSON.stringify(input.filters),
        sort_json: input.sort ? JSON.stringify(input.sort) : null,
        updated_at: this.clock.now(),
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw viewExists(name);
      throw err;
    }
    if (!ok) throw viewNotFound(id);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repo.delete(noNul(id)))) throw viewNotFound(id);
  }
}
