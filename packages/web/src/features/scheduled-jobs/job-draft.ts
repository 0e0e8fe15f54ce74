// The editor's working copy of a scheduled job: built empty or from a saved job, turned into the
// POST/PUT body (components in order with typed variable values, targets, schedule with wall-clock
// start/end in the job's zone, expiration window, execution context) and back.
import type {
  AssemblySummary,
  ScheduledJob,
  ScheduledJobInput,
  ScheduledTarget,
  ScheduleSpec,
  ScheduleType,
} from '@borealis/protocol';
import { initialRunValues, runValuesBody, type RunValue } from '../jobs/RunVariableInput';

export interface ComponentDraft {
  /** Stable React key (a job may list the same assembly twice). */
  key: string;
  assembly_guid: string;
  values: Record<string, RunValue>;
}

export interface JobDraft {
  name: string;
  components: ComponentDraft[];
  targets: ScheduledTarget[];
  type: ScheduleType;
  /** "YYYY-MM-DDTHH:MM" wall clock in `timezone`, or ''. */
  start: string;
  cron: string;
  timezone: string;
  end: string;
  expiration: string;
  executionContext: string;
  enabled: boolean;
}

export const browserTimeZone = (): string =>
  Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Every IANA zone the browser knows, UTC first. */
export function timeZones(): string[] {
  const zones = Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC');
  return ['UTC', ...zones];
}

/** Now, rounded up to the next whole hour, as a wall clock in `zone`. */
export function nextHourIn(zone: string): string {
  const next = Math.ceil((Date.now() + 60_000) / 3_600_000) * 3_600_000;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(next));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

let keySeq = 0;
export const newKey = () => `c${++keySeq}`;

export function emptyDraft(): JobDraft {
  const timezone = browserTimeZone();
  return {
    name: '',
    components: [],
    targets: [],
    type: 'daily',
    start: nextHourIn(timezone),
    cron: '0 3 * * *',
    timezone,
    end: '',
    expiration: 'no_expire',
    executionContext: 'system',
    enabled: true,
  };
}

export function draftFromJob(job: ScheduledJob): JobDraft {
  return {
    name: job.name,
    components: job.components.map((c) => ({
      key: newKey(),
      assembly_guid: c.assembly_guid,
      values: { ...c.variable_values },
    })),
    targets: job.targets,
    type: job.schedule.type,
    start: job.schedule.start ?? '',
    cron: job.schedule.cron ?? '',
    timezone: job.schedule.timezone,
    end: job.schedule.end ?? '',
    expiration: job.duration.expiration,
    executionContext: job.execution_context,
    enabled: job.enabled,
  };
}

/** A fresh component for `assembly` with its variables at their defaults. */
export function componentFor(assembly: AssemblySummary): ComponentDraft {
  return {
    key: newKey(),
    assembly_guid: assembly.assembly_guid,
    values: initialRunValues(assembly.variables),
  };
}

/** Types whose occurrences are anchored on `start` (all but `immediately` and cron). */
export const needsStart = (type: ScheduleType) => type !== 'immediately' && type !== 'cron';

export function scheduleOf(d: JobDraft): ScheduleSpec {
  return {
    type: d.type,
    start: needsStart(d.type) || (d.type === 'cron' && d.start) ? d.start || null : null,
    cron: d.type === 'cron' ? d.cron.trim() : null,
    timezone: d.timezone,
    end: d.end || null,
  };
}

export function bodyOf(d: JobDraft, assemblies: AssemblySummary[]): ScheduledJobInput {
  return {
    name: d.name.trim(),
    components: d.components.map((c) => {
      const variables = assemblies.find((a) => a.assembly_guid === c.assembly_guid)?.variables;
      return {
        type: 'script' as const,
        assembly_guid: c.assembly_guid,
        variable_values: variables ? runValuesBody(variables, c.values) : {},
      };
    }),
    targets: d.targets,
    schedule: scheduleOf(d),
    duration: { stopAfterEnabled: d.expiration !== 'no_expire', expiration: d.expiration },
    execution_context: d.executionContext,
    enabled: d.enabled,
  };
}

/** Same target (for de-duplication and removal). */
export function sameTarget(a: ScheduledTarget, b: ScheduledTarget): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
