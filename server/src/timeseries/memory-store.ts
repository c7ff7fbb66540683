// Embedded default: samples kept in process, per device, with bounded retention (age and count).
import type { HistoryQuery, SampleRow, StoreHealth, TimeSeriesStore } from './types.ts';

export interface MemoryStoreOptions {
  retentionMs?: number;
  maxPerDevice?: number;
}

export class MemoryTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'embedded' as const;
  private readonly series = new Map<string, SampleRow[]>();
  private readonly retentionMs: number;
  private readonly maxPerDevice: number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.retentionMs = opts.retentionMs ?? 7 * 24 * 3600_000;
    this.maxPerDevice = opts.maxPerDevice ?? 20_000;
  }

  async init(): Promise<void> {}

  write(rows: SampleRow[]): void {
    for (const row of rows) {
      const key = `${row.site}/${row.device}`;
      let list = this.series.get(key);
      if (!list) this.series.set(key, (list = []));
      // Batches normally arrive in time order; replayed ones may not, so insert in place.
      let i = list.length;
      while (i > 0 && list[i - 1]!.at > row.at) i--;
      list.splice(i, 0, row);
      const cutoff = row.at - this.retentionMs;
      let drop = Math.max(0, list.length - this.maxPerDevice);
      while (drop < list.length && list[drop]!.at < cutoff) drop++;
      if (drop > 0) list.splice(0, drop);
    }
  }

  async flush(): Promise<void> {}

  async query(q: HistoryQuery): Promise<SampleRow[]> {
    const list = this.series.get(`${q.site}/${q.device}`) ?? [];
    return list.filter((r) => r.at >= q.from && r.at <= q.to);
  }

  health(): StoreHealth {
    return { state: 'up', buffered: 0 };
  }

  async close(): Promise<void> {}
}
