// Embedded default: samples kept in process, per device, with bounded retention (age and count), plus
// 5-minute and hourly rollups (the mean of every field per bucket) kept for longer — the same queries and
// the same downsampling as InfluxDB (resolution.ts), for a single machine's fleet. Not kept across restarts.
import { planHistory, type HistoryPlan, type Retention } from './resolution.ts';
import type { HistoryQuery, HistoryResult, SampleRow, StoreHealth, TimeSeriesStore } from './types.ts';

export interface MemoryStoreOptions {
  retentionMs?: number;
  maxPerDevice?: number;
  rollup5mMs?: number;
  rollup1hMs?: number;
}

interface Bucket {
  at: number;
  sum: Record<string, number>;
  n: Record<string, number>;
}

interface Series {
  segment?: string;
  raw: SampleRow[];
  r5m: Map<number, Bucket>;
  r1h: Map<number, Bucket>;
}

const STEP = { '5m': 300_000, '1h': 3600_000 } as const;

function add(buckets: Map<number, Bucket>, step: number, row: SampleRow): void {
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

/** Means of `items` (each a sum and count per field) grouped into buckets of `step` ms. */
function regroup(items: Bucket[], step: number, site: string, device: string, segment?: string): SampleRow[] {
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

export class MemoryTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'embedded' as const;
  private readonly series = new Map<string, Series>();
  readonly retention: Retention;
  private readonly maxPerDevice: number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.retention = {
      rawMs: opts.retentionMs ?? 7 * 24 * 3600_000,
      rollup5mMs: opts.rollup5mMs ?? 30 * 24 * 3600_000,
      rollup1hMs: opts.rollup1hMs ?? 365 * 24 * 3600_000,
    };
    this.maxPerDevice = opts.maxPerDevice ?? 20_000;
  }

  async init(): Promise<void> {}

  write(rows: SampleRow[], onDurable?: () => void): void {
    onDurable?.(); // nothing more durable to wait for in process
    for (const row of rows) {
      const key = `${row.site}/${row.device}`;
      let s = this.series.get(key);
      if (!s) this.series.set(key, (s = { raw: [], r5m: new Map(), r1h: new Map() }));
      if (row.segment) s.segment = row.segment;
      const list = s.raw;
      // Batches normally arrive in time order; replayed ones may not, so insert in place.
      let i = list.length;
      while (i > 0 && list[i - 1]!.at > row.at) i--;
      if (i > 0 && list[i - 1]!.at === row.at) {
        list[i - 1] = row; // same series and time: InfluxDB overwrites the point too
      } else {
        list.splice(i, 0, row);
        add(s.r5m, STEP['5m'], row);
        add(s.r1h, STEP['1h'], row);
      }
      this.trim(s, row.at);
    }
  }

  private trim(s: Series, now: number): void {
    const list = s.raw;
    const cutoff = now - this.retention.rawMs;
    let drop = Math.max(0, list.length - this.maxPerDevice);
    while (drop < list.length && list[drop]!.at < cutoff) drop++;
    if (drop > 0) list.splice(0, drop);
    for (const [map, keep] of [[s.r5m, this.retention.rollup5mMs], [s.r1h, this.retention.rollup1hMs]] as const) {
      if (map.size % 64 !== 0) continue; // amortised
      for (const at of map.keys()) if (at < now - keep) map.delete(at);
    }
  }

  async flush(): Promise<void> {}

  async query(q: HistoryQuery): Promise<SampleRow[]> {
    const list = this.series.get(`${q.site}/${q.device}`)?.raw ?? [];
    return list.filter((r) => r.at >= q.from && r.at <= q.to);
  }

  async history(q: HistoryQuery, now = Date.now(), plan?: HistoryPlan): Promise<HistoryResult> {
    const p = plan ?? planHistory(q.from, q.to, now, this.retention);
    const s = this.series.get(`${q.site}/${q.device}`);
    if (!s) return { ...p, rows: [] };
    if (p.source === 'raw') {
      const raw = await this.query(q);
      if (p.stepMs === 0) return { ...p, rows: raw };
      const items = raw.map((r) => ({ at: r.at, sum: r.fields, n: Object.fromEntries(Object.keys(r.fields).map((k) => [k, 1])) }));
      return { ...p, rows: regroup(items, p.stepMs, q.site, q.device, s.segment) };
    }
    const buckets = [...(p.source === '5m' ? s.r5m : s.r1h).values()].filter((b) => b.at >= q.from && b.at <= q.to);
    return { ...p, rows: regroup(buckets, Math.max(p.stepMs, STEP[p.source]), q.site, q.device, s.segment) };
  }

  health(): StoreHealth {
    return { state: 'up', buffered: 0 };
  }

  async close(): Promise<void> {}
}
