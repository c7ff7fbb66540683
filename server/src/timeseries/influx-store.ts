// InfluxDB 1.x store (docs/timeseries.md). Telemetry becomes line protocol once per batch; writes go out in
// batches by size and time, two at a time. When InfluxDB is slow or down the rows stay buffered — in memory
// up to `maxMemoryPoints`, then spilled to disk (DiskSpill) up to `maxSpillBytes` — and are retried with
// backoff, so an outage loses nothing up to those bounds. /healthz reports `degraded` while anything waits.
import path from 'node:path';
import { InfluxDB } from 'influx';
import { ackAll, MEASUREMENT, toChunk, type Chunk } from './line-protocol.ts';
import { backfillRollups, DEFAULT_INFLUX_RETENTION, durationMs, ensureInfluxSchema, RP, type InfluxRetention } from './influx-schema.ts';
import { influxHistory } from './influx-query.ts';
import { DiskSpill } from './spill.ts';
import type { HistoryQuery, HistoryResult, SampleRow, StoreHealth, TimeSeriesStore } from './types.ts';

export { MEASUREMENT };

export interface InfluxStoreOptions {
  url: string;
  /** Directory for the on-disk spill (CAMFLEET_DATA_DIR/timeseries-spill). */
  spillDir: string;
  batchSize?: number;
  flushIntervalMs?: number;
  writers?: number;
  maxMemoryPoints?: number;
  maxSpillBytes?: number;
  retention?: InfluxRetention;
  log?: (msg: string) => void;
  /** Called after each successful write: points stored and seconds from the oldest sample to storage. */
  onStored?: (points: number, lagS: number) => void;
}

interface Job {
  chunks?: Chunk[];
  spill?: string;
  lines: string;
  points: number;
  oldest: number;
}

export class InfluxTimeSeriesStore implements TimeSeriesStore {
  readonly kind = 'influxdb' as const;
  readonly influx: InfluxDB;
  readonly database: string;
  private readonly writeUrl: string;
  private readonly headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  private readonly spill: DiskSpill;
  private mem: Chunk[] = [];
  private memPoints = 0;
  private readonly spillBusy = new Set<string>();
  private inflight = 0;
  private inflightPoints = 0;
  private readonly idle: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private retryAt = 0;
  private lastError: string | undefined;
  private backlogOldest = Infinity;
  private readonly opts: Required<Omit<InfluxStoreOptions, 'onStored' | 'log'>> & Pick<InfluxStoreOptions, 'onStored'>;
  private readonly log: (msg: string) => void;
  writtenPoints = 0;
  writeBatches = 0;
  writeFailures = 0;
  rejectedPoints = 0;

