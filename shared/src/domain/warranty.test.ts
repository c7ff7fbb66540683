// DOMAIN §2.5 warranty catalogue and CONTRACTS §1 `warranty` computation.
import { describe, expect, it } from 'vitest';
import { findWarrantyProduct, isWarrantyTableModel, warrantyFor, type WarrantyDevice } from './warranty.ts';

const AT = '2026-11-22T10:00:00+09:00';
const years = (d: WarrantyDevice) => warrantyFor(d, AT)?.years;

describe('product matching (CONTRACTS §1)', () => {
  it.each([
    [{ vendor: 'AXIS', model: 'M3085-V' }, 'axis'],
    [{ vendor: 'axis' }, 'axis'],
    [{ vendor: 'VIVOTEK', model: 'FD9380-H' }, 'vivotek'],
    [{ vendor: 'Vivotek' }, 'vivotek'],
    [{ vendor: 'i-PRO', model: 'WV-S1536LN' }, 'i-pro'],
    [{ vendor: 'I PRO' }, 'i-pro'],
    [{ vendor: 'ipro' }, 'i-pro'],
    [{ model: 'QBIC CLOUD CC-2L(SF)' }, 'qbic-cc-2l'],
    [{ model: 'qbic cloud cc2l' }, 'qbic-cc-2l'],
    [{ vendor: 'QBIC', model: 'CLOUD CC-2L' }, 'qbic-cc-2l'],
    [{ model: 'SF-1' }, 'sf-1'],
    [{ model: 'sf1' }, 'sf-1'],
    [{ model: 'SF-1 LTE Dock' }, 'sf-1-lte-dock'],
    [{ model: 'Pocket2' }, 'pocket2'],
    [{ model: 'pocket 2 plus' }, 'pocket2'],
    [{ model: 'Pocket2PlusV2' }, 'pocket2'],
    [{ vendor: 'TEK', model: 'TEK3-IMX6' }, 'tek3-imx6'],
    [{ model: 'tek3 imx6 (SF)' }, 'tek3-imx6'],
    [{ model: 'ＴＥＫ３－ＩＭＸ６（ＳＦ）' }, 'tek3-imx6'],
    [{ model: 'SCR1800v4' }, 'scr1800v4'],
    [{ model: 'scr-1800V4' }, 'scr1800v4'],
  ])('%o is %s', (device, id) => {
    expect(findWarrantyProduct(device)?.id).toBe(id);
  });

  it.each([
    { vendor: 'Hikvision', model: 'DS-2CD' },
    { model: 'TEK3-IMX7' },
    { model: 'Pocket3' },
    { model: 'SF-2' },
    { model: 'SCR1800v3' },
    { model: 'M3085-V' }, // an AXIS model without the vendor is not recognisable
    { model: 'SF-1(SF) extra' },
    {},
  ])('%o is not in the table', (device) => {
    expect(isWarrantyTableModel(device)).toBe(false);
    expect(warrantyFor(device, AT)).toBeNull();
  });
});

describe('periods by product and purchase date (DOMAIN §2.5)', () => {
  it('AXIS: 3 years through January 2021, 5 years from February 2021', () => {
    expect(years({ vendor: 'AXIS', purchaseDate: '2021-01-31' })).toBe(3);
    expect(years({ vendor: 'AXIS', purchaseDate: '2021-02-01' })).toBe(5);
    expect(years({ vendor: 'AXIS', purchaseDate: '2019-06-15' })).toBe(3);
    expect(years({ vendor: 'AXIS', purchaseDate: '2024-04-10' })).toBe(5);
  });

  it('VIVOTEK: 2 years through Nov 2020, 3 years Dec 2020 – Dec 2023, then 5 years', () => {
    expect(years({ vendor: 'VIVOTEK', purchaseDate: '2020-11-30' })).toBe(2);
    expect(years({ vendor: 'VIVOTEK', purchaseDate: '2020-12-01' })).toBe(3);
    expect(years({ vendor: 'VIVOTEK', purchaseDate: '2023-12-31' })).toBe(3);
    expect(years({ vendor: 'VIVOTEK', purchaseDate: '2024-01-01' })).toBe(5);
  });

  it('purchase-date rules use purchaseDate, else shipDate', () => {
    expect(years({ vendor: 'AXIS', shipDate: '2021-01-31' })).toBe(3);
    expect(years({ vendor: 'AXIS', shipDate: '2021-02-01' })).toBe(5);
    expect(years({ vendor: 'AXIS', purchaseDate: '2021-02-01', shipDate: '2021-01-20' })).toBe(5);
    expect(years({ vendor: 'VIVOTEK', shipDate: '2020-11-30' })).toBe(2);
  });

  it.each([
    [{ vendor: 'i-PRO', purchaseDate: '2019-01-01' }, 5],
    [{ model: 'QBIC CLOUD CC-2L(SF)', purchaseDate: '2024-01-01' }, 3],
    [{ model: 'SF-1', purchaseDate: '2024-01-01' }, 3],
    [{ model: 'SF-1 LTE dock', purchaseDate: '2024-01-01' }, 3],
    [{ model: 'Pocket2', purchaseDate: '2024-01-01' }, 1],
    [{ model: 'Pocket2Plus', purchaseDate: '2024-01-01' }, 1],
    [{ model: 'Pocket2PlusV2', purchaseDate: '2024-01-01' }, 1],
    [{ model: 'TEK3-IMX6(SF)', purchaseDate: '2024-01-01' }, 1],
    [{ model: 'SCR1800v4', purchaseDate: '2024-01-01' }, 1],
  ])('%o → %i years', (device, n) => {
    expect(years(device)).toBe(n);
  });
});

