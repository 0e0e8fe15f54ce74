// Scheduled jobs (reference §2.7, §8): validates and stores job definitions (assemblies, targets,
// schedule with IANA zone and cron, expiration, execution context), builds the API view with
// next_run_ts / last_status / result_counts from real outcomes, and serves runs, per-device
// status, run_now, toggle and the schedule preview. Emits `scheduled_job_changed` to UIs.
import crypto from 'node:crypto';
import {
  EXECUTION_CONTEXTS,
  MISSED_WINDOW_MS,
  QUICK_JOB_SCRIPT_MAX_BYTES,
  SCHEDULED_JOB_CHANGED_EVENT,
  SCRIPT_TYPES,
  type Assembly,
  type ScheduledJob,
  type ScheduledJobChanged,
  type ScheduledJobInput,
  type ScheduledJobUpdate,
  type ScheduledDevicesView,
  type ScheduledOccurrence,
  type ScheduledTarget,
  type ScheduleSpec,
} from '@borealis/protocol';
import type {
  OccurrenceRow,
  ScheduledJobRepository,
  ScheduledJobRow,
} from '../db/repositories/scheduled-job.repository.js';
import { AppError, badRequest, notFound } from '../http/errors.js';
import type { Clock } from '../logging/clock.js';
import type { Logger } from '../logging/log-manager.js';
import { NO_EXPIRE, parseExpiration } from '../scheduler/expiration.js';
import { OccurrenceRunner } from '../scheduler/occurrence.js';
import {
  countResults,
  lastStatus,
  resolveJobTargets,
  sameSchedule,
  scheduleFields,
  scheduleOfRow,
  type StoredComponent,
  type TargetLookup,
} from '../scheduler/occurrence-rules.js';
import {
  floorMinute,
  formatWall,
  nextAfter,
  nextOccurrences,
  wallOf,
  type Schedule,
} from '../scheduler/schedule.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { EventSink } from './events.js';
import { guidFromScriptPath } from './job.service.js';
import { resolveVariables } from './job-variables.js';

export interface ScheduledJobServiceDeps {
  repo: ScheduledJobRepository;
  runner: OccurrenceRunner;
  scheduler: Scheduler;
  targets: TargetLookup;
  assemblies: { get(guid: string): Promise<Assembly> };
  credentials: { get(id: string): Promise<unknown> };
  presence: { statusOf(guid: string, lastSeen: number | null): string };
  events: EventSink;
  clock: Clock;
  log: Logger;
  historyDays: number;
}

type ScheduledDevices = ScheduledDevicesView;

const DAY_MS = 86_400_000;
const SCRIPT_KINDS = new Set<string>(SCRIPT_TYPES);
const jobNotFound = (id: string) => notFound('scheduled_job_not_found', `No scheduled job ${id}.`);

export class ScheduledJobService {
  constructor(private readonly d: ScheduledJobServiceDeps) {}

  private changed(job_id: string, change: ScheduledJobChanged['change']): void {
    const event: ScheduledJobChanged = { job_id, change };
    this.d.events.toUi(SCHEDULED_JOB_CHANGED_EVENT, event);
  }

  private async mustFind(id: string): Promise<ScheduledJobRow> {
    const row = await this.d.repo.findJob(id);
    if (!row) throw jobNotFound(id);
    return row;
  }

  private async component(
    c: ScheduledJobInput['components'][number],
    i: number,
  ): Promise<StoredComponent> {
    const at = `components.${i}`;
    const guid = c.assembly_guid ?? (c.path ? guidFromScriptPath(c.path) : '');
    const guidField = c.assembly_guid || !c.path ? `${at}.assembly_guid` : `${at}.path`;
    if (!guid) throw badRequest('assembly_required', 'Give assembly_guid or path.', guidField);
    let assembly: Assembly;
    try {
      assembly = await this.d.assemblies.get(guid);
    } catch (err) {
      if (err instanceof AppError && err.statusCode === 404) {
        throw badRequest('assembly_not_found', `No assembly ${guid}.`, guidField);
      }
      throw err;
    }
    if (assembly.assembly_kind !== 'script' || !SCRIPT_KINDS.has(assembly.assembly_type)) {
      throw badRequest('unsupported_assembly', `Assembly ${guid} is not a script.`, guidField);
    }
    const bytes = Buffer.byteLength(assembly.payload.script.replace(/\r\n/g, '\n'), 'utf8');
    if (bytes > QUICK_JOB_SCRIPT_MAX_BYTES) {
      throw badRequest('script_too_large', `Assembly ${guid}'s script is too large.`, guidField);
    }
    const values: StoredComponent['variable_values'] = {};
    for (const v of c.variables ?? [])
      if (v.value !== null && v.value !== undefined) values[v.name] = v.value;
    Object.assign(values, c.variable_values ?? {});
    try {
      await resolveVariables(assembly.payload.variables, values, this.d.credentials);
    } catch (err) {
      if (err instanceof AppError && err.extra.field) {
        throw badRequest(err.code, err.message, `${at}.${err.extra.field}`);
      }
      throw err;
    }
    return {
      type: 'script',
      assembly_guid: guid,
      ...(c.path ? { path: c.path } : {}),
      name: c.name ?? assembly.display_name,
      ...(c.description ? { description: c.description } : {}),
      variable_values: values,
    };
  }

