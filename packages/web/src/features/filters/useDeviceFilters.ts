// Device filter data: GET /api/device_filters (with match counts), GET /api/device_filters/:id and
// the debounced live POST /api/device_filters/preview (viewer); POST, PUT /:id and DELETE /:id
// (operator).
import {
  DeviceFilterListSchema,
  DeviceFilterSchema,
  FilterPreviewSchema,
  StatusOkSchema,
  type DeviceFilterDefinition,
  type DeviceFilterInput,
} from '@borealis/protocol';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';

export const FILTERS_KEY = ['device_filters'] as const;
const enc = encodeURIComponent;
const PREVIEW_DEBOUNCE_MS = 400;

export function useDeviceFilters() {
  return useQuery({
    queryKey: FILTERS_KEY,
    queryFn: async () => (await api.get('/api/device_filters', DeviceFilterListSchema)).filters,
  });
}

export function useDeviceFilter(id: string | null) {
  return useQuery({
    queryKey: [...FILTERS_KEY, 'one', id],
    queryFn: () => api.get(`/api/device_filters/${enc(id ?? '')}`, DeviceFilterSchema),
    enabled: id !== null,
  });
}

/** Live match count and first matches of an unsaved definition, debounced while it is edited. */
export function useFilterPreview(definition: DeviceFilterDefinition | null) {
  // Debounce the text, not the object: a new object every render would restart the timer forever.
  const [json] = useDebouncedValue(
    definition ? JSON.stringify(definition) : null,
    PREVIEW_DEBOUNCE_MS,
  );
  return useQuery({
    queryKey: [...FILTERS_KEY, 'preview', json],
    queryFn: () =>
      api.post('/api/device_filters/preview', JSON.parse(json ?? '{}'), FilterPreviewSchema),
    enabled: json !== null,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
    meta: { silent: true },
  });
}

function useFilterMutation<V, R>(fn: (vars: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: FILTERS_KEY }),
    meta: { silent: true },
  });
}

export function useSaveFilter() {
  return useFilterMutation(({ id, body }: { id: string | null; body: DeviceFilterInput }) =>
    id
      ? api.put(`/api/device_filters/${enc(id)}`, body, DeviceFilterSchema)
      : api.post('/api/device_filters', body, DeviceFilterSchema),
  );
}

export function useDeleteFilter() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del(`/api/device_filters/${enc(id)}`, StatusOkSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: FILTERS_KEY }),
  });
}
