// Service terms that turn outage time into money — DOMAIN §5 (seed 004). Pure arithmetic on one continuous period
// of complete unusability, counted from when the provider learned of it (camfleet: when the case opened).
//
// - Art. 34-5: unusable 72 consecutive hours or more → no fee for the unusable time, only the part that is a
//   multiple of 72 h, counted in days of 24 h: floor(h / 72) × 3 days.
// - Art. 48-4,5: unusable through the provider's fault 24 consecutive hours or more → damages equal to the fee for
//   the part that is a multiple of 24 h, per 24 h: floor(h / 24) days; capped at one month's fee.
// - Art. 48-3: outages caused by customer-supplied equipment or lines are excluded. We read Art. 34-5 the same way
//   (it covers the provider stopping its service): only provider-side periods earn days. Customer-side periods show
//   the same hours and thresholds, for information.
import type { BoundarySide } from '@camfleet/shared';

export const HOUR_MS = 3_600_000;
export const DAMAGES_THRESHOLD_H = 24;
export const FEE_EXEMPTION_THRESHOLD_H = 72;
/** Damages are capped at one month's fee; with the fee prorated per 1/30 month, that is 30 days. */
export const DAMAGES_CAP_DAYS = 30;

export interface OutageTerms {
  /** Length of the continuous period in hours. */
  hours: number;
  reached24h: boolean;
  reached72h: boolean;
  /** Art. 48-5 days (provider side only), before the cap. */
  damagesDays: number;
  /** The damages reach the one-month cap (Art. 48-5, proviso). */
  damagesCapped: boolean;
  /** Art. 34-5 days not charged (provider side only). */
  feeExemptDays: number;
  /** Days count only on the provider's side of the boundary (Art. 48-3). */
  eligible: boolean;
}

export function outageTerms(durationMs: number, side: BoundarySide): OutageTerms {
  const ms = Math.max(0, durationMs);
  const hours = ms / HOUR_MS;
  // Whole hours from integer milliseconds, so 72 h minus 1 ms never rounds up to 72.
  const reached24h = ms >= DAMAGES_THRESHOLD_H * HOUR_MS;
  const reached72h = ms >= FEE_EXEMPTION_THRESHOLD_H * HOUR_MS;
  const eligible = side === 'provider';
  const damagesDays = eligible && reached24h ? Math.floor(ms / (24 * HOUR_MS)) : 0;
  const feeExemptDays = eligible && reached72h ? Math.floor(ms / (72 * HOUR_MS)) * 3 : 0;
  return { hours, reached24h, reached72h, damagesDays, damagesCapped: damagesDays >= DAMAGES_CAP_DAYS, feeExemptDays, eligible };
}
