// Rollup arithmetic of the embedded store: a bucket keeps, per field, the sum and the count of the samples in it, so
// buckets add up (the compacted files on disk and the samples replayed after them) and means are exact.
import type { SampleRow } from './types.ts';

export interface Bucket {
  at: number;
  sum: Record<string, number>;
  n: Record<string, number>;
}

export const STEP = { '5m': 300_000, '1h': 3600_000 } as const;
export type RollupKind = keyof typeof STEP;

/** Adds a sample's finite fields to its bucket of `step` ms. */
export function addSample(buckets: Map<number, Bucket>, step: number, row: SampleRow): void {
  const at = Math.floor(row.at / step) * step;
  let b = buckets.get(at);
  if (!b) buckets.set(at, (b = { at, sum: {}, n: {} }));
  for (const k in row.fields) {
    const v = row.fields[k]!;
    if (!Number.isFinite(v)) continue;
    b.sum[k] = (b.sum[k] ?? 0) + v;
    b.n[k] = (b.n[k] ?? 0) + 1;
  }
}

/** Adds a bucket's sums and counts into the bucket with the same start. */
export function addBucket(buckets: Map<number, Bucket>, from: Bucket): void {
  let b = buckets.get(from.at);
  if (!b) buckets.set(from.at, (b = { at: from.at, sum: {}, n: {} }));
  for (const k in from.sum) {
    b.sum[k] = (b.sum[k] ?? 0) + from.sum[k]!;
    b.n[k] = (b.n[k] ?? 0) + (from.n[k] ?? 0);
  }
}

/** Means of `items` (each a sum and count per field) grouped into buckets of `step` ms. */
export function regroup(items: Bucket[], step: number, site: string, device: string, segment?: string): SampleRow[] {
  const grouped = new Map<number, Bucket>();
  for (const it of items) {
    const at = Math.floor(it.at / step) * step;
    let g = grouped.get(at);
    if (!g) grouped.set(at, (g = { at, sum: {}, n: {} }));
    for (const k in it.sum) {
      // Mean of means, like InfluxDB's mean() over a rollup.
      g.sum[k] = (g.sum[k] ?? 0) + it.sum[k]! / it.n[k]!;
      g.n[k] = (g.n[k] ?? 0) + 1;
    }
  }
  return [...grouped.values()].sort((a, b) => a.at - b.at).map((g) => {
    const fields: Record<string, number> = {};
    for (const k in g.sum) fields[k] = g.sum[k]! / g.n[k]!;
    return { site, device, ...(segment ? { segment } : {}), at: g.at, fields };
  });
}
