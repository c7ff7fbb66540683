// Outage accounting (DOMAIN §5): per site, the time the service was completely unusable — the time a site-wide case
// was active — split by the side of the responsibility boundary its cause is on. When causes overlap, the one that
// began first holds the moment (it is what made the site unusable); when it ends and another is still active, the
// other takes over, and a change of side starts a new period. Pure: intervals in, periods out.
import type { BoundarySide } from '@camfleet/shared';
import { outageTerms, type OutageTerms } from './thresholds.ts';

export interface CauseInterval {
  caseId: number;
  site: string;
  side: BoundarySide;
  rootCause: string;
  /** When the provider learned of it: the case opened. */
  start: number;
  /** The case resolved; null while it is still active. */
  end: number | null;
}

export interface OutagePeriod {
  site: string;
  side: BoundarySide;
  start: number;
  /** Null while it goes on (the length then counts to `now`). */
  end: number | null;
  durationMs: number;
  caseIds: number[];
  rootCauses: string[];
  terms: OutageTerms;
}

/** Continuous periods of complete unusability per site and side, in time order. */
export function outagePeriods(intervals: readonly CauseInterval[], now: number): OutagePeriod[] {
  const bySite = new Map<string, CauseInterval[]>();
  for (const i of intervals) {
    const list = bySite.get(i.site) ?? [];
    list.push(i);
    bySite.set(i.site, list);
  }
  const out: OutagePeriod[] = [];
  for (const [site, list] of [...bySite].sort(([a], [b]) => a.localeCompare(b))) out.push(...sitePeriods(site, list, now));
  return out;
}

function sitePeriods(site: string, list: CauseInterval[], now: number): OutagePeriod[] {
  const endOf = (i: CauseInterval) => Math.min(i.end ?? now, now);
  const points = [...new Set(list.flatMap((i) => [i.start, endOf(i)]))].sort((a, b) => a - b);
  const periods: (Omit<OutagePeriod, 'terms' | 'durationMs'> & { open: boolean })[] = [];
  for (let k = 0; k + 1 < points.length; k++) {
    const [from, to] = [points[k]!, points[k + 1]!];
    const holder = list
      .filter((i) => i.start <= from && endOf(i) >= to)
      .sort((a, b) => a.start - b.start || a.caseId - b.caseId)[0];
    if (!holder) continue;
    const last = periods.at(-1);
    const ongoing = holder.end === null && to >= now;
    if (last && last.side === holder.side && last.end === from) {
      last.end = to;
      last.open = ongoing;
      if (!last.caseIds.includes(holder.caseId)) last.caseIds.push(holder.caseId);
      if (!last.rootCauses.includes(holder.rootCause)) last.rootCauses.push(holder.rootCause);
    } else {
      periods.push({ site, side: holder.side, start: from, end: to, open: ongoing, caseIds: [holder.caseId], rootCauses: [holder.rootCause] });
    }
  }
  return periods.map(({ open, ...p }) => {
    const durationMs = (p.end ?? now) - p.start;
    return { ...p, end: open ? null : p.end, durationMs, terms: outageTerms(durationMs, p.side) };
  });
}

/** [from, to) of a month in Japan time ('2026-11' → 2026-10-31T15:00Z … 2026-11-30T15:00Z). */
export function monthRange(month: string): { from: number; to: number } | null {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m) return null;
  const [y, mo] = [Number(m[1]), Number(m[2])];
  const jst = 9 * 3_600_000;
  return { from: Date.UTC(y, mo - 1, 1) - jst, to: Date.UTC(y, mo, 1) - jst };
}

/** The part of a period inside [from, to). */
export function overlapMs(p: Pick<OutagePeriod, 'start' | 'end'>, from: number, to: number, now: number): number {
  return Math.max(0, Math.min(p.end ?? now, to) - Math.max(p.start, from));
}
