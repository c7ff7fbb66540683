// The on-disk part of the InfluxDB write buffer: when InfluxDB is slow or down and the in-memory buffer
// is full, the oldest line-protocol batches move to files in CAMFLEET_DATA_DIR/timeseries-spill, one
// write batch per file. They are replayed oldest first, survive a restart, and are bounded by size: past
// the cap the oldest file goes, and its samples are counted as dropped (never silently). A file is synced (data and
// directory entry) before its batches count as stored: that releases their ingest-journal entries.
import { closeSync, fdatasyncSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ackAll, type Chunk } from './line-protocol.ts';

interface SpillFile {
  name: string;
  points: number;
  bytes: number;
  oldest: number;
}

const NAME_RE = /^(\d+)-(\d+)-(\d+)-(\d+)\.lp$/;

export class DiskSpill {
  private readonly files: SpillFile[] = [];
  private counter = 0;
  points = 0;
  bytes = 0;
  dropped = 0;

  constructor(private readonly dir: string, private readonly maxBytes: number, private readonly log: (m: string) => void) {}

  /** Picks up files left by an earlier run (oldest first). */
  init(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir).sort()) {
      const m = NAME_RE.exec(name);
      if (!m) continue;
      const bytes = statSync(path.join(this.dir, name)).size;
      this.files.push({ name, points: Number(m[3]), bytes, oldest: Number(m[4]) });
      this.points += Number(m[3]);
      this.bytes += bytes;
    }
    if (this.files.length) this.log(`time-series spill: ${this.points} samples from an earlier run wait in ${this.dir}`);
  }

  /** Writes chunks (one future write batch) to a new file. Synchronous: it only runs during an outage. */
  append(chunks: Chunk[]): void {
    if (chunks.length === 0) return;
    const text = chunks.map((c) => c.lines).join('\n');
    const points = chunks.reduce((n, c) => n + c.points, 0);
    const oldest = Math.min(...chunks.map((c) => c.oldest));
    const name = `${String(Date.now()).padStart(15, '0')}-${String(this.counter++).padStart(9, '0')}-${points}-${Math.trunc(oldest)}.lp`;
    const fd = openSync(path.join(this.dir, name), 'w');
    try {
      writeFileSync(fd, text);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
    ackAll(chunks);
    const bytes = Buffer.byteLength(text);
    this.files.push({ name, points, bytes, oldest });
    this.points += points;
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && this.files.length > 1) {
      const gone = this.files[0]!;
      this.remove(gone.name);
      this.dropped += gone.points;
      this.log(`time-series spill is over its cap (${this.maxBytes} bytes): dropped ${gone.points} of the oldest samples`);
    }
  }

  /** The oldest file not in `busy`, read; undefined when there is none. */
  peek(busy: ReadonlySet<string>): { name: string; lines: string; points: number; oldest: number } | undefined {
    const f = this.files.find((x) => !busy.has(x.name));
    if (!f) return undefined;
    return { name: f.name, lines: readFileSync(path.join(this.dir, f.name), 'utf8'), points: f.points, oldest: f.oldest };
  }

  remove(name: string): void {
    const i = this.files.findIndex((f) => f.name === name);
    if (i < 0) return;
    const [f] = this.files.splice(i, 1);
    this.points -= f!.points;
    this.bytes -= f!.bytes;
    try {
      unlinkSync(path.join(this.dir, name));
    } catch {
      // already gone
    }
  }
}
