// What makes the embedded store (memory-store.ts) survive a restart, in CAMFLEET_DATA_DIR/timeseries:
//  - `YYYYMMDD.seg`: every write appended as it arrives, one segment per UTC day of arrival (embedded-codec.ts).
//    Appends are batched: a flush every FLUSH_MS (or at FLUSH_BYTES) is one write(2) and one fdatasync for all
//    the writes since the last one; only then are their `onDurable` callbacks called (group commit).
//  - `YYYYMMDD.r5m` / `.r1h`: once a segment's day has left raw retention it is compacted: its samples become
//    5-minute and hourly bucket sums per series, and the segment is deleted. Each rollup file is deleted when its
//    own retention has passed.
// At start, after finishing any compaction that was cut short, the rollup files are added up and the segments
// replayed (in arrival order, through the same insert as a live write), so history answers as it did before the
// restart. Damaged lines are skipped with a warning; a torn last line is cut off so appending continues cleanly.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { addSample, STEP, type Bucket, type RollupKind } from './buckets.ts';
import { encodeRows, encodeSeries, readRecords, rowsOf, seriesOf, type SeriesBuckets } from './embedded-codec.ts';
import type { Retention } from './resolution.ts';
import type { SampleRow } from './types.ts';

export interface EmbeddedDiskOptions {
  dir: string;
  retention: Retention;
  log: (msg: string) => void;
  /** Clock for the segment's day and for retention (tests move it). */
  now?: () => number;
  flushMs?: number;
}

/** Where loaded data goes: the memory store's insert and rollup merge. */
export interface LoadSink {
  rows(rows: SampleRow[]): void;
  buckets(series: SeriesBuckets, kind: RollupKind): void;
}

const FLUSH_MS = 200;
const FLUSH_BYTES = 1 << 20;
const COMPACT_EVERY_MS = 3600_000;
const DAY_MS = 86_400_000;
const SEG_RE = /^(\d{8})\.seg$/;
const ROLLUP_RE = /^(\d{8})\.(r5m|r1h)$/;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
const dayEnd = (day: string) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))) + DAY_MS;

export class EmbeddedDisk {
  private readonly now: () => number;
  private handle: FileHandle | undefined;
  private day: string | undefined;
  /** Size of the open segment after the last good write: a failed write is cut back to it. */
  private size = 0;
  private chunks: string[] = [];
  private bytes = 0;
  private callbacks: (() => void)[] = [];
  private flushing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private lastLog = 0;
  /** Rows accepted but not yet on disk. */
  pendingRows = 0;
  lastError: string | undefined;

  constructor(private readonly opts: EmbeddedDiskOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Finishes interrupted compactions, compacts what has aged, loads the rest into `sink`, starts the timers. */
  async open(sink: LoadSink): Promise<void> {
    const { dir } = this.opts;
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) if (f.endsWith('.tmp')) rmSync(path.join(dir, f), { force: true });
    // A segment still there means its compaction did not finish: rollup files of its day are partial.
    const names = readdirSync(dir);
    const segments = new Set(names.flatMap((f) => SEG_RE.exec(f)?.[1] ?? []));
    for (const f of names) {
      const m = ROLLUP_RE.exec(f);
      if (m && segments.has(m[1]!)) rmSync(path.join(dir, f), { force: true });
    }
    await this.compact();
    const now = this.now();
    const files = readdirSync(dir).sort();
    for (const f of files) {
      const m = ROLLUP_RE.exec(f);
      if (!m) continue;
      const kind = m[2] === 'r5m' ? '5m' : '1h';
      const cutoff = now - (kind === '5m' ? this.opts.retention.rollup5mMs : this.opts.retention.rollup1hMs);
      await this.read(f, seriesOf, (s) => sink.buckets({ ...s, buckets: s.buckets.filter((b) => b.at >= cutoff) }, kind));
    }
    for (const f of files) if (SEG_RE.test(f)) await this.read(f, rowsOf, (rows) => sink.rows(rows), true);
    const flush = setInterval(() => void this.flush(), this.opts.flushMs ?? FLUSH_MS);
    const compact = setInterval(() => void this.compact(), COMPACT_EVERY_MS);
    for (const t of [flush, compact]) {
      t.unref();
      this.timers.push(t);
    }
  }

  /** Queues rows for the next flush; `onDurable` runs once they are on disk (fdatasync'ed). */
  append(rows: readonly SampleRow[], onDurable?: () => void): void {
    const text = encodeRows(rows);
    this.chunks.push(text);
    this.bytes += text.length;
    this.pendingRows += rows.length;
    if (onDurable) this.callbacks.push(onDurable);
    if (this.bytes >= FLUSH_BYTES) void this.flush();
  }