  /** Everything but the schedule, validated; throws 400 naming the field. */
  private async definition(input: ScheduledJobUpdate) {
    const out: Partial<ScheduledJobRow> = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw badRequest('invalid_name', 'The name is empty.', 'name');
      out.name = name;
    }
    if (input.components) {
      const comps: StoredComponent[] = [];
      for (const [i, c] of input.components.entries()) comps.push(await this.component(c, i));
      out.components_json = JSON.stringify(comps);
    }
    if (input.targets) {
      await resolveJobTargets(input.targets, this.d.targets, true);
      out.targets_json = JSON.stringify(input.targets);
    }
    if (input.duration) {
      const exp = parseExpiration(input.duration.expiration);
      if (!exp) {
        throw badRequest(
          'invalid_expiration',
          'expiration must be like 30m, 1h, 2d, a number of minutes, or no_expire.',
          'duration.expiration',
        );
      }
      out.expiration = exp.text;
      out.duration_stop_enabled = input.duration.stopAfterEnabled ? 1 : 0;
    }
    if (input.execution_context !== undefined) {
      const ctx = input.execution_context.trim().toLowerCase();
      if (!(EXECUTION_CONTEXTS as readonly string[]).includes(ctx)) {
        throw badRequest(
          'unsupported_execution_context',
          `Execution context "${input.execution_context}" is not supported (system or current_user).`,
          'execution_context',
        );
      }
      out.execution_context = ctx;
    }
    if (input.enabled !== undefined) out.enabled = input.enabled ? 1 : 0;
    return out;
  }

  async create(input: ScheduledJobInput, by: string): Promise<ScheduledJob> {
    const now = this.d.clock.now();
    const schedule = scheduleFields(input.schedule, now);
    const def = await this.definition({
      duration: { stopAfterEnabled: false, expiration: NO_EXPIRE },
      ...input,
    });
    const row: ScheduledJobRow = {
      id: crypto.randomUUID(),
      name: def.name!,
      components_json: def.components_json!,
      targets_json: def.targets_json!,
      ...schedule,
      duration_stop_enabled: def.duration_stop_enabled ?? 0,
      expiration: def.expiration ?? NO_EXPIRE,
      execution_context: def.execution_context ?? 'system',
      enabled: def.enabled ?? 1,
      cursor_ts: floorMinute(now) - 1,
      created_by: by,
      created_at: now,
      updated_at: now,
    };
    await this.d.repo.insertJob(row);
    this.changed(row.id, 'created');
    await this.evaluateNow(row.id);
    return this.get(row.id);
  }

  async update(id: string, input: ScheduledJobUpdate): Promise<ScheduledJob> {
    const current = await this.mustFind(id);
    const now = this.d.clock.now();
    const patch: Partial<ScheduledJobRow> = await this.definition(input);
    let rearm = patch.enabled === 1 && current.enabled !== 1;
    if (input.schedule) {
      const next = scheduleFields(input.schedule, now);
      if (!sameSchedule(next, current)) {
        Object.assign(patch, next);
        rearm = true;
      }
    }
    if (rearm) {
      // Occurrences from the current minute on; none of the past ones count as missed.
      patch.cursor_ts = floorMinute(now) - 1;
      // An "immediately" job enabled before it ever ran runs now.
      const type = patch.schedule_type ?? current.schedule_type;
      if (type === 'immediately' && !(await this.d.repo.latestOccurrences([id])).has(id)) {
        patch.start_ts = now;
        patch.start_local = formatWall(wallOf(now, patch.timezone ?? current.timezone));
      }
    }
    patch.updated_at = now;
    if (!(await this.d.repo.updateJob(id, patch))) throw jobNotFound(id);
    this.changed(id, 'updated');
    if (rearm) await this.evaluateNow(id);
    return this.get(id);
  }

  async toggle(id: string, enabled: boolean): Promise<ScheduledJob> {
    return this.update(id, { enabled });
  }

  async delete(id: string): Promise<void> {
    if (!(await this.d.repo.deleteJob(id))) throw jobNotFound(id);
    this.changed(id, 'deleted');
  }

  /**
   * Fires what is due now for one job (e.g. "immediately"); idempotent with the ticks, and a
   * failure here only delays the occurrence to the next tick.
   */
  private async evaluateNow(id: string): Promise<void> {
    try {
      const row = await this.d.repo.findJob(id);
      if (row && row.enabled === 1) await this.d.scheduler.evaluate(row, this.d.clock.now());
    } catch (err) {
      this.d.log.error(`scheduled job ${id}: immediate evaluation failed: ${String(err)}`);
    }
  }

  /** POST /:id/run_now: one manual occurrence now, whatever the schedule or enabled flag. */
  async runNow(id: string, by: string): Promise<ScheduledOccurrence> {
    const job = await this.mustFind(id);
    const now = this.d.clock.now();
    for (let i = 0; i < 5; i++) {
      const occ = await this.d.runner.fire(job, now + i, 'manual', by);
      if (occ) return (await this.occurrenceViews([occ]))[0]!;
    }
    throw new AppError(409, 'run_now_busy', 'Another manual run was just started; try again.');
  }

  async occurrenceViews(rows: readonly OccurrenceRow[]): Promise<ScheduledOccurrence[]> {
    return (await this.d.runner.compute(rows)).map((c) => OccurrenceRunner.view(c));
  }

  /** GET /:id/runs: occurrences of the last `days` days (default: the retention), newest first. */
  async runs(id: string, q: { days?: number; limit: number }): Promise<ScheduledOccurrence[]> {
    await this.mustFind(id);
    const since = this.d.clock.now() - (q.days ?? this.d.historyDays) * DAY_MS;
    return this.occurrenceViews(await this.d.repo.occurrencesOf(id, since, q.limit));
  }

  /** DELETE /:id/runs: every occurrence but the newest (the reference's rule). */
  async clearRuns(id: string): Promise<{ cleared: number; kept_occurrence: number | null }> {
    await this.mustFind(id);
    const { cleared, kept } = await this.d.repo.clearHistory(id);
    this.changed(id, 'updated');
    return { cleared, kept_occurrence: kept ? Number(kept.scheduled_ts) : null };
  }

  /**
   * GET /:id/devices: every device's newest status for this job (live from its activity), plus
   * devices the targets resolve to now that no occurrence included yet ("Scheduled").
   */
  async deviceStatuses(id: string): Promise<ScheduledDevices> {
    const job = await this.mustFind(id);
    const latestRows = await this.d.repo.latestRunsPerDevice(id);
    const occs = await this.d.repo.occurrencesByIds([
      ...new Set(latestRows.map((r) => r.occurrence_id)),
    ]);
    const byRun = new Map(
      (await this.d.runner.compute(occs)).flatMap((c) =>
        c.targets.map((t) => [t.row.id, t] as const),
      ),
    );
    const current = await resolveJobTargets(JSON.parse(job.targets_json), this.d.targets, false);
    const keyOf = (guid: string | null, hostname: string) =>
      guid ?? `name:${hostname.toLowerCase()}`;
    const seen = new Set(latestRows.map((r) => keyOf(r.device_guid, r.hostname)));
    const guids = new Set<string>();
    for (const r of [...latestRows, ...current.map((t) => ({ device_guid: t.guid }))]) {
      if (r.device_guid) guids.add(r.device_guid);
    }
    const info = new Map((await this.d.repo.devicesInfo([...guids])).map((x) => [x.guid, x]));
    const device = (guid: string | null, hostname: string) => {
      const i = guid ? info.get(guid) : undefined;
      return {
        guid,
        hostname: i?.hostname ?? hostname,
        online: i ? this.d.presence.statusOf(i.guid, i.last_seen) === 'Online' : false,
        site_id: i?.site_id ?? null,
        site: i?.site_name ?? '',
      };
    };
    const devices: ScheduledDevices['devices'] = latestRows.map((r) => {
      const t = byRun.get(r.id);
      return {
        ...device(r.device_guid, r.hostname),
        job_status: t?.status ?? r.status,
        ran_on: t ? (t.started ?? t.finished) : null,
        occurrence_id: r.occurrence_id,
        scheduled_ts: Number(r.scheduled_ts),
        activity_ids: t?.activity.map((a) => a.id) ?? [],
        has_stdout: t?.activity.some((a) => a.has_stdout) ?? false,
        has_stderr: t?.activity.some((a) => a.has_stderr) ?? false,
      };
    });
    for (const t of current) {
      if (seen.has(keyOf(t.guid, t.hostname))) continue;
      devices.push({
        ...device(t.guid, t.hostname),
        job_status: 'Scheduled',
        ran_on: null,
        occurrence_id: null,
        scheduled_ts: null,
        activity_ids: [],
        has_stdout: false,
        has_stderr: false,
      });
    }
    devices.sort((a, b) => a.hostname.toLowerCase().localeCompare(b.hostname.toLowerCase()));
    const latest = (await this.d.repo.latestOccurrences([id])).get(id);
    return { occurrence: latest ? Number(latest.scheduled_ts) : null, devices };
  }

  /** The next fire time from the current minute on, if the job will fire again. */
  private nextRun(row: ScheduledJobRow, now: number): number | null {
    if (row.enabled !== 1) return null;
    const after = Math.max(Number(row.cursor_ts), now - MISSED_WINDOW_MS);
    return nextAfter(scheduleOfRow(row), after);
  }

  private async views(rows: readonly ScheduledJobRow[]): Promise<ScheduledJob[]> {
    const latest = await this.d.repo.latestOccurrences(rows.map((r) => r.id));
    const computed = new Map(
      (await this.d.runner.compute([...latest.values()])).map((c) => [c.row.job_id, c]),
    );
    const now = this.d.clock.now();
    return rows.map((r) => {
      const c = computed.get(r.id);
      const counts = c ? countResults(c.targets.map((t) => t.status)) : null;
      const stopAfter = r.duration_stop_enabled === 1;
      const components = JSON.parse(r.components_json) as StoredComponent[];
      const schedule = scheduleOfRow(r);
      return {
        id: r.id,
        name: r.name,
        components,
        targets: JSON.parse(r.targets_json) as ScheduledTarget[],
        schedule: {
          type: schedule.type,
          start: r.start_local,
          cron: r.cron,
          timezone: r.timezone,
          end: r.end_ts === null ? null : formatWall(wallOf(Number(r.end_ts), r.timezone)),
        },
        duration: { stopAfterEnabled: stopAfter, expiration: r.expiration },
        execution_context: r.execution_context,
        enabled: r.enabled === 1,
        schedule_type: schedule.type,
        start_ts: schedule.startTs,
        end_ts: schedule.endTs,
        duration_stop_enabled: stopAfter,
        expiration: r.expiration,
        created_by: r.created_by,
        created_at: Number(r.created_at),
        updated_at: Number(r.updated_at),
        next_run_ts: this.nextRun(r, now),
        last_run_ts: c ? Number(c.row.scheduled_ts) : null,
        latest_occurrence: c ? Number(c.row.scheduled_ts) : null,
        last_status: lastStatus(counts),
        result_counts: counts ?? countResults([]),
      };
    });
  }

  async list(): Promise<ScheduledJob[]> {
    return this.views(await this.d.repo.listJobs());
  }

  async get(id: string): Promise<ScheduledJob> {
    return (await this.views([await this.mustFind(id)]))[0]!;
  }

  /** The next `count` fire times of an unsaved schedule, from the current minute on. */
  preview(spec: ScheduleSpec, count: number) {
    const now = this.d.clock.now();
    const f = scheduleFields(spec, now);
    const s: Schedule = scheduleOfRow({ ...f } as ScheduledJobRow);
    const next = nextOccurrences(s, floorMinute(now) - 1, count);
    return {
      timezone: f.timezone,
      next: next.map((ts) => ({
        ts,
        iso: new Date(ts).toISOString(),
        local: formatWall(wallOf(ts, f.timezone)),
      })),
    };
  }
}
