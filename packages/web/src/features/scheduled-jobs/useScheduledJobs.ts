// Scheduled jobs data (reference §2.7, §8): GET /api/scheduled_jobs, GET /:id, GET /:id/runs
// (viewer); POST /api/scheduled_jobs, PUT|DELETE /:id, POST /:id/toggle, POST /:id/run_now and
// POST /api/scheduled_jobs/preview (operator). `/ui` events `scheduled_job_changed` and
// `scheduled_run_changed` invalidate the cached list, job and history.
import {
  DeviceListSchema,
  ScheduledDevicesSchema,
  ScheduledJobEnvelopeSchema,
  ScheduledJobListSchema,
  ScheduledRunNowSchema,
  ScheduledRunsSchema,
  SchedulePreviewSchema,
  SCHEDULED_JOB_CHANGED_EVENT,
  SCHEDULED_RUN_CHANGED_EVENT,
  type ScheduledJobInput,
  type ScheduleSpec,
} from '@borealis/protocol';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api, withQuery } from '../../api/client';
import { useRealtimeEvent } from '../../api/realtime';

export const SCHEDULED_KEY = ['scheduled_jobs'] as const;
const LIST_KEY = [...SCHEDULED_KEY, 'list'] as const;
export const scheduledJobKey = (id: string) => [...SCHEDULED_KEY, 'one', id] as const;
export const scheduledRunsKey = (id: string) => [...SCHEDULED_KEY, 'runs', id] as const;
const enc = encodeURIComponent;
const base = (id: string) => `/api/scheduled_jobs/${enc(id)}`;

/** Payloads of the lifecycle events, loosely: only the job id is used. */
const JobChangedSchema = z.object({ job_id: z.string() });

export function useScheduledJobs() {
  return useQuery({
    queryKey: LIST_KEY,
    queryFn: async () => (await api.get('/api/scheduled_jobs', ScheduledJobListSchema)).jobs,
    // next_run_ts moves with time even when nothing changed.
    refetchInterval: 30_000,
  });
}

export function useScheduledJob(id: string | null) {
  return useQuery({
    queryKey: scheduledJobKey(id ?? ''),
    queryFn: async () => (await api.get(base(id ?? ''), ScheduledJobEnvelopeSchema)).job,
    enabled: id !== null,
  });
}

/** Occurrences, newest first; polled every 5 s while `live` (events refresh it sooner). */
export function useScheduledRuns(id: string | null, live: boolean) {
  return useQuery({
    queryKey: scheduledRunsKey(id ?? ''),
    queryFn: async () =>
      (await api.get(withQuery(`${base(id ?? '')}/runs`, { limit: 100 }), ScheduledRunsSchema))
        .runs,
    enabled: id !== null,
    refetchInterval: live ? 5_000 : false,
  });
}

/** The devices a saved job targets now, with each one's latest status for this job. */
export function useScheduledDevices(id: string | null) {
  return useQuery({
    queryKey: [...SCHEDULED_KEY, 'devices', id ?? ''],
    queryFn: () => api.get(`${base(id ?? '')}/devices`, ScheduledDevicesSchema),
    enabled: id !== null,
  });
}

/** Devices whose hostname, description, user, OS or IPs contain `q` (first 20). */
export function useDeviceSearch(q: string) {
  return useQuery({
    queryKey: [...SCHEDULED_KEY, 'device-search', q],
    queryFn: async () =>
      (await api.get(withQuery('/api/devices', { q, page: 1, page_size: 20 }), DeviceListSchema))
        .devices,
    placeholderData: keepPreviousData,
  });
}

/** Next fire times of a schedule as the engine computes them (null spec: nothing asked). */
export function useSchedulePreview(schedule: ScheduleSpec | null, enabled: boolean) {
  return useQuery({
    queryKey: [...SCHEDULED_KEY, 'preview', schedule],
    queryFn: () =>
      api.post('/api/scheduled_jobs/preview', { schedule, count: 5 }, SchedulePreviewSchema),
    enabled: enabled && schedule !== null,
    placeholderData: keepPreviousData,
    retry: false,
    meta: { silent: true },
  });
}

function useInvalidateAll() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: SCHEDULED_KEY });
}

export function useSaveScheduledJob() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: ScheduledJobInput }) =>
      id
        ? api.put(base(id), body, ScheduledJobEnvelopeSchema)
        : api.post('/api/scheduled_jobs', body, ScheduledJobEnvelopeSchema),
    onSuccess: invalidate,
    // The editor shows the error on the tab and field it concerns.
    meta: { silent: true },
  });
}

export function useToggleScheduledJob() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      api.post(`${base(id)}/toggle`, { enabled }, ScheduledJobEnvelopeSchema),
    onSuccess: invalidate,
  });
}

export function useRunScheduledJobNow() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (id: string) => api.post(`${base(id)}/run_now`, undefined, ScheduledRunNowSchema),
    onSuccess: invalidate,
  });
}

export function useDeleteScheduledJob() {
  const invalidate = useInvalidateAll();
  return useMutation({
    mutationFn: (id: string) => api.del(base(id)),
    onSuccess: invalidate,
  });
}

/** Refreshes the cached scheduled-job data whenever the engine reports a change. */
export function useLiveScheduledJobs(): void {
  const queryClient = useQueryClient();
  const refresh = (p: { job_id: string }) => {
    void queryClient.invalidateQueries({ queryKey: LIST_KEY });
    void queryClient.invalidateQueries({ queryKey: scheduledJobKey(p.job_id) });
    void queryClient.invalidateQueries({ queryKey: scheduledRunsKey(p.job_id) });
  };
  useRealtimeEvent(SCHEDULED_JOB_CHANGED_EVENT, JobChangedSchema, refresh);
  useRealtimeEvent(SCHEDULED_RUN_CHANGED_EVENT, JobChangedSchema, refresh);
}
