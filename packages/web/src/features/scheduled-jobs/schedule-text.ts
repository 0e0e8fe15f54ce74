// Schedules in words for the list and editor ("Every day at 09:00 (Europe/Paris)"), and fire times
// shown as wall clocks in the job's own zone.
import type { ScheduledJob, ScheduleType } from '@borealis/protocol';

export const SCHEDULE_TYPE_LABELS: Record<ScheduleType, string> = {
  immediately: 'Immediately (once, on save)',
  once: 'Once',
  every_5_minutes: 'Every 5 minutes',
  every_10_minutes: 'Every 10 minutes',
  every_15_minutes: 'Every 15 minutes',
  every_30_minutes: 'Every 30 minutes',
  every_hour: 'Every hour',
  daily: 'Daily',
  weekly: 'Weekly',
  monthly: 'Monthly',
  yearly: 'Yearly',
  cron: 'Cron expression',
};

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface WallClock {
  year: number;
  month: number;
  day: number;
  time: string;
}

function parseWall(value: string | null): WallClock | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(value ?? '');
  if (!m) return null;
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), time: m[4]! };
}

const ordinal = (n: number) => {
  const suffix = n % 10 === 1 && n !== 11 ? 'st' : n % 10 === 2 && n !== 12 ? 'nd' : 'th';
  return `${n}${n % 10 === 3 && n !== 13 ? 'rd' : suffix}`;
};

/** "Every day at 09:00", "Every Monday at 07:30", "Cron 0 3 * * 1-5", … plus the zone. */
export function describeSchedule(s: ScheduledJob['schedule']): string {
  const w = parseWall(s.start);
  const at = w ? ` at ${w.time}` : '';
  const zone = ` (${s.timezone})`;
  const minutes = /^every_(\d+)_minutes$/.exec(s.type);
  let text: string;
  if (minutes) text = `Every ${minutes[1]} minutes${w ? ` from ${w.time}` : ''}`;
  else if (s.type === 'immediately') text = 'Once, when saved';
  else if (s.type === 'once')
    text = w ? `Once on ${w.day} ${MONTHS[w.month - 1]} ${w.year}${at}` : 'Once';
  else if (s.type === 'every_hour') text = `Every hour${w ? ` at minute ${w.time.slice(3)}` : ''}`;
  else if (s.type === 'daily') text = `Every day${at}`;
  else if (s.type === 'weekly') {
    const weekday = w ? WEEKDAYS[new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay()] : '';
    text = w ? `Every ${weekday}${at}` : 'Every week';
  } else if (s.type === 'monthly')
    text = w ? `Monthly on the ${ordinal(w.day)}${at}` : 'Every month';
  else if (s.type === 'yearly')
    text = w ? `Every year on ${w.day} ${MONTHS[w.month - 1]}${at}` : 'Every year';
  else text = `Cron ${s.cron ?? ''}`;
  return text + zone;
}

/** Epoch ms → "Mon 23 Nov 2026, 09:00" in `zone` (the job's time zone). */
export function formatInZone(ms: number | null | undefined, zone: string): string {
  if (ms === null || ms === undefined) return '—';
  try {
    return new Intl.DateTimeFormat(undefined, {
      timeZone: zone,
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).format(new Date(ms));
  } catch {
    return new Date(ms).toISOString();
  }
}
