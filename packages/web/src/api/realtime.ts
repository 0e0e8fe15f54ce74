// Live engine events for operator pages: one shared Socket.IO connection to the `/ui` namespace
// (same origin, session cookie, websocket transport), opened while at least one component listens
// and closed shortly after the last one leaves. Payloads are parsed with the protocol's schemas;
// events that do not match are dropped. Serves `device_status_changed`, `device_metrics`,
// `device_activity_changed` and `job_output` (after `subscribe_job`, renewed on every reconnect).
import { SUBSCRIBE_JOB_EVENT, UI_NAMESPACE, UNSUBSCRIBE_JOB_EVENT } from '@borealis/protocol';
import { useEffect, useEffectEvent, useSyncExternalStore } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';

/** A refused handshake (e.g. the session cookie arrived late) is retried after this delay. */
const RETRY_AFTER_REFUSAL_MS = 5_000;
/** Navigating between two live pages must not drop and re-open the connection. */
const CLOSE_AFTER_IDLE_MS = 1_000;

let socket: Socket | null = null;
let users = 0;
let connected = false;
let retryTimer: number | undefined;
let closeTimer: number | undefined;
const connectionListeners = new Set<() => void>();
/** Job / run ids whose live output this tab watches, with how many components watch each. */
const watchedJobs = new Map<string, number>();

function setConnected(value: boolean): void {
  if (connected === value) return;
  connected = value;
  for (const listener of connectionListeners) listener();
}

function open(): Socket {
  const s = io(UI_NAMESPACE, {
    transports: ['websocket'],
    withCredentials: true,
    reconnectionDelay: 1_000,
    reconnectionDelayMax: 10_000,
  });
  s.on('connect', () => {
    setConnected(true);
    // Rooms belong to the connection: join them again after every (re)connect.
    for (const id of watchedJobs.keys())
      s.emit(SUBSCRIBE_JOB_EVENT, { job_id: id }, () => undefined);
  });
  s.on('disconnect', () => setConnected(false));
  s.on('connect_error', () => {
    setConnected(false);
    // The namespace middleware refused us: socket.io does not retry that by itself.
    if (!s.active) {
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(() => {
        if (socket === s && users > 0) s.connect();
      }, RETRY_AFTER_REFUSAL_MS);
    }
  });
  return s;
}

function acquire(): Socket {
  users += 1;
  window.clearTimeout(closeTimer);
  socket ??= open();
  return socket;
}

function release(): void {
  users -= 1;
  if (users > 0) return;
  window.clearTimeout(closeTimer);
  closeTimer = window.setTimeout(() => {
    if (users > 0 || !socket) return;
    window.clearTimeout(retryTimer);
    socket.removeAllListeners();
    socket.disconnect();
    socket = null;
    setConnected(false);
  }, CLOSE_AFTER_IDLE_MS);
}

/** Calls `handler` with every `event` whose payload parses with `schema`, while mounted. */
export function useRealtimeEvent<S extends z.ZodType>(
  event: string,
  schema: S,
  handler: (payload: z.output<S>) => void,
): void {
  const onPayload = useEffectEvent((payload: z.output<S>) => handler(payload));
  useEffect(() => {
    const s = acquire();
    const listener = (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (parsed.success) onPayload(parsed.data);
    };
    s.on(event, listener);
    return () => {
      s.off(event, listener);
      release();
    };
  }, [event, schema]);
}

/**
 * Joins the live output room of a quick job or of one run (`subscribe_job`) while mounted; the
 * chunks arrive as `job_output` events (listen with useRealtimeEvent). `null` watches nothing.
 */
export function useJobSubscription(jobId: string | null): void {
  useEffect(() => {
    if (!jobId) return;
    const s = acquire();
    const count = watchedJobs.get(jobId) ?? 0;
    watchedJobs.set(jobId, count + 1);
    if (count === 0 && s.connected) {
      s.emit(SUBSCRIBE_JOB_EVENT, { job_id: jobId }, () => undefined);
    }
    return () => {
      const left = (watchedJobs.get(jobId) ?? 1) - 1;
      if (left > 0) watchedJobs.set(jobId, left);
      else {
        watchedJobs.delete(jobId);
        if (s.connected) s.emit(UNSUBSCRIBE_JOB_EVENT, { job_id: jobId }, () => undefined);
      }
      release();
    };
  }, [jobId]);
}

function subscribeConnection(listener: () => void): () => void {
  connectionListeners.add(listener);
  return () => connectionListeners.delete(listener);
}

/** True while the live connection is up (for a "Live" indicator). */
export function useRealtimeConnected(): boolean {
  return useSyncExternalStore(subscribeConnection, () => connected);
}
