// Business days [営業日] for the exchange flow dates — DOMAIN §2.1, §2.4, §6: Monday–Friday, not a Japanese public
// holiday (the @holiday-jp/holiday_jp table, substitute and citizens' holidays included), not a configured closure
// day (e.g. a maker's year-end break — the seed names none, so none by default).
import holidayJp from '@holiday-jp/holiday_jp';
import { addDays, dayOfWeek, isValidDate, type IsoDate } from './dates.ts';

// Keyed by 'YYYY-MM-DD'; looked up by string so the host time zone never shifts a holiday (the package's own
// isHoliday(Date) formats in local time).
const HOLIDAYS = holidayJp.holidays as Readonly<Record<string, { name: string; name_en: string } | undefined>>;

/** The last year the installed holiday table covers; later dates count weekends only. */
export const HOLIDAY_TABLE_LAST_YEAR = Math.max(...Object.keys(HOLIDAYS).map((d) => Number(d.slice(0, 4))));

export interface BusinessCalendar {
  /** Extra non-business days ('YYYY-MM-DD'), e.g. the maker's year-end closure. */
  closures?: Iterable<IsoDate>;
}

export function publicHolidayName(date: IsoDate): { ja: string; en: string } | null {
  const h = Object.hasOwn(HOLIDAYS, date) ? HOLIDAYS[date] : undefined;
  return h ? { ja: h.name, en: h.name_en } : null;
}

function closureSet(calendar: BusinessCalendar | undefined): ReadonlySet<string> {
  const c = calendar?.closures;
  return c instanceof Set ? (c as Set<string>) : new Set(c ?? []);
}

function isBusiness(date: IsoDate, closures: ReadonlySet<string>): boolean {
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6 && !publicHolidayName(date) && !closures.has(date);
}

export function isBusinessDay(date: IsoDate, calendar?: BusinessCalendar): boolean {
  return isBusiness(date, closureSet(calendar));
}

/**
 * The date `n` business days after `from`: the day of the request is day 0 whatever it is, and the count runs over
 * the business days that follow ("about 3 business days from request to arrival" → the 3rd business day after).
 * n = 0 returns `from` itself.
 */
export function addBusinessDays(from: IsoDate, n: number, calendar?: BusinessCalendar): IsoDate {
  if (!isValidDate(from)) throw new RangeError(`not a calendar date: "${from}"`);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`business days must be a whole number ≥ 0, got ${n}`);
  const closures = closureSet(calendar);
  let date = from;
  for (let left = n; left > 0; ) {
    date = addDays(date, 1);
    if (isBusiness(date, closures)) left--;
  }
  return date;
}

/** Common Japanese company year-end/New-Year closure, Dec 29 – Jan 3, as closure dates for `closures`. */
export function yearEndClosure(year: number): IsoDate[] {
  const dates = ['12-29', '12-30', '12-31'].map((md) => `${year}-${md}`);
  return [...dates, ...['01-01', '01-02', '01-03'].map((md) => `${year + 1}-${md}`)];
}
