import { describe, expect, it } from 'vitest';
import { activeWindow, localTime } from './windows.ts';

const TOKYO = 'Asia/Tokyo';
const at = (iso: string) => new Date(iso);

describe('maintenance windows', () => {
  it('reads the local day and time in the site time zone', () => {
    // 2026-11-21 is a Saturday; 16:30 UTC is 01:30 on Sunday in Tokyo.
    expect(localTime(at('2026-11-21T16:30:00Z'), TOKYO)).toEqual({ day: 0, minute: 90 });
  });

  it('weekly windows, including one running past midnight', () => {
    const windows = [{ days: ['sat' as const], from: '23:00', to: '05:00' }];
    expect(activeWindow(windows, TOKYO, at('2026-11-21T23:30:00+09:00'))).toBeDefined(); // Saturday night
    expect(activeWindow(windows, TOKYO, at('2026-11-22T04:59:00+09:00'))).toBeDefined(); // Sunday morning part
    expect(activeWindow(windows, TOKYO, at('2026-11-22T05:00:00+09:00'))).toBeUndefined();
    expect(activeWindow(windows, TOKYO, at('2026-11-22T23:30:00+09:00'))).toBeUndefined(); // Sunday night
    const daily = [{ from: '02:00', to: '03:00' }];
    expect(activeWindow(daily, TOKYO, at('2026-11-25T02:15:00+09:00'))).toBeDefined();
    expect(activeWindow(daily, TOKYO, at('2026-11-25T02:15:00Z'))).toBeUndefined(); // 11:15 in Tokyo
  });

  it('one-off windows by absolute time', () => {
    const windows = [{ start: '2026-12-01T00:00:00+09:00', end: '2026-12-01T06:00:00+09:00' }];
    expect(activeWindow(windows, TOKYO, at('2026-11-30T16:00:00Z'))).toBeDefined();
    expect(activeWindow(windows, TOKYO, at('2026-11-30T21:00:00Z'))).toBeUndefined();
  });
});
