// InfluxDB 1.x store through the `influx` package: rows are batched by size and time; when InfluxDB is
// slow or down they stay buffered (bounded) and are retried with backoff, so an outage loses nothing
// up to `maxBuffered` samples. /healthz reports `degraded` while anything waits.
import { InfluxDB, type IPoint } from 'influx';
import type { HistoryQuery, SampleRow, StoreHealth, TimeSeriesStore } from './types.ts';

export const MEASUREMENT = 'device_sample';

export interface InfluxStoreOptions {
  url: string;
  batchSize?: number;
  flushIntervalMs?: number;
  maxBuffered?: number;
  log?: (msg: string) => void;
}

function databaseOf(url: URL): string {
  const name = url.pathname.replace(/^\/+|\/+$/g, '');
  return name || 'camfleet';
}

/** Field keys become InfluxQL identifiers; keep them plain. */
const safeKey = (k: string) => k.replace(/[^A-Za-z0-9_]/g, '_');

export class InfluxTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'influxdb' as const;
  private readonly influx: InfluxDB;
  readonly database: string;
  private buffer: IPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private retryAt = 0;
  private lastError: string | undefined;
  private droppedOverflow = 0;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;
  private readonly log: (msg: string) => void;
  writtenPoints = 0;
  writeBatches = 0;

  constructor(opts: InfluxStoreOptions) {
    const url = new URL(opts.url);
    this.database = databaseOf(url);
    this.influx = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: this.database,
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    });
    this.batchSize = opts.batchSize ?? 5000;
    this.flushIntervalMs = opts.flushIntervalMs ?? 1000;
    this.maxBuffered = opts.maxBuffered ?? 2_000_000;
    this.log = opts.log ?? (() => {});
  }

  async init(): Promise<void> {
    await this.influx.createDatabase(this.database); // CREATE DATABASE is idempotent in InfluxDB 1.x
    this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
    this.timer.unref();
  }

  write(rows: SampleRow[]): void {
    for (const r of rows) {
      const fields: Record<string, number> = {};
      for (const [k, v] of Object.entries(r.fields)) if (Number.isFinite(v)) fields[safeKey(k)] = v;
      if (Object.keys(fields).length === 0) continue;
      this.buffer.push({
        measurement: MEASUREMENT,
        tags: { site: r.site, device: r.device, ...(r.segment ? { segment: r.segment } : {}) },
        fields,
        timestamp: r.at,
      });
    }
    if (this.buffer.length > this.maxBuffered) {
      // Documented cap: past it the oldest samples go, and are counted (never silently).
      const excess = this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, excess);
      this.droppedOverflow += excess;
    }
    if (this.buffer.length >= this.batchSize && this.failures === 0) void this.flush();
  }

  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      if (Date.now() < this.retryAt) return;
      const batch = this.buffer.slice(0, this.batchSize);
      try {
        await this.influx.writePoints(batch, { precision: 'ms' });
      } catch (err) {
        this.failures++;
        this.lastError = err instanceof Error ? err.message.slice(0, 200) : 'write failed';
        const backoff = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
        this.retryAt = Date.now() + backoff;
        this.log(`InfluxDB write failed (${this.lastError}); ${this.buffer.length} samples buffered, retry in ${backoff} ms`);
        return;
      }
      this.buffer.splice(0, batch.length);
      this.writtenPoints += batch.length;
      this.writeBatches++;
      if (this.failures > 0) this.log(`InfluxDB writes recovered after ${this.failures} failed attempts`);
      this.failures = 0;
      this.lastError = undefined;
    }
  }

  async query(q: HistoryQuery): Promise<SampleRow[]> {
    const rows = await this.influx.query<Record<string, unknown>>(
      `SELECT * FROM ${MEASUREMENT} WHERE site = $site AND device = $device AND time >= $from AND time <= $to ORDER BY time ASC`,
      { placeholders: { site: q.site, device: q.device, from: new Date(q.from).toISOString(), to: new Date(q.to).toISOString() } },
    );
    return rows.map((r) => {
      const fields: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) if (typeof v === 'number') fields[k] = v;
      const time = r.time as Date;
      return {
        site: q.site,
        device: q.device,
        ...(typeof r.segment === 'string' ? { segment: r.segment } : {}),
        at: time.getTime(),
        fields,
      };
    });
  }

  health(): StoreHealth {
    if (this.failures > 0) {
      return { state: 'degraded', buffered: this.buffer.length, detail: `writes failing: ${this.lastError ?? 'unknown'}` };
    }
    return { state: 'up', buffered: this.buffer.length, ...(this.droppedOverflow ? { detail: `${this.droppedOverflow} samples dropped over the buffer cap` } : {}) };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.retryAt = 0;
    await this.flush();
  }
}
