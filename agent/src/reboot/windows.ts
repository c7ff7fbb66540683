// Maintenance windows (no reboots inside one): weekly ("sat 01:00–05:00" in the site's time zone; a window
// whose `to` is before its `from` runs past midnight into the next day) or one-off (start/end date-times).
import type { MaintenanceWindow } from '../config/types.ts';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Day of week (0 = Sunday) and minute of day of `at` in `timezone`. */
export function localTime(at: Date, timezone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = DAYS.indexOf(get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  return { day, minute: Number(get('hour')) * 60 + Number(get('minute')) };
}

function weeklyActive(w: MaintenanceWindow, day: number, minute: number): boolean {
  if (w.from === undefined || w.to === undefined) return false;
  const from = minutes(w.from);
  const to = minutes(w.to);
  const onDay = (d: number) => !w.days || w.days.includes(DAYS[(d + 7) % 7]!);
  if (from < to) return onDay(day) && minute >= from && minute < to;
  // Past midnight: the evening part belongs to the listed day, the morning part to the day after it.
  return (onDay(day) && minute >= from) || (onDay(day - 1) && minute < to);
}

/** The window `at` falls in, if any. */
export function activeWindow(windows: readonly MaintenanceWindow[], timezone: string, at: Date): MaintenanceWindow | undefined {
  if (windows.length === 0) return undefined;
  const { day, minute } = localTime(at, timezone);
  return windows.find((w) => {
    if (w.start !== undefined && w.end !== undefined) return at.getTime() >= Date.parse(w.start) && at.getTime() < Date.parse(w.end);
    return weeklyActive(w, day, minute);
  });
}

export function describeWindow(w: MaintenanceWindow): string {
  if (w.start !== undefined) return `${w.start} – ${w.end ?? ''}`;
  return `${w.days ? w.days.join(',') : 'daily'} ${w.from ?? ''}–${w.to ?? ''}`;
}
