// History samples → uPlot's aligned columns. One pass over the samples per fetch (O(n · fields)); long ranges are
// averaged into at most MAX_POINTS buckets so a 7-day range of 5-second samples stays fast to draw. Gaps longer
// than a few sampling intervals become nulls, so a line never bridges an agent outage.
import type { HistorySample } from './api.ts';

export const MAX_POINTS = 1200;
export const RANGES = { '1h': 3_600_000, '6h': 6 * 3_600_000, '24h': 24 * 3_600_000, '7d': 7 * 24 * 3_600_000 } as const;
export type RangeKey = keyof typeof RANGES;
export const isRange = (v: string | null): v is RangeKey => v !== null && v in RANGES;

export interface Columns {
  /** Times in ms (uPlot runs with `ms: 1`). */
  x: number[];
  /** Per field, aligned with x; null = no value (gap, or the field was not measured then). */
  y: Map<string, (number | null)[]>;
  /** Fields measured at least once in the range. */
  present: Set<string>;
  /** Bucket width in ms when averaged; 0 when every sample is drawn. */
  step: number;
  count: number;
}

/** Fields that are absent from a sample when zero (behindParent is only sent when set). */
const ZERO_WHEN_ABSENT = new Set(['behindParent']);

function typicalInterval(times: number[]): number {
  const diffs: number[] = [];
  for (let i = 1; i < times.length && diffs.length < 400; i++) diffs.push(times[i]! - times[i - 1]!);
  if (!diffs.length) return 0;
  diffs.sort((a, b) => a - b);
  return diffs[Math.floor(diffs.length / 2)]!;
}

/** `serverStepMs`: the bucket width when the server already averaged the samples (a gap is then judged on it). */
export function toColumns(
  samples: readonly HistorySample[],
  fields: readonly string[],
  serverStepMs = 0,
  maxPoints = MAX_POINTS,
): Columns {
  const rows = samples
    .map((s) => ({ t: Date.parse(s.at), s }))
    .filter((r) => Number.isFinite(r.t));
  // The stores return time order; sort only when they did not.
  for (let i = 1; i < rows.length; i++) {
    if (rows[i]!.t < rows[i - 1]!.t) {
      rows.sort((a, b) => a.t - b.t);
      break;
    }
  }
  const present = new Set<string>();
  const value = (s: HistorySample, f: string): number | null => {
    const v = s[f];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    return ZERO_WHEN_ABSENT.has(f) && typeof s.reachable === 'number' ? 0 : null;
  };
  const times = rows.map((r) => r.t);
  const interval = typicalInterval(times);
  const first = times[0] ?? 0;
  const span = (times[times.length - 1] ?? 0) - first;
  const step = rows.length > maxPoints ? Math.ceil(span / maxPoints) || 1 : 0;

  // Buckets (or single samples when step = 0): mean time and mean value per field.
  const bx: number[] = [];
  const by = new Map<string, (number | null)[]>(fields.map((f) => [f, []]));
  let i = 0;
  while (i < rows.length) {
    const bucket = step ? Math.floor((rows[i]!.t - first) / step) : i;
    let n = 0;
    let tSum = 0;
    const sums = new Map<string, { sum: number; n: number }>();
    while (i < rows.length && (step ? Math.floor((rows[i]!.t - first) / step) === bucket : n === 0)) {
      const { t, s } = rows[i]!;
      tSum += t;
      n++;
      for (const f of fields) {
        const v = value(s, f);
        if (v === null) continue;
        if (typeof s[f] === 'number') present.add(f);
        const acc = sums.get(f);
        if (acc) {
          acc.sum += v;
          acc.n++;
        } else sums.set(f, { sum: v, n: 1 });
      }
      i++;
    }
    bx.push(tSum / n);
    for (const f of fields) {
      const acc = sums.get(f);
      by.get(f)!.push(acc ? acc.sum / acc.n : null);
    }
  }

  // Insert a null row wherever consecutive points are further apart than a few intervals.
  const gap = Math.max(interval, step, serverStepMs) * 3;
  const x: number[] = [];
  const y = new Map<string, (number | null)[]>(fields.map((f) => [f, []]));
  for (let k = 0; k < bx.length; k++) {
    if (k > 0 && gap > 0 && bx[k]! - bx[k - 1]! > gap) {
      x.push((bx[k]! + bx[k - 1]!) / 2);
      for (const f of fields) y.get(f)!.push(null);
    }
    x.push(bx[k]!);
    for (const f of fields) y.get(f)!.push(by.get(f)![k]!);
  }
  return { x, y, present, step: step || serverStepMs, count: rows.length };
}

/** latest / min / max of a column, ignoring nulls; null when the column has no value. */
export function stats(col: readonly (number | null)[]): { latest: number; min: number; max: number } | null {
  let latest: number | null = null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of col) {
    if (v === null) continue;
    latest = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return latest === null ? null : { latest, min, max };
}
