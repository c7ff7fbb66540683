// Write-ahead journal for telemetry (docs/timeseries.md): the broker gets its PUBACK once a batch is taken,
// before the time-series store has it. So each accepted telemetry message is first appended to a journal segment in
// CAMFLEET_DATA_DIR/ingest-journal with a write(2) — it survives the process being killed from then on — and the
// segment is fdatasync'ed by group commit: a sync round starts at the end of the event-loop turn that appended (but
// at most every SYNC_GAP_MS), covers every append made until then, and appends made while it runs wait for the next
// one. So there is one fdatasync per burst of messages — at most 1000 / SYNC_GAP_MS a second — never one per message,
// and after a power loss the journal misses at most the messages of the last SYNC_GAP_MS plus a sync (the PUBACK
// does not wait for the sync: see docs/timeseries.md). A new segment's directory entry is synced with its first data. A segment is deleted once every batch in it is durable — stored, spilled to disk, or found to be a
// duplicate. After a crash the next start replays what is left.
import { closeSync, fdatasync, fdatasyncSync, fsync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

interface Segment {
  id: number;
  fd: number | undefined;
  pending: number;
  bytes: number;
  /** Appended to since its last sync. */
  dirty: boolean;
  /** A sync of its fd is running: the fd must stay open until it ends. */
  syncing: boolean;
  /** Rolled: close the fd once it is synced. */
  closing: boolean;
  /** Its directory entry has been synced (a new file is lost on power loss until then). */
  named: boolean;
}

export interface JournalRecord {
  topic: string;
  payload: Buffer;
}

const ROLL_MS = 1000;
const ROLL_BYTES = 64 * 1024 * 1024;
const NAME_RE = /^(\d{15})\.journal$/;
/** Least time between the starts of two sync rounds: bounds the fsync rate (and the CPU it costs) under load. */
const SYNC_GAP_MS = 10;

const sync = (fd: number, data: boolean) => new Promise<void>((resolve, reject) => (data ? fdatasync : fsync)(fd, (err) => (err ? reject(err) : resolve())));

export class IngestJournal {
  private readonly segments = new Map<number, Segment>();
  private current: Segment | undefined;
  private next = Date.now();
  private readonly timer: NodeJS.Timeout;
  private syncQueued = false;
  private syncRunning = false;
  private lastRoundAt = 0;
  /** Appends so far, and how many of them are known to be on disk. */
  private appendSeq = 0;
  private syncedSeq = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private lastSyncError = 0;
  appended = 0;
  /** Sync rounds done (each one fdatasync per dirty segment). */
  syncRounds = 0;

  constructor(private readonly dir: string, private readonly log: (m: string) => void) {
    mkdirSync(dir, { recursive: true });
    this.timer = setInterval(() => this.roll(), ROLL_MS);
    this.timer.unref();
  }

  /** Records left by a run that did not finish them; their files are removed once `replayed()` is called. */
  leftovers(): { records: JournalRecord[]; replayed(): void } {
    const files = readdirSync(this.dir).filter((f) => NAME_RE.test(f)).sort();
    const records: JournalRecord[] = [];
    for (const f of files) {
      const buf = readFileSync(path.join(this.dir, f));
      for (let at = 0; at + 8 <= buf.length;) {
        const tl = buf.readUInt32LE(at);
        const pl = buf.readUInt32LE(at + 4);
        if (at + 8 + tl + pl > buf.length) break; // torn last record: it was never PUBACKed
        records.push({ topic: buf.toString('utf8', at + 8, at + 8 + tl), payload: Buffer.from(buf.subarray(at + 8 + tl, at + 8 + tl + pl)) });
        at += 8 + tl + pl;
      }
    }
    if (records.length) this.log(`ingest journal: replaying ${records.length} telemetry batches not yet stored when the server stopped`);
    return { records, replayed: () => files.forEach((f) => this.unlink(f)) };
  }

  /** Appends one message; returns the ticket to pass to `done` once the batch is durable (or dropped). */
  append(topic: string, payload: Buffer): number {
    const seg = (this.current ??= this.open());
    const head = Buffer.allocUnsafe(8);
    const t = Buffer.from(topic);
    head.writeUInt32LE(t.length, 0);
    head.writeUInt32LE(payload.length, 4);
    const rec = Buffer.concat([head, t, payload]);
    writeSync(seg.fd!, rec);
    seg.pending++;
    seg.bytes += rec.length;
    seg.dirty = true;
    this.appended++;
    this.appendSeq++;
    this.queueSync();
    if (seg.bytes > ROLL_BYTES) this.roll();
    return seg.id;
  }

  done(ticket: number): void {
    const seg = this.segments.get(ticket);
    if (!seg) return;
    seg.pending--;
    if (seg.pending <= 0 && seg !== this.current) this.remove(seg);
  }

  /** Resolves once every message appended so far is on disk (fdatasync'ed). */
  synced(): Promise<void> {
    if (this.syncedSeq >= this.appendSeq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq: this.appendSeq, resolve }));
  }

  /** Segments still waiting for some batch (a gauge). */
  get openSegments(): number {
    return this.segments.size;
  }

  private open(): Segment {
    const id = Math.max(this.next, Date.now());
    this.next = id + 1;
    const seg: Segment = { id, fd: openSync(this.file(id), 'a'), pending: 0, bytes: 0, dirty: false, syncing: false, closing: false, named: false };
    this.segments.set(id, seg);
    return seg;
  }

  /** The batch boundary: everything appended in this turn of the event loop (or until the gap has passed) goes in one sync. */
  private queueSync(): void {
    if (this.syncQueued || this.syncRunning) return; // a running round queues the next one when it ends
    this.syncQueued = true;
    const go = () => {
      this.syncQueued = false;
      void this.syncRound();
    };
    const wait = this.lastRoundAt + SYNC_GAP_MS - Date.now();
    if (wait > 0) setTimeout(go, wait); // not unref: at most SYNC_GAP_MS, and synced() may be waiting on it
    else setImmediate(go);
  }

  private dirtySegments(): Segment[] {
    return [...this.segments.values()].filter((s) => s.dirty && s.fd !== undefined);
  }

  private async syncRound(): Promise<void> {
    if (this.syncRunning) return;
    const dirty = this.dirtySegments();
    if (dirty.length === 0) return this.settle(this.appendSeq); // what is left was in segments already released
    this.syncRunning = true;
    this.lastRoundAt = Date.now();
    const upTo = this.appendSeq;
    let failed: PromiseRejectedResult | undefined;
    try {
      for (const s of dirty) {
        s.dirty = false;
        s.syncing = true;
      }
      const dirFd = dirty.some((s) => !s.named) ? openSync(this.dir, 'r') : undefined;
      const results = await Promise.allSettled([...dirty.map((s) => sync(s.fd!, true)), ...(dirFd === undefined ? [] : [sync(dirFd, false)])]);
      if (dirFd !== undefined) closeSync(dirFd);
      this.syncRounds++;
      failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      for (const s of dirty) {
        s.syncing = false;
        if (failed) s.dirty = true; // in the next round
        else s.named = true;
        if (s.closing) this.closeIfIdle(s);
      }
    } finally {
      this.syncRunning = false;
    }
    if (failed) {
      this.warnSync(failed.reason);
      setTimeout(() => this.queueSync(), 1000).unref(); // tried again even if nothing more is appended
      return;
    }
    if (this.dirtySegments().length > 0) {
      this.settle(upTo);
      this.queueSync(); // appended meanwhile: the next round
    } else {
      this.settle(this.appendSeq); // anything appended meanwhile went to segments already released
    }
  }

  /** Appends up to `seq` are on disk (or no longer needed): wake whoever waits for them. */
  private settle(seq: number): void {
    this.syncedSeq = Math.max(this.syncedSeq, seq);
    const ready = this.waiters.filter((w) => w.seq <= this.syncedSeq);
    this.waiters = this.waiters.filter((w) => w.seq > this.syncedSeq);
    for (const w of ready) w.resolve();
  }

  private warnSync(err: unknown): void {
    if (Date.now() - this.lastSyncError < 10_000) return;
    this.lastSyncError = Date.now();
    this.log(`ingest journal: fdatasync failed: ${err instanceof Error ? err.message : String(err)} (the messages are written, not yet safe from power loss)`);
  }

  private roll(): void {
    const seg = this.current;
    if (!seg) return;
    this.current = undefined;
    seg.closing = true;
    this.closeIfIdle(seg);
    if (seg.pending <= 0) this.remove(seg);
  }

  /** Closes a rolled segment's fd once nothing of it waits for a sync (a sync is never left on a closed fd). */
  private closeIfIdle(seg: Segment): void {
    if (seg.fd === undefined || seg.syncing || (seg.dirty && this.segments.has(seg.id))) return;
    closeSync(seg.fd);
    seg.fd = undefined;
  }

  private remove(seg: Segment): void {
    this.segments.delete(seg.id); // every batch in it is stored elsewhere: its data need not be synced any more
    seg.closing = true;
    this.closeIfIdle(seg);
    this.unlink(path.basename(this.file(seg.id)));
  }

  private unlink(name: string): void {
    try {
      unlinkSync(path.join(this.dir, name));
    } catch (err) {
      this.log(`ingest journal: cannot remove ${name}: ${String(err)}`);
    }
  }

  private file(id: number): string {
    return path.join(this.dir, `${String(id).padStart(15, '0')}.journal`);
  }

  /** At a clean shutdown, after the store has flushed or spilled everything: nothing left to replay. */
  close(): void {
    clearInterval(this.timer);
    this.roll();
    // What is left for the next start is made durable now (synchronously: shutdown does not wait for callbacks).
    let unnamed = false;
    for (const seg of this.segments.values()) {
      if (seg.fd === undefined || seg.syncing) continue;
      if (seg.dirty) syncQuietly(seg.fd, fdatasyncSync);
      unnamed ||= !seg.named;
      seg.dirty = false;
      this.closeIfIdle(seg);
    }
    if (unnamed) {
      const dirFd = openSync(this.dir, 'r');
      syncQuietly(dirFd, fsyncSync);
      closeSync(dirFd);
    }
  }
}

function syncQuietly(fd: number, fn: (fd: number) => void): void {
  try {
    fn(fd);
  } catch {
    // shutting down: the write(2) is done, the next start replays what is there
  }
}