  constructor(opts: InfluxStoreOptions) {
    const url = new URL(opts.url);
    this.database = url.pathname.replace(/^\/+|\/+$/g, '') || 'camfleet';
    const username = url.username ? decodeURIComponent(url.username) : undefined;
    const password = url.password ? decodeURIComponent(url.password) : undefined;
    this.influx = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: this.database,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
    });
    this.writeUrl = `${url.protocol}//${url.host}/write?db=${encodeURIComponent(this.database)}&rp=${RP.raw}&precision=ms`;
    if (username) this.headers.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
    this.opts = {
      url: opts.url,
      spillDir: opts.spillDir,
      batchSize: opts.batchSize ?? 5000,
      flushIntervalMs: opts.flushIntervalMs ?? 1000,
      writers: opts.writers ?? 2,
      maxMemoryPoints: opts.maxMemoryPoints ?? 500_000,
      maxSpillBytes: opts.maxSpillBytes ?? 2 * 1024 ** 3,
      retention: opts.retention ?? DEFAULT_INFLUX_RETENTION,
      onStored: opts.onStored,
    };
    this.log = opts.log ?? (() => {});
    this.spill = new DiskSpill(path.resolve(opts.spillDir), this.opts.maxSpillBytes, this.log);
  }

  async init(): Promise<void> {
    await ensureInfluxSchema(this.influx, this.database, this.opts.retention);
    this.spill.init();
    if (this.spill.points > 0) this.backlogOldest = 0; // unknown span: roll up what the replay covers
    this.timer = setInterval(() => this.pump(true), this.opts.flushIntervalMs);
    this.timer.unref();
  }

  write(rows: SampleRow[], onDurable?: () => void): void {
    const chunk = toChunk(rows);
    if (!chunk) return onDurable?.();
    if (onDurable) chunk.acks = [onDurable];
    this.mem.push(chunk);
    this.memPoints += chunk.points;
    if (this.memPoints > this.opts.maxMemoryPoints) this.spillOldest();
    if (this.memPoints >= this.opts.batchSize) this.pump(false);
  }

  /** Moves the oldest in-memory chunks to disk, one write batch per file, until memory is half full. */
  private spillOldest(): void {
    while (this.memPoints > this.opts.maxMemoryPoints / 2 && this.mem.length > 0) {
      const take = this.takeChunks();
      this.spill.append(take);
    }
  }

  /** The oldest chunks, up to a batch: one splice, not a shift per chunk (the queue can be long). */
  private takeChunks(): Chunk[] {
    let n = 0;
    let points = 0;
    while (n < this.mem.length && points < this.opts.batchSize) points += this.mem[n++]!.points;
    this.memPoints -= points;
    return this.mem.splice(0, n);
  }

  private nextJob(force: boolean): Job | undefined {
    const file = this.spill.peek(this.spillBusy);
    if (file) {
      this.spillBusy.add(file.name);
      return { spill: file.name, lines: file.lines, points: file.points, oldest: file.oldest };
    }
    if (this.memPoints === 0 || (!force && this.memPoints < this.opts.batchSize)) return undefined;
    const chunks = this.takeChunks();
    let oldest = Infinity;
    for (const c of chunks) if (c.oldest < oldest) oldest = c.oldest;
    return { chunks, lines: chunks.map((c) => c.lines).join('\n'), points: chunks.reduce((n, c) => n + c.points, 0), oldest };
  }

  private pump(force: boolean): void {
    while (this.inflight < this.opts.writers && Date.now() >= this.retryAt) {
      const job = this.nextJob(force);
      if (!job) break;
      this.inflight++;
      this.inflightPoints += job.spill ? 0 : job.points;
      void this.post(job).finally(() => {
        this.inflight--;
        this.inflightPoints -= job.spill ? 0 : job.points;
        if (this.inflight === 0) for (const r of this.idle.splice(0)) r();
        if (this.failures === 0) this.pump(force);
      });
    }
  }

  private async post(job: Job): Promise<void> {
    let status = 0;
    let text = '';
    try {
      const res = await fetch(this.writeUrl, { method: 'POST', headers: this.headers, body: job.lines, signal: AbortSignal.timeout(30_000) });
      status = res.status;
      if (status !== 204) text = (await res.text()).slice(0, 200);
    } catch (err) {
      text = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    }
    if (status === 204 || (status >= 400 && status < 500 && status !== 408 && status !== 429)) {
      // 4xx: InfluxDB refused these points (e.g. a field type conflict); retrying would never succeed.
      if (status !== 204) {
        this.rejectedPoints += job.points;
        this.log(`InfluxDB refused a batch of ${job.points} samples (${status}: ${text}); they are dropped`);
      } else {
        this.writtenPoints += job.points;
        this.writeBatches++;
        this.opts.onStored?.(job.points, Math.max(0, (Date.now() - job.oldest) / 1000));
      }
      if (job.chunks) ackAll(job.chunks);
      if (job.spill) this.spill.remove(job.spill);
      this.spillBusy.delete(job.spill ?? '');
      if (this.failures > 0) this.recovered();
      return;
    }
    // Put it back in front, to retry with backoff.
    if (job.spill) this.spillBusy.delete(job.spill);
    if (job.chunks) {
      this.mem.unshift(...job.chunks);
      this.memPoints += job.points;
      if (this.memPoints > this.opts.maxMemoryPoints) this.spillOldest();
    }
    this.failures++;
    this.writeFailures++;
    this.lastError = status ? `HTTP ${status} ${text}` : text || 'write failed';
    if (job.oldest < this.backlogOldest) this.backlogOldest = job.oldest;
    const backoff = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
    this.retryAt = Date.now() + backoff;
    if (this.failures <= 3 || this.failures % 10 === 0) {
      this.log(`InfluxDB write failed (${this.lastError}); ${this.buffered()} samples buffered, retry in ${backoff} ms`);
    }
  }

  private recovered(): void {
    this.log(`InfluxDB writes recovered after ${this.failures} failed attempts; replaying ${this.buffered()} buffered samples`);
    this.failures = 0;
    this.lastError = undefined;
    this.retryAt = 0;
    const from = this.backlogOldest;
    this.backlogOldest = Infinity;
    // Continuous queries only look back a little; roll up the replayed period again once it is in.
    if (from !== Infinity) {
      void this.flush().then(() => backfillRollups(this.influx, this.database, from === 0 ? Date.now() - durationMs(this.opts.retention.raw) : from))
        .catch((e: unknown) => this.log(`rollup backfill failed: ${String(e)}`));
    }
  }

  private buffered(): number {
    return this.memPoints + this.spill.points + this.inflightPoints;
  }

  private waitIdle(): Promise<void> {
    return this.inflight === 0 ? Promise.resolve() : new Promise((r) => this.idle.push(r));
  }

  /** Writes everything buffered; stops at the first failure (the rest stays buffered for the retry). */
  async flush(): Promise<void> {
    for (;;) {
      this.pump(true);
      await this.waitIdle();
      if (this.failures > 0 || (this.memPoints === 0 && this.spill.points === 0)) return;
    }
  }

  query(q: HistoryQuery): Promise<SampleRow[]> {
    return influxHistory(this.influx, this.database, q, { source: 'raw', stepMs: 0 }).then((r) => r.rows);
  }

  history(q: HistoryQuery, now = Date.now()): Promise<HistoryResult> {
    const ret = this.opts.retention;
    return influxHistory(this.influx, this.database, q, undefined, { rawMs: durationMs(ret.raw), rollup5mMs: durationMs(ret.rollup5m), rollup1hMs: durationMs(ret.rollup1h) }, now);
  }

  health(): StoreHealth {
    const buffered = this.buffered();
    const spilled = this.spill.points;
    const dropped = this.spill.dropped + this.rejectedPoints;
    if (this.failures > 0) {
      return { state: 'degraded', buffered, spilled, detail: `writes failing: ${this.lastError ?? 'unknown'}` };
    }
    return { state: spilled > 0 ? 'degraded' : 'up', buffered, spilled, ...(dropped ? { detail: `${dropped} samples dropped (spill cap or refused by InfluxDB)` } : {}) };
  }

  get droppedPoints(): number {
    return this.spill.dropped + this.rejectedPoints;
  }

  /** SIGTERM: one last try, then whatever InfluxDB did not take goes to disk for the next start. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.retryAt = 0;
    this.failures = 0;
    await Promise.race([this.flush(), new Promise((r) => setTimeout(r, 5000).unref())]);
    await this.waitIdle();
    while (this.mem.length > 0) this.spill.append(this.takeChunks());
  }
}
