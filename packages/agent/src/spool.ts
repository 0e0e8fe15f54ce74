// The durable job outbox (Agent/Borealis/Spool): one `<job_id>.json` (0600, written atomically)
// per job, received → running → done(result), removed only when the engine acks the result; plus
// `seen.index.json`, the ids of every job accepted in the last 7 days (at least until its expiry),
// so a duplicate delivery never runs a script twice — even after the entry itself is gone.
import fs from 'node:fs';
import path from 'node:path';
import {
  QuickJobResultSchema,
  type QuickJobResult,
  type RunMode,
  type ScriptType,
} from '@borealis/protocol';
import { ensureDir, readJson, writeFileAtomic } from './files.js';
import { JOB_ID_RE } from './exec/job-check.js';
import type { Clock } from './logging/clock.js';

export const SEEN_TTL_MS = 7 * 24 * 3600_000;
const INDEX_FILE = 'seen.index.json';

export type SpoolState = 'received' | 'running' | 'done';

export interface SpoolEntry {
  v: 1;
  job_id: string;
  state: SpoolState;
  run_mode: RunMode;
  script_type: ScriptType;
  received_at: number;
  expires_at: number;
  updated_at: number;
  /** Group leader of the run (also its process group id) and its /proc start time. */
  pid: number | null;
  pid_start: string | null;
  started_at: number | null;
  result: QuickJobResult | null;
}

function isEntry(x: unknown): x is SpoolEntry {
  const e = x as Partial<SpoolEntry> | null;
  return (
    !!e &&
    e.v === 1 &&
    typeof e.job_id === 'string' &&
    JOB_ID_RE.test(e.job_id) &&
    (e.state === 'received' || e.state === 'running' || e.state === 'done') &&
    (e.state !== 'done' || QuickJobResultSchema.safeParse(e.result).success)
  );
}

export class Spool {
  /** job id → keep-until (epoch ms). */
  private seen = new Map<string, number>();
  private readonly entries = new Map<string, SpoolEntry>();

  constructor(
    readonly dir: string,
    private readonly clock: Clock,
    /** Told about files set aside or given up on (for the log). */
    private readonly note: (msg: string) => void = () => undefined,
  ) {}

  /** Creates the directory (0700), loads entries and the index, drops expired ids and stray temp files. */
  load(): void {
    ensureDir(this.dir, 0o700);
    this.entries.clear();
    const now = this.clock.now();
    const index = readJson(path.join(this.dir, INDEX_FILE)) as {
      jobs?: Record<string, unknown>;
    } | null;
    this.seen = new Map(
      Object.entries(index?.jobs ?? {}).filter(
        (kv): kv is [string, number] => typeof kv[1] === 'number' && kv[1] > now,
      ),
    );
    for (const name of fs.readdirSync(this.dir)) {
      const file = path.join(this.dir, name);
      if (name.startsWith('.') && name.endsWith('.tmp')) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (name === INDEX_FILE || !name.endsWith('.json')) continue;
      const entry = readJson(file);
      if (!isEntry(entry) || `${entry.job_id}.json` !== name) {
        fs.renameSync(file, `${file}.corrupt`);
        this.note(`spool file ${name} is unreadable; set aside as ${name}.corrupt`);
        continue;
      }
      if (entry.state === 'done' && now - entry.updated_at > SEEN_TTL_MS) {
        fs.rmSync(file, { force: true });
        this.note(`result of job ${entry.job_id} was never acknowledged in 7 days; dropped`);
        continue;
      }
      this.entries.set(entry.job_id, entry);
      this.remember(entry.job_id, entry.expires_at, false);
    }
    this.saveIndex();
  }

  /** Accepted before (in the spool now, or within the seen window). */
  known(jobId: string): boolean {
    return this.entries.has(jobId) || this.seen.has(jobId);
  }

  get(jobId: string): SpoolEntry | null {
    return this.entries.get(jobId) ?? null;
  }

  all(): SpoolEntry[] {
    return [...this.entries.values()];
  }

  /** Done entries whose result the engine has not acknowledged yet, oldest first. */
  unacked(): SpoolEntry[] {
    return this.all()
      .filter((e) => e.state === 'done')
      .sort((a, b) => a.updated_at - b.updated_at);
  }

  /** Records a newly accepted job (durably, before the engine is told). */
  receive(x: {
    job_id: string;
    run_mode: RunMode;
    script_type: ScriptType;
    expires_at: number;
  }): SpoolEntry {
    const now = this.clock.now();
    // Only these fields: the payload's script and variables (possibly secrets) never touch disk.
    const entry: SpoolEntry = {
      v: 1,
      job_id: x.job_id,
      run_mode: x.run_mode,
      script_type: x.script_type,
      expires_at: x.expires_at,
      state: 'received',
      received_at: now,
      updated_at: now,
      pid: null,
      pid_start: null,
      started_at: null,
      result: null,
    };
    this.write(entry);
    this.remember(x.job_id, x.expires_at, true);
    return entry;
  }

  running(jobId: string, pid: number, pidStart: string | null, startedAt: number): void {
    const e = this.entries.get(jobId);
    if (e)
      this.write({
        ...e,
        state: 'running',
        pid,
        pid_start: pidStart,
        started_at: startedAt,
        updated_at: this.clock.now(),
      });
  }

  complete(jobId: string, result: QuickJobResult): SpoolEntry | null {
    const e = this.entries.get(jobId);
    if (!e) return null;
    const done: SpoolEntry = { ...e, state: 'done', result, updated_at: this.clock.now() };
    this.write(done);
    return done;
  }

  /** The engine acked the result: the entry goes, the id stays in the seen index. */
  remove(jobId: string): void {
    this.entries.delete(jobId);
    fs.rmSync(this.file(jobId), { force: true });
  }

  /** A job that was refused after all (e.g. the user helper rejected it): not run, not remembered. */
  forget(jobId: string): void {
    this.remove(jobId);
    if (this.seen.delete(jobId)) this.saveIndex();
  }

  private file(jobId: string): string {
    return path.join(this.dir, `${jobId}.json`);
  }

  private write(entry: SpoolEntry): void {
    writeFileAtomic(this.file(entry.job_id), `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    this.entries.set(entry.job_id, entry);
  }

  private remember(jobId: string, expiresAt: number, save: boolean): void {
    const now = this.clock.now();
    const keep = Math.max(now + SEEN_TTL_MS, expiresAt + 24 * 3600_000, this.seen.get(jobId) ?? 0);
    this.seen.set(jobId, keep);
    for (const [id, until] of this.seen) if (until <= now) this.seen.delete(id);
    if (save) this.saveIndex();
  }

  private saveIndex(): void {
    writeFileAtomic(
      path.join(this.dir, INDEX_FILE),
      `${JSON.stringify({ v: 1, jobs: Object.fromEntries(this.seen) })}\n`,
      { mode: 0o600 },
    );
  }
}
