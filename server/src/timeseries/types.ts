// The time-series store behind telemetry history. Two implementations answer the same queries:
// InfluxDB (production) and an in-process store (embedded default).
import type { HistorySource } from './resolution.ts';

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
  /** Samples accepted but not yet stored (in memory and spilled to disk). */
  buffered: number;
  /** Of those, how many wait on disk. */
  spilled?: number;
  detail?: string;
}

export interface HistoryQuery {
  site: string;
  device: string;
  from: number;
  to: number;
}

export interface HistoryResult {
  source: HistorySource;
  /** Bucket width in ms; 0 = raw samples. Aggregated fields are means over the bucket (reachable → availability). */
  stepMs: number;
  rows: SampleRow[];
}

export interface TimeSeriesStore {
  readonly kind: 'influxdb' | 'embedded';
  init(): Promise<void>;
  /** Accepts rows for batched writing; never throws on a store outage (rows are buffered). `onDurable` is
   *  called once they are stored or safe on disk (or dropped, counted). */
  write(rows: SampleRow[], onDurable?: () => void): void;
  /** Writes everything buffered now; resolves when done or when the store refuses (rows stay buffered). */
  flush(): Promise<void>;
  /** Raw samples in [from, to]. */
  query(q: HistoryQuery): Promise<SampleRow[]>;
  /** Samples downsampled to the range (see resolution.ts). */
  history(q: HistoryQuery, now?: number): Promise<HistoryResult>;
  health(): StoreHealth;
  close(): Promise<void>;
}
