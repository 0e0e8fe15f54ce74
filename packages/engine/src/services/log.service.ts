// Log management over Engine/Logs: families (`<name>.log` + rotated `<name>.log.YYYY-MM-DD`), a
// parsed tail of one file, the retention policy (retention_policy.json; default keep forever) that
// prunes rotated files only, and truncate/delete. Names are validated and resolved inside the Logs
// folder only; symlinks and anything else there are ignored.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LogEntry, LogFamily } from '@borealis/protocol';
import { dayStamp, type Clock } from '../logging/clock.js';
import { badRequest, notFound } from '../http/errors.js';

export interface RetentionPolicy {
  default_days: number | null;
  overrides: Record<string, number | null>;
}

export interface RetentionUpdate {
  default_days?: number | null;
  overrides?: Record<string, number | null>;
}

export const RETENTION_FILE = 'retention_policy.json';
const FAMILY_RE = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const LIVE_RE = /^(.+)\.log$/;
const ROTATED_RE = /^(.+)\.log\.(\d{4}-\d{2}-\d{2})$/;
const DAY_MS = 86_400_000;
const TAIL_CHUNK = 64 * 1024;
const TAIL_MAX_BYTES = 8 * 1024 * 1024;

const ENGINE_LINE =
  /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3})-(.+?)-(DEBUG|INFO|WARNING|ERROR|CRITICAL): ?(.*)$/;
const SERVICE_LINE =
  /^\[(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\] \[([A-Z]+)\]\[CONTEXT-([^\]]*)\] ?(.*)$/;

/** One line of an engine-style or service-style log, split into its parts (nulls when unrecognised). */
export function parseLogLine(raw: string, family: string): LogEntry {
  const e = ENGINE_LINE.exec(raw);
  if (e)
    return { timestamp: e[1]!, level: e[3]!, scope: null, service: e[2]!, message: e[4]!, raw };
  const s = SERVICE_LINE.exec(raw);
  if (s)
    return { timestamp: s[1]!, level: s[2]!, scope: s[3]!, service: family, message: s[4]!, raw };
  return { timestamp: null, level: null, scope: null, service: family, message: raw, raw };
}

interface Target {
  family: string;
  /** A specific rotated file the name pointed at, or null for the family's live file. */
  rotated: string | null;
}

interface FamilyFiles {
  live: { size: number; mtime: number } | null;
  rotations: { file: string; date: string; size: number }[];
}