describe('warrantyFor (CONTRACTS §1)', () => {
  it('starts 3 days after the ship date; end = start + years − 1 day', () => {
    expect(warrantyFor({ vendor: 'AXIS', purchaseDate: '2024-04-10', shipDate: '2024-04-01' }, AT)).toEqual({
      years: 5, basis: 'ship-date', start: '2024-04-04', end: '2029-04-03', inWarranty: true,
    });
    expect(warrantyFor({ model: 'TEK3-IMX6', shipDate: '2025-11-01' }, AT)).toEqual({
      years: 1, basis: 'ship-date', start: '2025-11-04', end: '2026-11-03', inWarranty: false,
    });
  });

  it('ship + 3 days crosses a year end', () => {
    expect(warrantyFor({ model: 'SCR1800v4', shipDate: '2023-12-30' }, AT)).toMatchObject({ start: '2024-01-02', end: '2025-01-01' });
  });

  it('without a ship date, starts on the purchase date itself', () => {
    expect(warrantyFor({ model: 'Pocket2', purchaseDate: '2025-01-01' }, AT)).toEqual({
      years: 1, basis: 'purchase-date', start: '2025-01-01', end: '2025-12-31', inWarranty: false,
    });
  });

  it('with neither date: years, basis unknown, inWarranty null', () => {
    expect(warrantyFor({ vendor: 'VIVOTEK' }, AT)).toEqual({ years: 5, basis: 'unknown', inWarranty: null });
    expect(warrantyFor({ model: 'Pocket2' }, AT)).toEqual({ years: 1, basis: 'unknown', inWarranty: null });
  });

  it('the day before, on and after the end', () => {
    const d = { model: 'Pocket2', purchaseDate: '2025-01-01' }; // end 2025-12-31
    expect(warrantyFor(d, '2025-12-30T12:00:00+09:00')?.inWarranty).toBe(true);
    expect(warrantyFor(d, '2025-12-31T23:59:59+09:00')?.inWarranty).toBe(true);
    expect(warrantyFor(d, '2026-01-01T00:00:00+09:00')?.inWarranty).toBe(false);
    expect(warrantyFor(d, '2026-01-02T12:00:00+09:00')?.inWarranty).toBe(false);
  });

  it('judges the calendar date of `at` in Japan time', () => {
    const d = { model: 'Pocket2', purchaseDate: '2025-01-01' }; // end 2025-12-31
    expect(warrantyFor(d, '2026-01-01T00:30+09:00')?.inWarranty).toBe(false);
    expect(warrantyFor(d, '2025-12-31T15:30Z')?.inWarranty).toBe(false); // the same instant
    expect(warrantyFor(d, '2025-12-31T14:59:59Z')?.inWarranty).toBe(true); // 23:59:59 in Japan
    expect(warrantyFor(d, '2025-12-31T10:00:00-08:00')?.inWarranty).toBe(false); // 2026-01-01 03:00 in Japan
    expect(warrantyFor(d, new Date('2025-12-31T15:30:00Z'))?.inWarranty).toBe(false);
    expect(warrantyFor(d, '2025-12-31T23:00')?.inWarranty).toBe(true); // no offset: read as Japan time
  });

  it('leap years: a Feb 29 start ends on Feb 28 of a common year (Civil Code Art. 143)', () => {
    // ship 2024-02-26 → start 2024-02-29
    expect(warrantyFor({ model: 'Pocket2', shipDate: '2024-02-26' }, AT)).toMatchObject({ start: '2024-02-29', end: '2025-02-28' });
    expect(warrantyFor({ model: 'SF-1', shipDate: '2024-02-26' }, AT)).toMatchObject({ end: '2027-02-28' });
    expect(warrantyFor({ vendor: 'i-PRO', shipDate: '2024-02-26' }, AT)).toMatchObject({ end: '2029-02-28' });
    expect(warrantyFor({ vendor: 'i-PRO', purchaseDate: '2024-02-29' }, AT)).toMatchObject({ basis: 'purchase-date', end: '2029-02-28' });
    // a period ending in a leap February keeps Feb 29
    expect(warrantyFor({ model: 'Pocket2', purchaseDate: '2023-03-01' }, AT)).toMatchObject({ end: '2024-02-29' });
    expect(warrantyFor({ model: 'Pocket2', purchaseDate: '2024-02-28' }, AT)).toMatchObject({ end: '2025-02-27' });
    expect(warrantyFor({ model: 'Pocket2', purchaseDate: '2024-03-01' }, AT)).toMatchObject({ end: '2025-02-28' });
  });

  it('rejects a date that is not on the calendar', () => {
    expect(() => warrantyFor({ model: 'Pocket2', shipDate: '2025-02-29' }, AT)).toThrow(RangeError);
  });
});
