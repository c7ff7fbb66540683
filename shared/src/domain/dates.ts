// Calendar-date helpers for the domain rules. Dates are 'YYYY-MM-DD' strings (CONTRACTS §1); arithmetic runs on
// UTC midnights so the host's time zone never leaks in. Japan time is UTC+9 all year (no DST).

/** A calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
export const JST_OFFSET_MS = 9 * 3_600_000;

/** Milliseconds of the UTC midnight of a real calendar date, or null ('2025-02-30' is not a date). */
function dateMs(date: string): number | null {
  const m = DATE_RE.exec(date);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = new Date(0);
  back.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which maps years 0–99 to 1900+
  // An overflowing day or month ('02-30', '13-01') rolls over; comparing the parts rejects it.
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? back.getTime() : null;
}

export function isValidDate(date: string): boolean {
  return dateMs(date) !== null;
}

function mustMs(date: IsoDate): number {
  const ms = dateMs(date);
  if (ms === null) throw new RangeError(`not a calendar date: "${date}"`);
  return ms;
}

function fromMs(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromMs(mustMs(date) + days * DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return new Date(mustMs(date)).getUTCDay();
}

/**
 * The same day `years` later. A Feb 29 start lands on Mar 1 in a common year, so "anniversary − 1 day" is Feb 28:
 * Japanese Civil Code Art. 143(2) — a period with no corresponding day in its last month ends on that month's last day.
 */
export function addYears(date: IsoDate, years: number): IsoDate {
  const d = new Date(mustMs(date));
  const target = new Date(0);
  target.setUTCFullYear(d.getUTCFullYear() + years, d.getUTCMonth(), d.getUTCDate()); // Feb 29 overflows to Mar 1
  return fromMs(target.getTime());
}

/** 'YYYY-MM' of a date, for the month-granular purchase-date rules (DOMAIN §2.5). */
export function monthOf(date: IsoDate): string {
  mustMs(date);
  return date.slice(0, 7);
}

// ISO 8601 date-time; seconds optional; an offset-less time is read as Japan time (the service's only zone).
export const ISO_INSTANT_PATTERN =
  '^(\\d{4})-(\\d{2})-(\\d{2})[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?(?:([Zz])|([+-])(\\d{2}):?(\\d{2}))?$';
const INSTANT_RE = new RegExp(ISO_INSTANT_PATTERN);

/** Epoch milliseconds of an ISO date-time, or null when it is not one. */
export function parseInstant(text: string): number | null {
  const m = INSTANT_RE.exec(text);
  if (!m) return null;
  const day = dateMs(`${m[1]}-${m[2]}-${m[3]}`);
  const [hh, mm, ss] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (day === null || hh > 23 || mm > 59 || ss > 59) return null;
  const frac = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  let offsetMs = JST_OFFSET_MS;
  if (m[8]) offsetMs = 0;
  else if (m[9]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return null;
    offsetMs = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  return day + ((hh * 60 + mm) * 60 + ss) * 1000 + frac - offsetMs;
}

/** The calendar date in Japan (UTC+9) of an instant: 2025-12-31T15:30Z is 2026-01-01 in Japan. */
export function jstDate(at: string | number | Date): IsoDate {
  const ms = typeof at === 'string' ? parseInstant(at) : typeof at === 'number' ? at : at.getTime();
  if (ms === null || !Number.isFinite(ms)) throw new RangeError(`not an ISO date-time: "${String(at)}"`);
  return fromMs(Math.floor((ms + JST_OFFSET_MS) / DAY_MS) * DAY_MS);
}
