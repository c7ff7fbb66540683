// DOMAIN §2.6 re-installation prices and height limits.
import { describe, expect, it } from 'vitest';
import { reinstallFor } from './reinstall.ts';

describe('reinstallFor', () => {
  it('East: ¥24,200 below 4.2 m, not available at 4.2 m or more', () => {
    expect(reinstallFor('east', 4.19)).toEqual({ available: true, costYen: 24200 });
    expect(reinstallFor('east', 4.2)).toEqual({ available: false, reason: 'mount-height' });
    expect(reinstallFor('east', 6)).toEqual({ available: false, reason: 'mount-height' });
    expect(reinstallFor('east', 0)).toEqual({ available: true, costYen: 24200 });
  });

  it('West: ¥30,800 below 3 m, not available at 3 m or more', () => {
    expect(reinstallFor('west', 2.99)).toEqual({ available: true, costYen: 30800 });
    expect(reinstallFor('west', 3.0)).toEqual({ available: false, reason: 'mount-height' });
    expect(reinstallFor('west', 3.5)).toEqual({ available: false, reason: 'mount-height' });
  });

  it('unknown height: available, with a note', () => {
    const r = reinstallFor('east', undefined);
    expect(r).toMatchObject({ available: true, costYen: 24200 });
    expect(r.note).toMatch(/height unknown/i);
    expect(r.noteJa).toContain('設置高不明');
  });

  it('unknown region: the West terms (lower limit, higher price), with a note', () => {
    expect(reinstallFor(undefined, 2.5)).toMatchObject({ available: true, costYen: 30800, note: expect.stringMatching(/Region unknown/) });
    expect(reinstallFor(undefined, 3.5)).toMatchObject({ available: false, reason: 'mount-height', note: expect.stringMatching(/Region unknown/) });
    const both = reinstallFor(undefined, undefined);
    expect(both).toMatchObject({ available: true, costYen: 30800 });
    expect(both.note).toMatch(/Region unknown.*height unknown/is);
  });
});
