// Maintenance-contract terms (DOMAIN §4.1–4.3): coverage dates, response dates, exclusions that apply.
import { describe, expect, it } from 'vitest';
import { MAINTENANCE_TERMS, maintenanceFor } from './maintenance.ts';

describe('maintenanceFor', () => {
  it('no contract → null', () => {
    expect(maintenanceFor({}, '2026-11-24T10:00:00+09:00')).toBeNull();
    expect(maintenanceFor({ maintenanceContract: 'none' }, '2026-11-24T10:00:00+09:00')).toBeNull();
  });

  it('i-PRO partner: 5 years in total from delivery (product warranty year included)', () => {
    const s = maintenanceFor({ maintenanceContract: 'ipro-partner', purchaseDate: '2021-12-01' }, '2026-11-30T10:00:00+09:00');
    expect(s).toMatchObject({ years: 5, start: '2021-12-01', end: '2026-11-30', active: true });
    expect(maintenanceFor({ maintenanceContract: 'ipro-partner', purchaseDate: '2021-12-01' }, '2026-12-01T00:00:00+09:00')?.active).toBe(false);
  });

  it('Panasonic on-site: pack length from the inventory, visit within 2 business days, above 3 m excluded', () => {
    const s = maintenanceFor({ maintenanceContract: 'panasonic-onsite', purchaseDate: '2024-04-01', maintenanceYears: 3, mountHeightM: 3.5 }, '2026-11-20T10:00:00+09:00');
    // Fri 11/20 → Mon 11/23 is Labour Thanksgiving Day → Tue 11/24, Wed 11/25.
    expect(s).toMatchObject({ years: 3, end: '2027-03-31', active: true, respondBy: '2026-11-25' });
    expect(s?.applies.map((e) => e.id)).toEqual(['above-3m']);
  });

  it('unknown pack length or date: period unknown, not guessed', () => {
    expect(maintenanceFor({ maintenanceContract: 'nec-supportpack', purchaseDate: '2025-01-01' }, '2026-11-24T10:00:00+09:00'))
      .toMatchObject({ years: null, start: '2025-01-01', end: null, active: null });
    expect(maintenanceFor({ maintenanceContract: 'panasonic-sendback' }, '2026-11-24T10:00:00+09:00')).toMatchObject({ start: null, active: null });
  });

  it('NEC: network fault isolation is the customer’s; same failure within 3 months is redone free', () => {
    const s = maintenanceFor({ maintenanceContract: 'nec-supportpack', purchaseDate: '2025-01-01', maintenanceYears: 5 }, '2026-11-24T10:00:00+09:00', { networkFault: true });
    expect(s?.applies.map((e) => e.id)).toEqual(['network-isolation']);
    expect(MAINTENANCE_TERMS['nec-supportpack'].freeRedoWithinMonths).toBe(3);
    for (const t of Object.values(MAINTENANCE_TERMS)) {
      for (const text of [t, t.hours, t.response, ...t.covers, ...t.exclusions, ...t.notes]) expect(text.ja && text.en).toBeTruthy();
    }
  });
});
