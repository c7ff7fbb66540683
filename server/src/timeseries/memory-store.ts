// Embedded default: samples kept in process, per device, with bounded retention (age and count), plus
// 5-minute and hourly rollups (the mean of every field per bucket) kept for longer — the same queries and
// the same downsampling as InfluxDB (resolution.ts), for a single machine's fleet. With a directory it is kept
// across restarts (embedded-disk.ts): every write is appended there too, and `init()` loads it back.
import { addBucket, addSample, regroup, STEP, type Bucket, type RollupKind } from './buckets.ts';
import type { SeriesBuckets } from './embedded-codec.ts';
import { EmbeddedDisk } from './embedded-disk.ts';
import { planHistory, type HistoryPlan, type Retention } from './resolution.ts';
import type { HistoryQuery, HistoryResult, SampleRow, StoreHealth, TimeSeriesStore } from './types.ts';

export interface MemoryStoreOptions {
  retentionMs?: number;
  maxPerDevice?: number;
  rollup5mMs?: number;
  rollup1hMs?: number;
  /** Keep the samples in this directory across restarts (CAMFLEET_DATA_DIR/timeseries); memory only without. */
  dir?: string;
  log?: (msg: string) => void;
  /** The disk side's clock (segment days, retention of files); tests move it. */
  now?: () => number;
}

interface Series {
  segment?: string;
  raw: SampleRow[];
  r5m: Map<number, Bucket>;
  r1h: Map<number, Bucket>;
}

export class MemoryTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'embedded' as const;
  private readonly series = new Map<string, Series>();
  readonly retention: Retention;
  private readonly maxPerDevice: number;
  private readonly disk: EmbeddedDisk | undefined;

  constructor(opts: MemoryStoreOptions = {}) {
    this.retention = {
      rawMs: opts.retentionMs ?? 7 * 24 * 3600_000,
      rollup5mMs: opts.rollup5mMs ?? 30 * 24 * 3600_000,
      rollup1hMs: opts.rollup1hMs ?? 365 * 24 * 3600_000,
    };
    this.maxPerDevice = opts.maxPerDevice ?? 20_000;
    this.disk = opts.dir
      ? new EmbeddedDisk({ dir: opts.dir, retention: this.retention, log: opts.log ?? (() => {}), ...(opts.now ? { now: opts.now } : {}) })
      : undefined;
  }

  /** Loads what an earlier run kept on disk (nothing without a directory). */
  async init(): Promise<void> {
    await this.disk?.open({
      rows: (rows) => this.insert(rows),
      buckets: (s, kind) => this.mergeBuckets(s, kind),
    });
  }

  write(rows: SampleRow[], onDurable?: () => void): void {
    this.insert(rows);
    if (this.disk) this.disk.append(rows, onDurable);
    else onDurable?.(); // nothing more durable to wait for in process
  }

  private seriesOf(site: string, device: string): Series {
    const key = `${site}/${device}`;
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { raw: [], r5m: new Map(), r1h: new Map() }));
    return s;
  }

  private insert(rows: SampleRow[]): void {
    for (const row of rows) {
      const s = this.seriesOf(row.site, row.device);
      if (row.segment) s.segment = row.segment;
      const list = s.raw;
      // Batches normally arrive in time order; replayed ones may not, so insert in place.
      let i = list.length;
      while (i > 0 && list[i - 1]!.at > row.at) i--;
      if (i > 0 && list[i - 1]!.at === row.at) {
        list[i - 1] = row; // same series and time: InfluxDB overwrites the point too
      } else {
        list.splice(i, 0, row);
        addSample(s.r5m, STEP['5m'], row);
        addSample(s.r1h, STEP['1h'], row);
      }
      this.trim(s, row.at);
    }
  }

  /** Rollup sums loaded from disk (compacted days). */
  private mergeBuckets(from: SeriesBuckets, kind: RollupKind): void {
    const s = this.seriesOf(from.site, from.device);
    if (from.segment) s.segment ??= from.segment;
    for (const b of from.buckets) addBucket(kind === '5m' ? s.r5m : s.r1h, b);
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

  async flush(): Promise<void> {
    await this.disk?.flush();
  }

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
    if (!this.disk) return { state: 'up', buffered: 0 };
    const buffered = this.disk.pendingRows;
    return this.disk.lastError
      ? { state: 'degraded', buffered, detail: `cannot write to disk: ${this.disk.lastError}` }
      : { state: 'up', buffered };
  }

  async close(): Promise<void> {
    await this.disk?.close();
  }
}
