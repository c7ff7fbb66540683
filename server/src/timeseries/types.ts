// The time-series store behind telemetry history. Two implementations answer the same queries:
// InfluxDB (production) and an in-process store (embedded default).

/** One device's sample: tags site/device/segment; numeric fields (reachable 0/1, latencyMs, clockDriftS, …). */
export interface SampleRow {
  site: string;
  device: string;
  segment?: string;
  /** Sample time, epoch milliseconds. */
  at: number;
  fields: Record<string, number>;
}

export interface StoreHealth {
  state: 'up' | 'degraded' | 'down';
  /** Samples accepted but not yet stored. */
  buffered: number;
  detail?: string;
}

export interface HistoryQuery {
  site: string;
  device: string;
  from: number;
  to: number;
}

export interface TimeSeriesStore {
  readonly kind: 'influxdb' | 'embedded';
  init(): Promise<void>;
  /** Accepts rows for batched writing; never throws on a store outage (rows are buffered). */
  write(rows: SampleRow[]): void;
  /** Writes everything buffered now; resolves when done or when the store refuses (rows stay buffered). */
  flush(): Promise<void>;
  query(q: HistoryQuery): Promise<SampleRow[]>;
  health(): StoreHealth;
  close(): Promise<void>;
}
