// Devices data: GET /api/devices (server-side page/sort/filter), GET /api/devices/:guid,
// /software (paged search) and /metrics (viewer); PUT /api/devices/:guid/description and
// POST /api/sites/assign (operator); DELETE /api/devices/:guid and POST /:guid/{revoke,
// quarantine,release} (admin). Live events patch the cached rows through `patchCachedDevices`.
import {
  DeviceDetailSchema,
  DeviceListSchema,
  DeviceTrustResultSchema,
  MetricsSeriesSchema,
  SiteAssignResultSchema,
  SoftwareListSchema,
  StatusOkSchema,
  type Device,
  type DeviceDetail,
  type DeviceFilterField,
  type DeviceList,
  type DeviceSortField,
  type PresenceStatus,
} from '@borealis/protocol';
import {
  keepPreviousData,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';
import { SITES_KEY } from '../sites/useSites';

export const DEVICES_KEY = ['devices'] as const;
const LIST_KEY = [...DEVICES_KEY, 'list'] as const;
const detailKey = (guid: string) => [...DEVICES_KEY, 'detail', guid] as const;
const enc = encodeURIComponent;

export interface DeviceListParams {
  page: number;
  pageSize: number;
  sort: DeviceSortField;
  order: 'asc' | 'desc';
  q: string;
  status: PresenceStatus | null;
  siteId: string | null;
  contains: Partial<Record<DeviceFilterField, string>>;
}

export function deviceListPath(p: DeviceListParams): string {
  const params: Record<string, string | number | null> = {
    page: p.page,
    page_size: p.pageSize,
    sort: p.sort,
    order: p.order,
    q: p.q.trim(),
    status: p.status,
    site_id: p.siteId,
  };
  for (const [field, value] of Object.entries(p.contains)) {
    params[`filter[${field}]`] = value?.trim() ?? null;
  }
  return withQuery('/api/devices', params);
}

export function useDeviceList(p: DeviceListParams) {
  return useQuery({
    queryKey: [...LIST_KEY, p],
    queryFn: () => api.get(deviceListPath(p), DeviceListSchema),
    placeholderData: keepPreviousData,
    // Live events keep rows current; this only catches up after a lost connection.
    refetchInterval: 30_000,
  });
}

export function useDevice(guid: string) {
  return useQuery({
    queryKey: detailKey(guid),
    queryFn: () => api.get(`/api/devices/${enc(guid)}`, DeviceDetailSchema),
    refetchInterval: 60_000,
  });
}

export function useDeviceSoftware(guid: string, page: number, pageSize: number, q: string) {
  return useQuery({
    queryKey: [...DEVICES_KEY, 'software', guid, page, pageSize, q],
    queryFn: () =>
      api.get(
        withQuery(`/api/devices/${enc(guid)}/software`, { page, page_size: pageSize, q: q.trim() }),
        SoftwareListSchema,
      ),
    placeholderData: keepPreviousData,
  });
}

export function useDeviceMetrics(guid: string, minutes: number) {
  return useQuery({
    queryKey: [...DEVICES_KEY, 'metrics', guid, minutes],
    queryFn: () =>
      api.get(withQuery(`/api/devices/${enc(guid)}/metrics`, { minutes }), MetricsSeriesSchema),
    staleTime: Infinity,
  });
}

/** Applies per-GUID changes to every cached list page and detail, without refetching. */
export function patchCachedDevices(
  queryClient: QueryClient,
  changes: ReadonlyMap<string, Partial<Device>>,
): void {
  if (changes.size === 0) return;
  queryClient.setQueriesData<DeviceList>({ queryKey: LIST_KEY }, (old) => {
    if (!old || !old.devices.some((d) => changes.has(d.guid))) return old;
    return {
      ...old,
      devices: old.devices.map((d) => {
        const change = changes.get(d.guid);
        return change ? { ...d, ...change } : d;
      }),
    };
  });
  for (const [guid, change] of changes) {
    queryClient.setQueryData<DeviceDetail>(detailKey(guid), (old) =>
      old ? { ...old, ...change } : old,
    );
  }
}

export function invalidateDeviceLists(queryClient: QueryClient): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: LIST_KEY });
}

export function useUpdateDescription() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ guid, description }: { guid: string; description: string }) =>
      api.put(`/api/devices/${enc(guid)}/description`, { description }, DeviceDetailSchema),
    onSuccess: (device) => {
      queryClient.setQueryData(detailKey(device.guid), device);
      patchCachedDevices(
        queryClient,
        new Map([[device.guid, { description: device.description }]]),
      );
    },
  });
}

export function useAssignSite() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { site_id: string | null; guids: string[] }) =>
      api.post('/api/sites/assign', body, SiteAssignResultSchema),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: DEVICES_KEY }),
        queryClient.invalidateQueries({ queryKey: SITES_KEY }),
      ]),
  });
}

/** Deletes the devices one by one; resolves how many were deleted before any failure. */
export function useDeleteDevices() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (guids: string[]) => {
      for (const guid of guids) await api.del(`/api/devices/${enc(guid)}`, StatusOkSchema);
      return guids.length;
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: LIST_KEY }),
        queryClient.invalidateQueries({ queryKey: SITES_KEY }),
      ]),
  });
}

export type TrustAction = 'revoke' | 'quarantine' | 'release';

export function useDeviceTrustAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ guid, action }: { guid: string; action: TrustAction }) =>
      api.post(`/api/devices/${enc(guid)}/${action}`, undefined, DeviceTrustResultSchema),
    onSuccess: (res) => {
      patchCachedDevices(queryClient, new Map([[res.guid, { device_status: res.status }]]));
      return queryClient.invalidateQueries({ queryKey: DEVICES_KEY });
    },
  });
}
