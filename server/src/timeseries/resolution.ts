// History "downsampled to the range": both stores pick the same source and step for a query, so the
// embedded store and InfluxDB answer alike. Raw samples for short ranges, raw aggregated on the fly
// while the range is within raw retention, then the 5-minute rollup, then the hourly one.
export type HistorySource = 'raw' | '5m' | '1h';

export interface Retention {
  rawMs: number;
  rollup5mMs: number;
  rollup1hMs: number;
}

export interface HistoryPlan {
  source: HistorySource;
  /** Bucket width; 0 = every raw sample. */
  stepMs: number;
}

/** At most about this many points per series in an answer. */
export const TARGET_POINTS = 1000;
const MIN = 60_000;
const STEPS = [MIN, 5 * MIN, 15 * MIN, 60 * MIN, 6 * 60 * MIN, 24 * 60 * MIN, 7 * 24 * 60 * MIN];

export function planHistory(from: number, to: number, now: number, ret: Retention): HistoryPlan {
  const wanted = (to - from) / TARGET_POINTS;
  const step = (min: number) => STEPS.find((s) => s >= Math.max(min, wanted)) ?? STEPS[STEPS.length - 1]!;
  if (from >= now - ret.rawMs) return wanted <= 30_000 ? { source: 'raw', stepMs: 0 } : { source: 'raw', stepMs: step(MIN) };
  if (from >= now - ret.rollup5mMs) return { source: '5m', stepMs: step(5 * MIN) };
  return { source: '1h', stepMs: step(60 * MIN) };
}

export const stepName = (ms: number) => (ms === 0 ? 'raw' : ms % 3600_000 === 0 ? `${ms / 3600_000}h` : `${ms / 60_000}m`);
