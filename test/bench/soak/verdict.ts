// Did the server's memory level off? Memory saw-tooths: the V8 heap (and with it RSS) climbs between major
// collections and drops at each. So the verdict follows the *floor* — the lowest reading in each short window,
// i.e. what survives collection — and compares its least-squares slope in the first and the last third of the run.
// A server that only warms up (JIT, buffers, caches, pools) raises its floor early and then holds it; a leak keeps
// raising it to the end. The verdict states its rule and prints the figures it used.

export interface Reading {
  /** Seconds since the load started. */
  t: number;
  mb: number;
}

export interface Verdict {
  firstSlope: number;
  lastSlope: number;
  /** Mean floor of each third, MB. */
  means: [number, number, number];
  levelled: boolean;
}

/** The last third's floor rises by less than this (MB per minute) → flat, whatever the first third did. */
const FLAT_MB_PER_MIN = 0.5;
/** …or by less than this share of the first third's rise. */
const SLOWDOWN = 0.2;

export const RULE = `floor = lowest reading per window; levelled off = the last third's floor slope < ${FLAT_MB_PER_MIN} MB/min, or < ${SLOWDOWN * 100} % of the first third's`;

/** MB per minute, least squares. */
export function slope(points: readonly Reading[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, x) => s + x.t, 0) / n;
  const mm = points.reduce((s, x) => s + x.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of points) {
    num += (x.t - mt) * (x.mb - mm);
    den += (x.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

/** The lowest reading of each `windowS` window, placed at the window's middle. */
export function floors(readings: readonly Reading[], windowS: number): Reading[] {
  const byWindow = new Map<number, number>();
  for (const r of readings) {
    const w = Math.floor(r.t / windowS);
    byWindow.set(w, Math.min(byWindow.get(w) ?? Infinity, r.mb));
  }
  return [...byWindow].sort((a, b) => a[0] - b[0]).map(([w, mb]) => ({ t: (w + 0.5) * windowS, mb }));
}

export function verdict(readings: readonly Reading[], windowS: number): Verdict {
  const f = floors(readings, windowS);
  const end = readings.at(-1)?.t ?? 0;
  const third = (i: number) => f.filter((p) => p.t >= (end * i) / 3 && p.t < (end * (i + 1)) / 3);
  const parts = [third(0), third(1), third(2)];
  const firstSlope = slope(parts[0]!);
  const lastSlope = slope(parts[2]!);
  const mean = (xs: readonly Reading[]) => (xs.length ? xs.reduce((s, x) => s + x.mb, 0) / xs.length : NaN);
  return {
    firstSlope,
    lastSlope,
    means: [mean(parts[0]!), mean(parts[1]!), mean(parts[2]!)],
    levelled: lastSlope < FLAT_MB_PER_MIN || (firstSlope > 0 && lastSlope < SLOWDOWN * firstSlope),
  };
}
