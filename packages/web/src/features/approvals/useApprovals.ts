// Device approvals (admin): GET /api/admin/device-approvals?status= (polled every 5 s),
// POST /api/admin/device-approvals/:id/approve {conflict_resolution?} and /:id/deny.
import {
  DeviceApprovalApprovedSchema,
  DeviceApprovalDeniedSchema,
  DeviceApprovalListSchema,
  type ApprovalStatus,
  type ConflictResolution,
} from '@borealis/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';
import { DEVICES_KEY } from '../devices/useDevices';

const BASE = '/api/admin/device-approvals';
const APPROVALS_KEY = ['device-approvals'] as const;
export const APPROVALS_POLL_MS = 5_000;

export function useApprovals(status: ApprovalStatus | null) {
  return useQuery({
    queryKey: [...APPROVALS_KEY, status ?? 'all'],
    queryFn: async () =>
      (await api.get(withQuery(BASE, { status }), DeviceApprovalListSchema)).approvals,
    refetchInterval: APPROVALS_POLL_MS,
    staleTime: 0,
  });
}

function useApprovalMutation<V, R>(fn: (vars: V) => Promise<R>, silent = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    meta: { silent },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: APPROVALS_KEY }),
        queryClient.invalidateQueries({ queryKey: DEVICES_KEY }),
      ]),
  });
}

/** Silent: the page turns `conflict_resolution_required` into the conflict dialog itself. */
export function useApprove() {
  return useApprovalMutation(
    ({ id, resolution }: { id: string; resolution?: ConflictResolution }) =>
      api.post(
        `${BASE}/${encodeURIComponent(id)}/approve`,
        resolution ? { conflict_resolution: resolution } : {},
        DeviceApprovalApprovedSchema,
      ),
    true,
  );
}

export function useDeny() {
  return useApprovalMutation((id: string) =>
    api.post(`${BASE}/${encodeURIComponent(id)}/deny`, undefined, DeviceApprovalDeniedSchema),
  );
}
