// Keeps cached runs, quick jobs and activity histories live from `device_activity_changed` on the
// `/ui` socket: quick job statuses are patched into the cache at once, then the affected queries
// refetch (run outputs, exit codes, new history rows). Events are gathered and applied every 300 ms so a job on a
// thousand devices does not start a thousand refetches.
import {
  DEVICE_ACTIVITY_CHANGED_EVENT,
  DeviceActivityChangedSchema,
  type DeviceActivityChanged,
  type QuickJob,
} from '@borealis/protocol';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useRealtimeEvent } from '../../api/realtime';
import { activityKey, JOBS_KEY, runKey } from './useJobs';

const FLUSH_EVERY_MS = 300;

function apply(queryClient: QueryClient, events: DeviceActivityChanged[]): void {
  const status = new Map(events.map((e) => [e.activity_id, e.status]));
  const quickKey = [...JOBS_KEY, 'quick'];
  queryClient.setQueriesData<QuickJob>({ queryKey: quickKey }, (old) => {
    if (!old || !old.runs.some((r) => status.has(r.id))) return old;
    return { ...old, runs: old.runs.map((r) => ({ ...r, status: status.get(r.id) ?? r.status })) };
  });
  void queryClient.invalidateQueries({
    queryKey: quickKey,
    predicate: (q) => {
      const data = q.state.data as QuickJob | undefined;
      return !data || data.runs.some((r) => status.has(r.id));
    },
  });
  // A run's status and its stored output change together: refetch rather than patch.
  for (const id of status.keys()) void queryClient.invalidateQueries({ queryKey: runKey(id) });
  for (const guid of new Set(events.map((e) => e.guid))) {
    void queryClient.invalidateQueries({ queryKey: activityKey(guid) });
  }
}

/** Mount on any page that shows runs; `onEvent` sees every change as it arrives. */
export function useLiveActivity(onEvent?: (e: DeviceActivityChanged) => void): void {
  const queryClient = useQueryClient();
  const pending = useRef<DeviceActivityChanged[]>([]);

  useRealtimeEvent(DEVICE_ACTIVITY_CHANGED_EVENT, DeviceActivityChangedSchema, (e) => {
    pending.current.push(e);
    onEvent?.(e);
  });

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (pending.current.length === 0) return;
      const events = pending.current;
      pending.current = [];
      apply(queryClient, events);
    }, FLUSH_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [queryClient]);
}