export class LogService {
  constructor(
    private readonly dir: string,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<{
    logs: LogFamily[];
    default_retention_days: number | null;
    overrides: Record<string, number | null>;
  }> {
    const [families, policy] = await Promise.all([this.scan(), this.policy()]);
    const logs = [...families.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, f]) => ({
        name,
        file: `${name}.log`,
        size_bytes: f.live?.size ?? 0,
        modified_at: f.live?.mtime ?? null,
        rotations: f.rotations.map((r) => ({ file: r.file, date: r.date, size_bytes: r.size })),
        retention_days: daysFor(policy, name),
      }));
    return { logs, default_retention_days: policy.default_days, overrides: policy.overrides };
  }

  /** The last `limit` lines of a family's live file (or of one rotated file), oldest first. */
  async entries(name: string, limit: number): Promise<{ name: string; entries: LogEntry[] }> {
    const target = resolveName(name);
    const files = (await this.scan()).get(target.family);
    if (!files || (target.rotated && !files.rotations.some((r) => r.file === target.rotated))) {
      throw logNotFound(name);
    }
    const file = target.rotated ?? `${target.family}.log`;
    const lines =
      files.live || target.rotated ? await tailLines(path.join(this.dir, file), limit) : [];
    return { name: target.family, entries: lines.map((l) => parseLogLine(l, target.family)) };
  }

  /** Replaces the given parts of the policy (overrides as a whole), saves it, then prunes. */
  async updateRetention(update: RetentionUpdate): Promise<RetentionPolicy & { pruned: string[] }> {
    const current = await this.policy();
    const next: RetentionPolicy = {
      default_days: update.default_days === undefined ? current.default_days : update.default_days,
      overrides: current.overrides,
    };
    if (update.overrides) {
      const entries = Object.entries(update.overrides).map(([key, days]) => {
        const family = key.replace(/\.log$/, '');
        if (!FAMILY_RE.test(family)) {
          throw badRequest('invalid_log_name', `"${key}" is not a log name.`, 'overrides');
        }
        return [family, days] as const;
      });
      next.overrides = Object.fromEntries(entries);
    }
    await fs.mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, RETENTION_FILE);
    await fs.writeFile(`${file}.tmp`, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o640 });
    await fs.rename(`${file}.tmp`, file);
    return { ...next, pruned: await this.prune(next) };
  }

  /** Deletes rotated files older than the saved policy allows (never a live file); for a daily timer. */
  async pruneRotated(): Promise<string[]> {
    return this.prune(await this.policy());
  }

  /** scope=file: truncate the live file, or delete the named rotated file; scope=family: both kinds. */
  async delete(
    name: string,
    scope: 'file' | 'family',
  ): Promise<{ deleted: string[]; truncated: string[] }> {
    const target = resolveName(name);
    const files = (await this.scan()).get(target.family);
    if (!files || (target.rotated && !files.rotations.some((r) => r.file === target.rotated))) {
      throw logNotFound(name);
    }
    const deleted: string[] = [];
    const truncated: string[] = [];
    if (scope === 'family' || !target.rotated) {
      if (files.live) {
        // The engine keeps the live file open for appending: truncate it in place, never unlink.
        await fs.truncate(path.join(this.dir, `${target.family}.log`), 0);
        truncated.push(`${target.family}.log`);
      }
    }
    const doomed =
      scope === 'family'
        ? files.rotations.map((r) => r.file)
        : target.rotated
          ? [target.rotated]
          : [];
    for (const file of doomed) {
      await fs.rm(path.join(this.dir, file), { force: true });
      deleted.push(file);
    }
    return { deleted, truncated };
  }

  private async prune(policy: RetentionPolicy): Promise<string[]> {
    const pruned: string[] = [];
    const now = this.clock.now();
    for (const [name, f] of await this.scan()) {
      const days = daysFor(policy, name);
      if (days === null) continue;
      const cutoff = dayStamp(now - days * DAY_MS);
      for (const r of f.rotations) {
        if (r.date < cutoff) {
          await fs.rm(path.join(this.dir, r.file), { force: true });
          pruned.push(r.file);
        }
      }
    }
    return pruned.sort();
  }

  private async policy(): Promise<RetentionPolicy> {
    let text: string;
    try {
      text = await fs.readFile(path.join(this.dir, RETENTION_FILE), 'utf8');
    } catch {
      return { default_days: null, overrides: {} };
    }
    try {
      const raw = JSON.parse(text) as Partial<RetentionPolicy>;
      const days = (v: unknown) =>
        typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
      const overrides = Object.fromEntries(
        Object.entries(raw.overrides ?? {})
          .filter(([k]) => FAMILY_RE.test(k))
          .map(([k, v]) => [k, days(v)] as const),
      );
      return { default_days: days(raw.default_days), overrides };
    } catch {
      // An unreadable policy must never delete anything: fall back to keep-forever.
      return { default_days: null, overrides: {} };
    }
  }

  /** Regular files directly in the Logs folder, grouped by family. */
  private async scan(): Promise<Map<string, FamilyFiles>> {
    const families = new Map<string, FamilyFiles>();
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return families;
    }
    const familyOf = (n: string) => {
      let f = families.get(n);
      if (!f) families.set(n, (f = { live: null, rotations: [] }));
      return f;
    };
    for (const file of names) {
      const rotated = ROTATED_RE.exec(file);
      const live = rotated ? null : LIVE_RE.exec(file);
      const family = rotated?.[1] ?? live?.[1];
      if (!family || !FAMILY_RE.test(family)) continue;
      const st = await fs.lstat(path.join(this.dir, file)).catch(() => null);
      if (!st?.isFile()) continue;
      if (rotated) familyOf(family).rotations.push({ file, date: rotated[2]!, size: st.size });
      else familyOf(family).live = { size: st.size, mtime: Math.round(st.mtimeMs) };
    }
    for (const f of families.values()) f.rotations.sort((a, b) => b.date.localeCompare(a.date));
    return families;
  }
}

function daysFor(policy: RetentionPolicy, family: string): number | null {
  return Object.hasOwn(policy.overrides, family) ? policy.overrides[family]! : policy.default_days;
}

function logNotFound(name: string) {
  return notFound('log_not_found', `No log named "${name}".`);
}

/** `engine`, `engine.log` → the family; `engine.log.2026-01-02` → one rotated file of it. */
function resolveName(name: string): Target {
  const rotated = ROTATED_RE.exec(name);
  const family = rotated?.[1] ?? name.replace(/\.log$/, '');
  if (!FAMILY_RE.test(family)) throw logNotFound(name);
  return { family, rotated: rotated ? name : null };
}

/** The last `limit` complete lines of a file, reading backwards from its end (never the whole file). */
async function tailLines(file: string, limit: number): Promise<string[]> {
  const handle = await fs.open(file, 'r').catch(() => null);
  if (!handle) return [];
  try {
    const { size } = await handle.stat();
    const chunks: Buffer[] = [];
    let pos = size;
    let newlines = 0;
    while (pos > 0 && newlines <= limit && size - pos < TAIL_MAX_BYTES) {
      const len = Math.min(TAIL_CHUNK, pos);
      pos -= len;
      const buf = Buffer.alloc(len);
      await handle.read(buf, 0, len, pos);
      chunks.unshift(buf);
      for (const b of buf) if (b === 0x0a) newlines++;
    }
    const lines = Buffer.concat(chunks).toString('utf8').split('\n');
    if (pos > 0) lines.shift(); // the first piece is the end of a line we did not read whole
    if (lines.at(-1) === '') lines.pop();
    return lines.map((l) => l.replace(/\r$/, '')).slice(-limit);
  } finally {
    await handle.close();
  }
}