  /** Writes and syncs everything queued; resolves when done or when the disk refused (it stays queued). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.chunks.length > 0) {
      const text = this.chunks.join('');
      const callbacks = this.callbacks;
      const rows = this.pendingRows;
      this.chunks = [];
      this.callbacks = [];
      this.bytes = 0;
      this.pendingRows = 0;
      try {
        const handle = await this.segment();
        await handle.appendFile(text);
        await handle.datasync();
        this.size += Buffer.byteLength(text);
        this.lastError = undefined;
      } catch (err) {
        // Kept for the next flush; a partial append is cut off so the next one starts on a line of its own.
        await this.handle?.truncate(this.size).catch(() => {});
        this.chunks.unshift(text);
        this.callbacks.unshift(...callbacks);
        this.bytes += text.length;
        this.pendingRows += rows;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.warn(`embedded time-series store: cannot write to ${this.opts.dir}: ${this.lastError} (kept in memory, retrying)`);
        return;
      }
      for (const cb of callbacks) cb();
    }
  }

  /** The segment of today's arrivals, opened (and its directory entry synced) on the first write of the day. */
  private async segment(): Promise<FileHandle> {
    const day = dayOf(this.now());
    if (this.handle && this.day !== undefined && day <= this.day) return this.handle; // never back to an older day
    await this.handle?.close();
    this.handle = undefined;
    const file = path.join(this.opts.dir, `${day}.seg`);
    const handle = await open(file, 'a');
    this.size = (await handle.stat()).size;
    await this.syncDir();
    this.handle = handle;
    this.day = day;
    return handle;
  }

  /** Compacts every segment whose day has left raw retention and deletes expired rollup files. */
  compact(): Promise<void> {
    this.compacting ??= this.compactNow().catch((err: unknown) => this.warn(`embedded time-series store: compaction failed: ${String(err)}`)).finally(() => {
      this.compacting = undefined;
    });
    return this.compacting;
  }

  private async compactNow(): Promise<void> {
    const now = this.now();
    const { rawMs, rollup5mMs, rollup1hMs } = this.opts.retention;
    const expired = (day: string, keepMs: number) => dayEnd(day) <= now - keepMs;
    for (const f of readdirSync(this.opts.dir).sort()) {
      const seg = SEG_RE.exec(f)?.[1];
      if (seg !== undefined && seg !== this.day && expired(seg, rawMs)) {
        await this.compactSegment(seg, [...(expired(seg, rollup5mMs) ? [] : ['r5m' as const]), ...(expired(seg, rollup1hMs) ? [] : ['r1h' as const])]);
      }
    }
    for (const f of readdirSync(this.opts.dir)) {
      const roll = ROLLUP_RE.exec(f);
      if (roll && expired(roll[1]!, roll[2] === 'r5m' ? rollup5mMs : rollup1hMs)) await unlink(path.join(this.opts.dir, f));
    }
  }

  /** The segment's samples as bucket sums in the rollup files still within their retention; then it goes. */
  private async compactSegment(day: string, kinds: readonly ('r5m' | 'r1h')[]): Promise<void> {
    if (kinds.length === 0) return unlink(path.join(this.opts.dir, `${day}.seg`));
    const series = new Map<string, { site: string; device: string; segment?: string; seen: Set<number>; r5m: Map<number, Bucket>; r1h: Map<number, Bucket> }>();
    await this.read(`${day}.seg`, rowsOf, (rows) => {
      for (const row of rows) {
        const key = `${row.site}/${row.device}`;
        let s = series.get(key);
        if (!s) series.set(key, (s = { site: row.site, device: row.device, seen: new Set(), r5m: new Map(), r1h: new Map() }));
        if (row.segment) s.segment = row.segment;
        if (s.seen.has(row.at)) continue; // a sample stored twice counts once, as in memory
        s.seen.add(row.at);
        addSample(s.r5m, STEP['5m'], row);
        addSample(s.r1h, STEP['1h'], row);
      }
    });
    for (const kind of kinds) {
      let text = '';
      for (const s of series.values()) {
        text += encodeSeries({ site: s.site, device: s.device, ...(s.segment ? { segment: s.segment } : {}), buckets: [...s[kind].values()] });
      }
      const file = path.join(this.opts.dir, `${day}.${kind}`);
      const handle = await open(`${file}.tmp`, 'w');
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(`${file}.tmp`, file);
    }
    await this.syncDir(); // both rollup files are in place before the segment goes
    await unlink(path.join(this.opts.dir, `${day}.seg`));
  }

  private async read<T>(name: string, parse: (v: unknown) => T, onItem: (item: T) => void, cutTornTail = false): Promise<void> {
    const file = path.join(this.opts.dir, name);
    const r = await readRecords(file, parse, onItem);
    if (r.bad > 0) this.opts.log(`embedded time-series store: ${name}: skipped ${r.bad} damaged record(s)`);
    if (r.tornTail) {
      this.opts.log(`embedded time-series store: ${name}: dropped an incomplete last record (the server stopped while writing it)`);
      if (cutTornTail) {
        const h = await open(file, 'r+');
        await h.truncate(r.validBytes).finally(() => h.close());
      }
    }
  }

  private async syncDir(): Promise<void> {
    const dir = await open(this.opts.dir, 'r');
    await dir.sync().finally(() => dir.close());
  }

  private warn(msg: string): void {
    if (Date.now() - this.lastLog < 10_000) return;
    this.lastLog = Date.now();
    this.opts.log(msg);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.compacting;
    await this.flush();
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
  }
}
