// The device list's UI state (visible columns, sort, free text, status/site filters, per-column
// filters, page, page size, loaded view) with its defaults and a tolerant parser for what comes
// back from sessionStorage or a saved view.
import {
  DEVICE_FILTER_FIELDS,
  DEVICE_SORT_FIELDS,
  PRESENCE_STATUSES,
  type DeviceFilterField,
} from '@borealis/protocol';
import { z } from 'zod';
import { DEFAULT_COLUMN_IDS, sanitizeColumnIds } from './columns';
import type { DeviceListParams } from './useDevices';

export const PAGE_SIZES = [25, 50, 100, 200] as const;

/** What a saved view stores. */
export type ListState = Pick<
  DeviceListParams,
  'sort' | 'order' | 'q' | 'status' | 'siteId' | 'contains'
> & { columns: string[] };

export interface DeviceListUiState extends ListState {
  page: number;
  pageSize: number;
  /** The saved view last loaded or saved, if any. */
  viewId: string | null;
}

export const DEFAULT_LIST_STATE: DeviceListUiState = {
  columns: [...DEFAULT_COLUMN_IDS],
  sort: 'hostname',
  order: 'asc',
  q: '',
  status: null,
  siteId: null,
  contains: {},
  page: 1,
  pageSize: 50,
  viewId: null,
};

export const FiltersSchema = z.object({
  q: z.string().max(256).catch(''),
  status: z.enum(PRESENCE_STATUSES).nullable().catch(null),
  siteId: z.string().max(64).nullable().catch(null),
  contains: z.partialRecord(z.enum(DEVICE_FILTER_FIELDS), z.string().max(256)).catch({}),
});

const UiStateSchema = FiltersSchema.extend({
  columns: z.array(z.string()).catch([...DEFAULT_COLUMN_IDS]),
  sort: z.enum(DEVICE_SORT_FIELDS).catch('hostname'),
  order: z.enum(['asc', 'desc']).catch('asc'),
  page: z.number().int().min(1).catch(1),
  pageSize: z
    .number()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
    .catch(50),
  viewId: z.string().nullable().catch(null),
});

export function sanitizeListState(raw: unknown): DeviceListUiState {
  const parsed = UiStateSchema.safeParse(raw);
  if (!parsed.success) return DEFAULT_LIST_STATE;
  return { ...parsed.data, columns: sanitizeColumnIds(parsed.data.columns) };
}

/** Per-column filters without empty entries. */
export function activeFilters(
  contains: Partial<Record<DeviceFilterField, string>>,
): Partial<Record<DeviceFilterField, string>> {
  return Object.fromEntries(Object.entries(contains).filter(([, v]) => v && v.trim() !== ''));
}

export function hasAnyFilter(s: DeviceListUiState): boolean {
  return (
    s.q.trim() !== '' ||
    s.status !== null ||
    s.siteId !== null ||
    Object.keys(activeFilters(s.contains)).length > 0
  );
}
