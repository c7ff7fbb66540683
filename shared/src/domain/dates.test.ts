import { describe, expect, it } from 'vitest';
import { addYears, isValidDate, jstDate, parseInstant } from './dates.ts';

describe('dates', () => {
  it('accepts only real calendar dates', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2025-02-29')).toBe(false);
    expect(isValidDate('2025-13-01')).toBe(false);
    expect(isValidDate('0099-01-01')).toBe(true);
    expect(isValidDate('2025-1-01')).toBe(false);
  });

  it('adds years like the Civil Code: Feb 29 → Mar 1 in a common year', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-03-01');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2023-03-01', 1)).toBe('2024-03-01');
  });

  it('parses ISO date-times with or without seconds and offset (none = Japan time)', () => {
    expect(parseInstant('2026-01-01T00:30+09:00')).toBe(Date.parse('2025-12-31T15:30:00Z'));
    expect(parseInstant('2026-01-01T00:30')).toBe(Date.parse('2025-12-31T15:30:00Z'));
    expect(parseInstant('2025-12-31T15:30:00.250Z')).toBe(Date.parse('2025-12-31T15:30:00.250Z'));
    expect(parseInstant('2026-11-22T10:00:00+0900')).toBe(Date.parse('2026-11-22T01:00:00Z'));
    expect(parseInstant('2026-02-30T10:00:00Z')).toBeNull();
    expect(parseInstant('2026-01-01T24:00:00Z')).toBeNull();
    expect(parseInstant('yesterday')).toBeNull();
  });

  it('gives the calendar date in Japan', () => {
    expect(jstDate('2025-12-31T15:30:00Z')).toBe('2026-01-01');
    expect(jstDate('2025-12-31T14:59:59Z')).toBe('2025-12-31');
    expect(jstDate(new Date('2026-11-22T01:00:00Z'))).toBe('2026-11-22');
    expect(() => jstDate('nope')).toThrow(RangeError);
  });
});
