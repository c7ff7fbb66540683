// Business days (DOMAIN §2.1, §2.4, §6) against the installed @holiday-jp table.
import { describe, expect, it } from 'vitest';
import { addBusinessDays, isBusinessDay, publicHolidayName, yearEndClosure } from './business-days.ts';

describe('Japanese public holidays in the table', () => {
  it('Golden Week 2026: 4/29 Showa Day, 5/3–5/5, and 5/6 in lieu of Sunday 5/3', () => {
    expect(publicHolidayName('2026-04-29')?.en).toBe('Showa Day');
    expect(publicHolidayName('2026-05-03')).not.toBeNull();
    expect(publicHolidayName('2026-05-04')).not.toBeNull();
    expect(publicHolidayName('2026-05-05')).not.toBeNull();
    expect(publicHolidayName('2026-05-06')?.en).toBe('Holiday in lieu');
    expect(publicHolidayName('2026-04-30')).toBeNull();
    expect(publicHolidayName('2026-05-07')).toBeNull();
  });

  it('weekdays only, holidays excluded', () => {
    expect(isBusinessDay('2026-04-28')).toBe(true);
    expect(isBusinessDay('2026-04-29')).toBe(false);
    expect(isBusinessDay('2026-05-02')).toBe(false); // Saturday
    expect(isBusinessDay('2026-05-06')).toBe(false);
    expect(isBusinessDay('2026-05-07')).toBe(true);
    expect(isBusinessDay('2026-11-23')).toBe(false); // Labour Thanksgiving Day, a Monday
  });
});

describe('addBusinessDays', () => {
  it('across Golden Week 2026', () => {
    expect(addBusinessDays('2026-04-28', 1)).toBe('2026-04-30');
    expect(addBusinessDays('2026-04-28', 2)).toBe('2026-05-01');
    expect(addBusinessDays('2026-04-28', 3)).toBe('2026-05-07');
    expect(addBusinessDays('2026-05-01', 1)).toBe('2026-05-07');
    expect(addBusinessDays('2026-05-02', 3)).toBe('2026-05-11'); // requested on a Saturday
    expect(addBusinessDays('2026-04-28', 8)).toBe('2026-05-14');
  });

  it('the Silver Week 2026 citizens\' holiday (9/21–9/23)', () => {
    expect(addBusinessDays('2026-09-18', 1)).toBe('2026-09-24');
  });

  it('across the year end: only Jan 1 is a public holiday; closures are configurable', () => {
    expect(addBusinessDays('2026-12-28', 3)).toBe('2026-12-31');
    expect(addBusinessDays('2026-12-31', 1)).toBe('2027-01-04');
    const closures = yearEndClosure(2026);
    expect(closures).toEqual(['2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']);
    expect(addBusinessDays('2026-12-28', 3, { closures })).toBe('2027-01-06');
    expect(addBusinessDays('2026-12-28', 3, { closures: new Set(closures) })).toBe('2027-01-06');
    expect(isBusinessDay('2026-12-30', { closures })).toBe(false);
    expect(addBusinessDays('2027-01-08', 1)).toBe('2027-01-12'); // Coming of Age Day 2027-01-11
  });

  it('n = 0 is the date itself; bad input throws', () => {
    expect(addBusinessDays('2026-05-03', 0)).toBe('2026-05-03');
    expect(() => addBusinessDays('2026-02-30', 1)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-05-01', -1)).toThrow(RangeError);
    expect(() => addBusinessDays('2026-05-01', 1.5)).toThrow(RangeError);
  });
});
