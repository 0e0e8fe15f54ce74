// Saved device-list views: GET /api/device_list_views (viewer); POST, PUT /:id and DELETE /:id
// (operator). A view stores the visible columns in order, the sort, and the list's filter model
// ({q, status, siteId, contains}, see list-state.ts).
import {
  DEVICE_SORT_FIELDS,
  ListViewListSchema,
  ListViewSchema,
  StatusOkSchema,
  type ListView,
  type ListViewInput,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { sanitizeColumnIds } from './columns';
import { FiltersSchema, type ListState } from './list-state';

const VIEWS_KEY = ['device-list-views'] as const;
const BASE = '/api/device_list_views';

export function viewInputOf(name: string, s: ListState): ListViewInput {
  return {
    name,
    columns: s.columns,
    filters: { q: s.q, status: s.status, siteId: s.siteId, contains: s.contains },
    sort: { field: s.sort, order: s.order },
  };
}

/** A stored view as list state; anything unknown or malformed falls back to the defaults. */
export function listStateOf(view: ListView): ListState {
  const f = FiltersSchema.safeParse(view.filters);
  const filters = f.success ? f.data : { q: '', status: null, siteId: null, contains: {} };
  const sort = DEVICE_SORT_FIELDS.find((s) => s === view.sort?.field) ?? 'hostname';
  return {
    columns: sanitizeColumnIds(view.columns),
    sort,
    order: view.sort?.order ?? 'asc',
    q: filters.q,
    status: filters.status,
    siteId: filters.siteId,
    contains: filters.contains,
  };
}

export function useListViews() {
  return useQuery({
    queryKey: VIEWS_KEY,
    queryFn: async () => (await api.get(BASE, ListViewListSchema)).views,
  });
}

function useViewMutation<V, R>(fn: (vars: V) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: VIEWS_KEY }),
  });
}

export function useCreateListView() {
  // The save form shows a taken name inline.
  return useViewMutation((body: ListViewInput) => api.post(BASE, body, ListViewSchema), true);
}

export function useUpdateListView() {
  return useViewMutation(({ id, body }: { id: string; body: ListViewInput }) =>
    api.put(`${BASE}/${encodeURIComponent(id)}`, body, ListViewSchema),
  );
}

export function useDeleteListView() {
  return useViewMutation((id: string) =>
    api.del(`${BASE}/${encodeURIComponent(id)}`, StatusOkSchema),
  );
}
