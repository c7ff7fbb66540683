// Provider's re-installation work [再設置工事] — DOMAIN §2.6 (seed 000 p.9). Removal + re-installation is never
// covered by the equipment warranty; the provider offers it per camera, tax included, weekends/holidays at no
// surcharge, but not at or above a mount height that depends on the region.
import type { Region } from '../site.ts';

export interface ReinstallTerms {
  /** Price per camera per day-long job, tax included (camera body not included). */
  costYen: number;
  /** Not available when the camera is mounted this high above the floor or higher. */
  maxHeightM: number;
}

export const REINSTALL_TERMS: Readonly<Record<Region, ReinstallTerms>> = {
  east: { costYen: 24_200, maxHeightM: 4.2 }, // 東日本エリア 24,200円/台, 床から4.2m以上は対応不可
  west: { costYen: 30_800, maxHeightM: 3 }, // 西日本エリア 30,800円/台, 床から3m以上は対応不可
};

/**
 * With the region unknown we quote the West terms: the lower height limit and the higher price, so the answer
 * never promises work the provider may refuse nor under-quotes the cost. A note says so.
 */
export const UNKNOWN_REGION_ASSUMPTION: Region = 'west';

/** CONTRACTS §1 `reinstall`; `note`/`noteJa` appear only when an input was unknown. */
export type Reinstall =
  | { available: true; costYen: number; note?: string; noteJa?: string }
  | { available: false; reason: 'mount-height'; note?: string; noteJa?: string };

export function reinstallFor(region: Region | undefined, mountHeightM: number | undefined): Reinstall {
  const terms = REINSTALL_TERMS[region ?? UNKNOWN_REGION_ASSUMPTION];
  const notes: { en: string[]; ja: string[] } = { en: [], ja: [] };
  if (!region) {
    notes.en.push('Region unknown: West Japan terms quoted (¥30,800, not at 3 m or higher); East is ¥24,200 below 4.2 m.');
    notes.ja.push('地域不明のため西日本エリアの条件（30,800円/台、床から3m以上は対応不可）で案内。東日本エリアは24,200円/台（4.2m未満）。');
  }
  if (mountHeightM !== undefined && mountHeightM >= terms.maxHeightM) {
    return { available: false, reason: 'mount-height', ...noteFields(notes) };
  }
  if (mountHeightM === undefined) {
    notes.en.push(`Mount height unknown: not available at ${terms.maxHeightM} m or more above the floor.`);
    notes.ja.push(`設置高不明：床から${terms.maxHeightM}m以上の場合は対応不可。`);
  }
  return { available: true, costYen: terms.costYen, ...noteFields(notes) };
}

function noteFields(notes: { en: string[]; ja: string[] }): { note?: string; noteJa?: string } {
  return notes.en.length ? { note: notes.en.join(' '), noteJa: notes.ja.join('') } : {};
}
