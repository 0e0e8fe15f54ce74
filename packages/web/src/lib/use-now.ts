// The current time for countdowns, ticking once a second while any component shows one (one
// shared timer), so render code never reads the clock itself.
import { useSyncExternalStore } from 'react';

const TICK_MS = 1_000;
let now = Date.now();
let timer: number | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  now = Date.now();
  timer ??= window.setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      window.clearInterval(timer);
      timer = undefined;
    }
  };
}

/** Epoch ms, updated every second while mounted. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}
