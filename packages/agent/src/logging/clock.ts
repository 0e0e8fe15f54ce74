// Injectable time source for the agent (log rotation, token expiry, schedules) and the two
// timestamp formats its logs use: local day YYYY-MM-DD and local time YYYY-MM-DD HH:MM:SS.
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local calendar day, YYYY-MM-DD: the suffix a rotated log file gets. */
export function dayStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local time, YYYY-MM-DD HH:MM:SS: the prefix of every log line. */
export function timeStamp(ms: number): string {
  const d = new Date(ms);
  return `${dayStamp(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** UTC time, YYYY-MM-DD HH:MM:SS: the wire format of `last_reboot`. */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
