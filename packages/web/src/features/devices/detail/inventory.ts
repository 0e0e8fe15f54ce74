// Safe reads from the inventory JSON an agent reported (summary, cpu, memory, storage, network):
// the engine stores it as the agent sent it, so every field is checked for its type here and
// anything else is treated as missing. Values are returned as plain strings/numbers for text nodes.

export type Json = Record<string, unknown> | null | undefined;

/** A string (or finite number, shown as written) at `key`; null when absent, empty or another type. */
export function str(obj: Json, key: string): string | null {
  const v = obj?.[key];
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** A finite number at `key` (numeric strings accepted); null otherwise. */
export function num(obj: Json, key: string): number | null {
  const v = obj?.[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** The strings of an array at `key`, skipping anything that is not a string. */
export function strList(obj: Json, key: string): string[] {
  const v = obj?.[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Role health of the heartbeat: role name → {status, detail}. */
export interface RoleHealth {
  role: string;
  status: string;
  detail: string | null;
}

export function roleHealthOf(obj: Json): RoleHealth[] {
  if (!obj) return [];
  return Object.entries(obj)
    .map(([role, value]) => {
      const v =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
      return { role, status: str(v, 'status') ?? 'unknown', detail: str(v, 'detail') };
    })
    .sort((a, b) => a.role.localeCompare(b.role));
}

export const HEALTH_COLORS: Record<string, string> = {
  ok: 'green',
  degraded: 'orange',
  failed: 'red',
  stopped: 'gray',
};
