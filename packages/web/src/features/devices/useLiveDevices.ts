// Keeps cached device rows live from the `/ui` socket: `device_status_changed` flips Online /
// Offline and `device_metrics` (a heartbeat, hence contact: Online) updates CPU % / memory %.
// Events are buffered and applied once per second in one cache pass (a large fleet sends hundreds
// per second). Status changes also refetch the visible page — 2 s after the change, so the
// engine's coalesced last_seen write has landed, and at most every 5 s — so that filters,
// sorting and newly approved devices stay correct.
import {
  DeviceMetricsEventSchema,
  DeviceStatusChangedSchema,
  type Device,
} from '@borealis/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useRealtimeEvent } from '../../api/realtime';
import { invalidateDeviceLists, patchCachedDevices } from './useDevices';

const FLUSH_EVERY_MS = 1_000;
const REFETCH_DELAY_MS = 2_000;
const REFETCH_AT_MOST_EVERY_MS = 5_000;

export function useLiveDevices(): void {
  const queryClient = useQueryClient();
  const pending = useRef(new Map<string, Partial<Device>>());
  /** When the oldest status change not yet covered by a refetch arrived (0: none). */
  const statusSince = useRef(0);
  const lastRefetch = useRef(0);

  const queue = (guid: string, change: Partial<Device>) => {
    const map = pending.current;
    map.set(guid, { ...map.get(guid), ...change });
  };

  useRealtimeEvent('device_status_changed', DeviceStatusChangedSchema, (e) => {
    queue(e.guid, { status: e.status, last_seen: e.last_seen });
    if (statusSince.current === 0) statusSince.current = Date.now();
  });

  useRealtimeEvent('device_metrics', DeviceMetricsEventSchema, (e) => {
    queue(e.guid, {
      status: 'Online',
      last_seen: e.ts,
      ...(e.cpu_percent !== null ? { cpu_percent: e.cpu_percent } : {}),
      ...(e.memory_percent !== null ? { memory_percent: e.memory_percent } : {}),
    });
  });

  useEffect(() => {
    const timer = window.setInterval(() => {
      const changes = pending.current;
      if (changes.size > 0) {
        pending.current = new Map();
        patchCachedDevices(queryClient, changes);
      }
      const now = Date.now();
      const since = statusSince.current;
      if (
        since !== 0 &&
        now - since >= REFETCH_DELAY_MS &&
        now - lastRefetch.current >= REFETCH_AT_MOST_EVERY_MS
      ) {
        statusSince.current = 0;
        lastRefetch.current = now;
        void invalidateDeviceLists(queryClient);
      }
    }, FLUSH_EVERY_MS);
    return () => window.clearInterval(timer);
  }, [queryClient]);
}
