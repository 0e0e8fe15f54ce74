// Injectable time source, so rotation and schedules are testable without sleeping.
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local calendar day, YYYY-MM-DD: the suffix of a rotated log file. */
export function dayStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Local time, YYYY-MM-DD HH:MM:SS. */
export function timeStamp(ms: number): string {
  const d = new Date(ms);
  return `${dayStamp(ms)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
