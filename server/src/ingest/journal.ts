// Write-ahead journal for telemetry (docs/timeseries.md): the broker gets its PUBACK once a batch is taken,
// before InfluxDB has it. So each accepted telemetry message is first appended to a journal segment in
// CAMFLEET_DATA_DIR/ingest-journal (a write(2), no fsync: it survives the process being killed, not the
// machine losing power). A segment is deleted once every batch in it is durable — written to InfluxDB,
// spilled to disk, or found to be a duplicate. After a crash the next start replays what is left.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

interface Segment {
  id: number;
  fd: number | undefined;
  pending: number;
  bytes: number;
}

export interface JournalRecord {
  topic: string;
  payload: Buffer;
}

const ROLL_MS = 1000;
const ROLL_BYTES = 64 * 1024 * 1024;
const NAME_RE = /^(\d{15})\.journal$/;

export class IngestJournal {
  private readonly segments = new Map<number, Segment>();
  private current: Segment | undefined;
  private next = Date.now();
  private readonly timer: NodeJS.Timeout;
  appended = 0;

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
    this.appended++;
    if (seg.bytes > ROLL_BYTES) this.roll();
    return seg.id;
  }

  done(ticket: number): void {
    const seg = this.segments.get(ticket);
    if (!seg) return;
    seg.pending--;
    if (seg.pending <= 0 && seg !== this.current) this.remove(seg);
  }

  /** Segments still waiting for some batch (a gauge). */
  get openSegments(): number {
    return this.segments.size;
  }

  private open(): Segment {
    const id = Math.max(this.next, Date.now());
    this.next = id + 1;
    const seg: Segment = { id, fd: openSync(this.file(id), 'a'), pending: 0, bytes: 0 };
    this.segments.set(id, seg);
    return seg;
  }

  private roll(): void {
    const seg = this.current;
    if (!seg) return;
    this.current = undefined;
    closeSync(seg.fd!);
    seg.fd = undefined;
    if (seg.pending <= 0) this.remove(seg);
  }

  private remove(seg: Segment): void {
    if (seg.fd !== undefined) closeSync(seg.fd);
    this.segments.delete(seg.id);
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
  }
}
