// DOMAIN §5 thresholds (seed 004 Art. 34-5, 48-3..5): 24 h damages, 72 h fee exemption, day counts, the side of
// the boundary, and the accounting of overlapping causes into continuous periods per month.
import { describe, expect, it } from 'vitest';
import { monthRange, outagePeriods, type CauseInterval } from './accounting.ts';
import { buildReport, reportCsv } from './report.ts';
import { HOUR_MS, outageTerms } from './thresholds.ts';

const h = (hours: number) => hours * HOUR_MS;

describe('outageTerms (provider side)', () => {
  it.each<[string, number, { reached24h: boolean; reached72h: boolean; damagesDays: number; feeExemptDays: number }]>([
    ['0 h', 0, { reached24h: false, reached72h: false, damagesDays: 0, feeExemptDays: 0 }],
    ['24 h − 1 ms', h(24) - 1, { reached24h: false, reached72h: false, damagesDays: 0, feeExemptDays: 0 }],
    ['exactly 24 h', h(24), { reached24h: true, reached72h: false, damagesDays: 1, feeExemptDays: 0 }],
    ['47 h 59 m', h(48) - 60_000, { reached24h: true, reached72h: false, damagesDays: 1, feeExemptDays: 0 }],
    ['48 h', h(48), { reached24h: true, reached72h: false, damagesDays: 2, feeExemptDays: 0 }],
    ['72 h − 1 ms', h(72) - 1, { reached24h: true, reached72h: false, damagesDays: 2, feeExemptDays: 0 }],
    ['exactly 72 h', h(72), { reached24h: true, reached72h: true, damagesDays: 3, feeExemptDays: 3 }],
    // Only the part that is a multiple of 72 h is exempt: 100 h → 72 h → 3 days; damages per full 24 h → 4 days.
    ['100 h', h(100), { reached24h: true, reached72h: true, damagesDays: 4, feeExemptDays: 3 }],
    ['143 h 59 m', h(144) - 60_000, { reached24h: true, reached72h: true, damagesDays: 5, feeExemptDays: 3 }],
    ['144 h', h(144), { reached24h: true, reached72h: true, damagesDays: 6, feeExemptDays: 6 }],
  ])('%s', (_name, ms, expected) => {
    expect(outageTerms(ms, 'provider')).toMatchObject({ ...expected, eligible: true });
  });

  it('caps damages at one month’s fee (30 days of 24 h)', () => {
    expect(outageTerms(h(24 * 29), 'provider')).toMatchObject({ damagesDays: 29, damagesCapped: false });
    expect(outageTerms(h(24 * 30), 'provider')).toMatchObject({ damagesDays: 30, damagesCapped: true });
  });

  it('customer-side outages reach the thresholds but earn no days (Art. 48-3)', () => {
    expect(outageTerms(h(100), 'customer')).toEqual({
      hours: 100, reached24h: true, reached72h: true, damagesDays: 0, damagesCapped: false, feeExemptDays: 0, eligible: false,
    });
  });
});

describe('outage periods', () => {
  const T = Date.parse('2026-11-02T00:00:00Z');
  const cause = (caseId: number, side: 'provider' | 'customer', from: number, to: number | null, site = 's1'): CauseInterval =>
    ({ caseId, site, side, rootCause: `r${caseId}`, start: T + h(from), end: to === null ? null : T + h(to) });

  it('the cause that began first holds overlapping time; a change of side starts a new period; a gap ends one', () => {
    const periods = outagePeriods([cause(1, 'customer', 0, 10), cause(2, 'provider', 5, 30), cause(3, 'provider', 40, 41)], T + h(100));
    expect(periods.map((p) => [p.side, (p.start - T) / HOUR_MS, ((p.end ?? 0) - T) / HOUR_MS, p.caseIds])).toEqual([
      ['customer', 0, 10, [1]],
      ['provider', 10, 30, [2]],
      ['provider', 40, 41, [3]],
    ]);
    expect(periods[1]?.terms).toMatchObject({ reached24h: false, damagesDays: 0 });
  });

  it('overlapping causes on the same side make one continuous period; an active one counts to now', () => {
    const [p] = outagePeriods([cause(1, 'provider', 0, 50), cause(2, 'provider', 40, null)], T + h(80));
    expect(p).toMatchObject({ end: null, caseIds: [1, 2], durationMs: h(80) });
    expect(p?.terms).toMatchObject({ reached72h: true, feeExemptDays: 3, damagesDays: 3 });
  });

  it('months are Japan calendar months; a period crossing a month counts its days once, in the month it began', () => {
    expect(monthRange('2026-11')).toEqual({ from: Date.parse('2026-10-31T15:00:00Z'), to: Date.parse('2026-11-30T15:00:00Z') });
    expect(monthRange('2026-13')).toBeNull();
    const start = Date.parse('2026-11-30T03:00:00Z'); // 12:00 JST on the 30th
    const causes: CauseInterval[] = [{ caseId: 7, site: 's1', side: 'provider', rootCause: 'cloud', start, end: start + h(75) }];
    const nov = buildReport('2026-11', causes, start + h(200))!;
    const dec = buildReport('2026-12', causes, start + h(200))!;
    expect(nov.sites[0]?.periods[0]).toMatchObject({ hoursInMonth: 12, countedHere: true });
    expect(nov.sites[0]?.provider).toMatchObject({ unusableHours: 12, damagesDays: 3, feeExemptDays: 3, reached72h: 1 });
    expect(dec.sites[0]?.provider).toMatchObject({ unusableHours: 63, damagesDays: 0, feeExemptDays: 0, periods: 1 });
    const csv = reportCsv(nov).split('\r\n');
    expect(csv[0]).toBe('month,site,side,start,end,ongoing,hours,hours_in_month,reached_24h,reached_72h,damages_days,damages_capped,fee_exempt_days,counted_in_month,case_ids,root_causes');
    expect(csv[1]).toBe('2026-11,s1,provider,2026-11-30T03:00:00.000Z,2026-12-03T06:00:00.000Z,false,75,12,true,true,3,false,3,true,7,cloud');
  });
});
