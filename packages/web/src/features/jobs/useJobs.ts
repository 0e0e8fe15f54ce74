// Script job data: POST /api/scripts/quick_run and POST /api/device/activity/job/:id/cancel
// (operator); GET /api/quick_jobs/:id, GET /api/device/activity/job/:id and the paged
// GET /api/device/activity/:guid (viewer); DELETE /api/device/activity/:guid (operator).
import {
  ActivityClearResultSchema,
  ActivityHistorySchema,
  ActivityJobSchema,
  FINAL_JOB_STATUSES,
  QuickJobSchema,
  QuickRunResponseSchema,
  type QuickRunRequest,
} from '@borealis/protocol';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, withQuery } from '../../api/client';

export const JOBS_KEY = ['jobs'] as const;
export const quickJobKey = (id: string) => [...JOBS_KEY, 'quick', id] as const;
export const runKey = (id: string) => [...JOBS_KEY, 'run', id] as const;
export const activityKey = (guid: string) => [...JOBS_KEY, 'activity', guid] as const;
const enc = encodeURIComponent;
const HISTORY_PAGE = 50;
/** Safety net while runs are live, in case a `device_activity_changed` event was missed. */
const LIVE_REFETCH_MS = 15_000;

/** The request as the dialog builds it (defaults filled by the engine's schema). */
export type QuickRunBody = Partial<QuickRunRequest> & Pick<QuickRunRequest, 'run_mode'>;

export function useQuickRun() {
  return useMutation({
    mutationFn: (body: QuickRunBody) =>
      api.post('/api/scripts/quick_run', body, QuickRunResponseSchema),
    // The dialog shows the error next to the input it concerns.
    meta: { silent: true },
  });
}

export function useQuickJob(id: string) {
  return useQuery({
    queryKey: quickJobKey(id),
    queryFn: () => api.get(`/api/quick_jobs/${enc(id)}`, QuickJobSchema),
    // Live events keep it current; this only catches up after a lost connection.
    refetchInterval: (q) =>
      q.state.data?.runs.some((r) => !FINAL_JOB_STATUSES.includes(r.status))
        ? LIVE_REFETCH_MS
        : false,
  });
}

/** One run with its stored output (complete once the run is final). */
export function useRun(id: string | null) {
  return useQuery({
    queryKey: runKey(id ?? ''),
    queryFn: () => api.get(`/api/device/activity/job/${enc(id ?? '')}`, ActivityJobSchema),
    enabled: id !== null,
    refetchInterval: (q) =>
      q.state.data && !FINAL_JOB_STATUSES.includes(q.state.data.status) ? LIVE_REFETCH_MS : false,
  });
}

export function useActivityHistory(guid: string) {
  return useInfiniteQuery({
    queryKey: activityKey(guid),
    queryFn: ({ pageParam }) =>
      api.get(
        withQuery(`/api/device/activity/${enc(guid)}`, { limit: HISTORY_PAGE, before: pageParam }),
        ActivityHistorySchema,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_before,
  });
}

export function useCancelRun() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      api.post(`/api/device/activity/job/${enc(id)}/cancel`, undefined, ActivityJobSchema),
    onSuccess: (run) => {
      queryClient.setQueryData(runKey(run.id), run);
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: quickJobKey(run.quick_job_id) }),
        queryClient.invalidateQueries({ queryKey: activityKey(run.device_guid) }),
      ]);
    },
  });
}

export function useClearActivity(guid: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.del(`/api/device/activity/${enc(guid)}`, ActivityClearResultSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: activityKey(guid) }),
  });
}
