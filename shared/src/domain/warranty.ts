// Free-warranty catalogue [無償保証期間] — DOMAIN §2.5 (seed 000 p.8) — and the warranty status of one device
// on a given day, shaped as CONTRACTS §1 `warranty`. The support center exchanges only these products (DOMAIN §1).
import { addDays, addYears, jstDate, monthOf, type IsoDate } from './dates.ts';

/** A purchase-month window with its own period; months are inclusive ('2021年1月以前' includes January 2021). */
export interface PurchaseRule {
  fromMonth?: string; // 'YYYY-MM', inclusive; absent = open
  throughMonth?: string; // 'YYYY-MM', inclusive; absent = open
  years: number;
}

export interface WarrantyProduct {
  id: string;
  ja: string;
  en: string;
  /** Matches on `vendor` (any model of that maker's cameras) or on `model` naming the product. */
  match: { vendors?: readonly string[]; models?: readonly string[] };
  /** Nominal period; also the period quoted when no date is known. */
  years: number;
  /** Judged on purchaseDate, else shipDate (CONTRACTS §1); the first matching rule wins. */
  byPurchase?: readonly PurchaseRule[];
}

export const WARRANTY_PRODUCTS: readonly WarrantyProduct[] = [
  {
    id: 'axis', ja: 'AXISカメラ', en: 'AXIS cameras', years: 5,
    match: { vendors: ['AXIS', 'Axis Communications'] },
    byPurchase: [{ throughMonth: '2021-01', years: 3 }],
  },
  {
    id: 'vivotek', ja: 'VIVOTEKカメラ', en: 'VIVOTEK cameras', years: 5,
    match: { vendors: ['VIVOTEK'] },
    byPurchase: [
      { throughMonth: '2020-11', years: 2 },
      { fromMonth: '2020-12', throughMonth: '2023-12', years: 3 },
    ],
  },
  { id: 'i-pro', ja: 'i-PROカメラ', en: 'i-PRO cameras', years: 5, match: { vendors: ['i-PRO', 'Panasonic i-PRO'] } },
  {
    id: 'qbic-cc-2l', ja: 'QBIC CLOUD CC-2L(SF)', en: 'QBIC CLOUD CC-2L(SF)', years: 3,
    match: { models: ['QBIC CLOUD CC-2L', 'CC-2L'] },
  },
  { id: 'sf-1', ja: 'Wi-Fi対応お手軽カメラ SF-1', en: 'Wi-Fi camera SF-1', years: 3, match: { models: ['SF-1'] } },
  {
    id: 'sf-1-lte-dock', ja: 'SF-1用LTEドック', en: 'LTE dock for SF-1', years: 3,
    match: { models: ['SF-1 LTE dock', 'SF-1用LTEドック', 'LTE dock for SF-1', 'SF-1 LTEドック'] },
  },
  {
    id: 'pocket2', ja: 'LTE対応ポータブルカメラ', en: 'LTE portable camera', years: 1,
    match: { models: ['Pocket2', 'Pocket2Plus', 'Pocket2PlusV2'] },
  },
  {
    id: 'tek3-imx6', ja: 'カメラゲートウェイ TEK3-IMX6(SF)', en: 'camera gateway TEK3-IMX6(SF)', years: 1,
    match: { models: ['TEK3-IMX6'] },
  },
  { id: 'scr1800v4', ja: 'LTE屋外ルータ SCR1800v4', en: 'LTE outdoor router SCR1800v4', years: 1, match: { models: ['SCR1800v4'] } },
];

/**
 * CONTRACTS §1 comparison: case-insensitive, ignoring spaces, hyphens and a trailing "(SF)". NFKC first so that
 * full-width input (ＡＸＩＳ, （SF）, ideographic spaces) compares like ASCII.
 */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .trim()
    .replace(/\s*\(sf\)$/, '')
    .replace(/[\s-]+/g, '');
}

const BY_VENDOR = new Map<string, WarrantyProduct>();
const BY_MODEL = new Map<string, WarrantyProduct>();
for (const p of WARRANTY_PRODUCTS) {
  for (const v of p.match.vendors ?? []) BY_VENDOR.set(normalizeName(v), p);
  for (const m of p.match.models ?? []) BY_MODEL.set(normalizeName(m), p);
}

export interface WarrantyDevice {
  vendor?: string | undefined;
  model?: string | undefined;
  purchaseDate?: string | undefined;
  shipDate?: string | undefined;
}

/** The catalogue product a device is, or null: vendor AXIS/VIVOTEK/i-PRO, or a model (alone or vendor + model). */
export function findWarrantyProduct(device: WarrantyDevice): WarrantyProduct | null {
  const byVendor = device.vendor ? BY_VENDOR.get(normalizeName(device.vendor)) : undefined;
  if (byVendor) return byVendor;
  if (!device.model) return null;
  return BY_MODEL.get(normalizeName(device.model))
    ?? (device.vendor ? BY_MODEL.get(normalizeName(`${device.vendor} ${device.model}`)) : undefined)
    ?? null;
}

export function isWarrantyTableModel(device: WarrantyDevice): boolean {
  return findWarrantyProduct(device) !== null;
}

/** Period in years; purchase-month rules use purchaseDate, else shipDate (CONTRACTS §1). */
export function warrantyYears(product: WarrantyProduct, device: WarrantyDevice): number {
  const judged = device.purchaseDate ?? device.shipDate;
  if (!judged || !product.byPurchase) return product.years;
  const month = monthOf(judged);
  const rule = product.byPurchase.find(
    (r) => (!r.fromMonth || month >= r.fromMonth) && (!r.throughMonth || month <= r.throughMonth),
  );
  return rule?.years ?? product.years;
}

export type Warranty =
  | { years: number; basis: 'ship-date' | 'purchase-date'; start: IsoDate; end: IsoDate; inWarranty: boolean }
  | { years: number; basis: 'unknown'; inWarranty: null };

/** Days from leaving the maker's warehouse to the warranty start [出荷日の3日後を起算日] (DOMAIN §2.5). */
export const SHIP_TO_START_DAYS = 3;

/**
 * CONTRACTS §1 `warranty` of a device on the day `at` (judged as a Japan calendar date), or null when the device
 * is not in the catalogue. start = shipDate + 3 days, else purchaseDate; end = start + years − 1 day.
 */
export function warrantyFor(device: WarrantyDevice, at: string | Date): Warranty | null {
  const product = findWarrantyProduct(device);
  if (!product) return null;
  const years = warrantyYears(product, device);
  const basis = device.shipDate ? 'ship-date' : device.purchaseDate ? 'purchase-date' : 'unknown';
  if (basis === 'unknown') return { years, basis, inWarranty: null };
  const start = device.shipDate ? addDays(device.shipDate, SHIP_TO_START_DAYS) : (device.purchaseDate as IsoDate);
  const end = addDays(addYears(start, years), -1);
  return { years, basis, start, end, inWarranty: jstDate(at) <= end };
}
