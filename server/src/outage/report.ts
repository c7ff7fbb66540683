// The monthly outage report (DOMAIN §5) as JSON and CSV: per site, complete-unusability periods by side of the
// boundary with the 24 h / 72 h thresholds and day counts. A period that crosses a month boundary is listed in each
// month it touches (with the hours inside that month); its thresholds and days are judged on its whole length and
// counted in the totals of the month it started in, so no day is counted twice.
import type { BoundarySide } from '@camfleet/shared';
import type { Row } from '../cases/rows.ts';
import { monthRange, outagePeriods, overlapMs, type CauseInterval, type OutagePeriod } from './accounting.ts';
import { HOUR_MS } from './thresholds.ts';

export interface ReportPeriod extends Omit<OutagePeriod, 'start' | 'end'> {
  start: string;
  end: string | null;
  ongoing: boolean;
  hoursInMonth: number;
  /** Started in this month: its days count in this month's totals. */
  countedHere: boolean;
}

export interface SideTotals {
  unusableHours: number;
  periods: number;
  reached24h: number;
  reached72h: number;
  damagesDays: number;
  feeExemptDays: number;
}

export interface SiteReport {
  site: string;
  provider: SideTotals;
  customer: SideTotals;
  periods: ReportPeriod[];
}

export interface OutageReport {
  month: string;
  from: string;
  to: string;
  generatedAt: string;
  sites: SiteReport[];
}

const round = (h: number) => Math.round(h * 1000) / 1000;
const empty = (): SideTotals => ({ unusableHours: 0, periods: 0, reached24h: 0, reached72h: 0, damagesDays: 0, feeExemptDays: 0 });

export function intervalsFromRows(rows: readonly Row[]): CauseInterval[] {
  return rows.map((r) => ({
    caseId: Number(r.id),
    site: String(r.site_id),
    side: (r.side === 'provider' ? 'provider' : 'customer') as BoundarySide,
    rootCause: String(r.root_cause),
    start: new Date(r.opened_at as string).getTime(),
    end: r.resolved_at ? new Date(r.resolved_at as string).getTime() : null,
  }));
}

export function buildReport(month: string, intervals: readonly CauseInterval[], now: number): OutageReport | null {
  const range = monthRange(month);
  if (!range) return null;
  const sites = new Map<string, SiteReport>();
  for (const p of outagePeriods(intervals, now)) {
    const inMonth = overlapMs(p, range.from, range.to, now);
    if (inMonth <= 0) continue;
    const report = sites.get(p.site) ?? { site: p.site, provider: empty(), customer: empty(), periods: [] };
    sites.set(p.site, report);
    const countedHere = p.start >= range.from && p.start < range.to;
    report.periods.push({
      ...p,
      start: new Date(p.start).toISOString(),
      end: p.end === null ? null : new Date(p.end).toISOString(),
      ongoing: p.end === null,
      hoursInMonth: round(inMonth / HOUR_MS),
      countedHere,
      terms: { ...p.terms, hours: round(p.terms.hours) },
    });
    const t = report[p.side];
    t.unusableHours = round(t.unusableHours + inMonth / HOUR_MS);
    t.periods++;
    if (countedHere) {
      if (p.terms.reached24h) t.reached24h++;
      if (p.terms.reached72h) t.reached72h++;
      t.damagesDays += p.terms.damagesDays;
      t.feeExemptDays += p.terms.feeExemptDays;
    }
  }
  return {
    month,
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    generatedAt: new Date(now).toISOString(),
    sites: [...sites.values()],
  };
}

const CSV_COLUMNS = [
  'month', 'site', 'side', 'start', 'end', 'ongoing', 'hours', 'hours_in_month', 'reached_24h', 'reached_72h',
  'damages_days', 'damages_capped', 'fee_exempt_days', 'counted_in_month', 'case_ids', 'root_causes',
];

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote when needed; a leading formula character is neutralised so a spreadsheet never runs it.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One row per period (RFC 4180, CRLF line ends). */
export function reportCsv(r: OutageReport): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const s of r.sites) {
    for (const p of s.periods) {
      lines.push([
        r.month, s.site, p.side, p.start, p.end, p.ongoing, p.terms.hours, p.hoursInMonth, p.terms.reached24h, p.terms.reached72h,
        p.terms.damagesDays, p.terms.damagesCapped, p.terms.feeExemptDays, p.countedHere, p.caseIds.join(' '), p.rootCauses.join(' '),
      ].map(cell).join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
