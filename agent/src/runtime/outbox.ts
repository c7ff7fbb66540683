// Durable outbox (issue 3 §5): every message is on disk before it is sent and removed only after the
// broker's PUBACK, so uplink loss and kill -9 lose nothing. Bounded: past `maxBytes` of disk (each file
// counted in whole 4 KiB filesystem blocks) the oldest entries are dropped — never silently: what was
// dropped is summarised (messages, samples, time and seq range) for an `outbox-dropped` event, and the
// running total, kept in the state dir across restarts, travels in telemetry as `outboxDropped`.
// A disk that is full (ENOSPC) is not fatal: the message that cannot be written is counted like a dropped one
// (its samples, seq and time too), its half-written temp file removed, and writes resume once space returns.
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, openSync, fsyncSync, closeSync, renameSync } from 'node:fs';
import path from 'node:path';

export interface OutboxEntry {
  id: string;
  topic: string;
  payload: string;
}

/** What was dropped since the last summary was taken. */
export interface DropSummary {
  messages: number;
  samples: number;
  /** Messages lost without reaching the disk at all (disk full, state dir gone). */
  unwritten: number;
  firstAt?: string;
  lastAt?: string;
  seqFrom?: number;
  seqTo?: number;
}

export const DEFAULT_OUTBOX_MAX_BYTES = 64 * 1024 * 1024;
const BLOCK = 4096;
const diskBytes = (bytes: number): number => Math.max(BLOCK, Math.ceil(bytes / BLOCK) * BLOCK);

export class Outbox {
  private readonly dir: string;
  private readonly totalFile: string;
  private entries: { id: string; bytes: number }[] = [];
  private totalBytes = 0;
  private counter = 0;
  private droppedTotal = 0;
  private pending: DropSummary | undefined;
  /** The last message add() could not write, for countUnwritten() to account for. */
  private failed: string | undefined;
  /** The summary handed out by takeDropSummary() whose report has not reached the disk yet. */
  private reporting: DropSummary | undefined;

  constructor(stateDir: string, public maxBytes = DEFAULT_OUTBOX_MAX_BYTES) {
    this.dir = path.join(stateDir, 'outbox');
    this.totalFile = path.join(stateDir, 'outbox-dropped');
    mkdirSync(this.dir, { recursive: true });
    try {
      this.droppedTotal = Number(readFileSync(this.totalFile, 'utf8').trim()) || 0;
    } catch {
      this.droppedTotal = 0;
    }
    for (const name of readdirSync(this.dir).sort()) {
      if (name.endsWith('.tmp')) {
        unlinkSync(path.join(this.dir, name)); // a write interrupted by a crash never reached the broker
        continue;
      }
      const bytes = diskBytes(statSync(path.join(this.dir, name)).size);
      this.entries.push({ id: name, bytes });
      this.totalBytes += bytes;
      this.counter = Math.max(this.counter, Number(name.split('-')[0]) || 0);
    }
  }

  get depth(): number {
    return this.entries.length;
  }

  /** Disk used, in whole filesystem blocks. */
  get bytes(): number {
    return this.totalBytes;
  }

  /** Messages dropped or lost since the state dir was created (survives restarts). */
  get dropped(): number {
    return this.droppedTotal;
  }

  add(topic: string, payload: string): string {
    const id = `${String(++this.counter).padStart(16, '0')}-${Date.now()}`;
    const data = JSON.stringify({ topic, payload });
    const file = path.join(this.dir, id);
    try {
      writeFileSync(`${file}.tmp`, data);
      const fd = openSync(`${file}.tmp`, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      // Disk full or state dir gone: leave no temp file behind (it would hold space until the next start).
      removeQuietly(`${file}.tmp`);
      this.failed = payload;
      throw err;
    }
    this.failed = undefined;
    this.reporting = undefined; // whatever was taken for a report is on disk now (the report is the next add)
    const bytes = diskBytes(Buffer.byteLength(data));
    this.entries.push({ id, bytes });
    this.totalBytes += bytes;
    let dropped = 0;
    while (this.totalBytes > this.maxBytes && this.entries.length > 1) {
      const oldest = this.entries[0]!;
      this.summarise(oldest.id);
      this.remove(oldest.id);
      dropped++;
    }
    if (dropped > 0) this.addToTotal(dropped);
    return id;
  }

  /**
   * A message that could not be written at all (the add() that just threw): counted like a dropped one, with
   * its samples, seq and time. If it was the report of earlier drops, those go back into the next summary, so
   * the `outbox-dropped` event that finally gets through accounts for every message since the last one did.
   */
  countUnwritten(): void {
    const s = (this.pending ??= { messages: 0, samples: 0, unwritten: 0 });
    s.unwritten++;
    if (this.failed !== undefined) describe(s, this.failed);
    this.failed = undefined;
    if (this.reporting) merge(s, this.reporting);
    this.reporting = undefined;
    this.addToTotal(1);
  }

  /** The drops since the last call, or undefined when nothing was dropped. */
  takeDropSummary(): DropSummary | undefined {
    const summary = this.pending;
    this.pending = undefined;
    this.reporting = summary;
    return summary;
  }

  /** Oldest first. */
  peek(limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const e of this.entries.slice(0, limit)) {
      const entry = this.read(e.id);
      if (entry) out.push(entry);
      else this.remove(e.id); // unreadable (torn) entry: nothing to send
    }
    return out;
  }

  remove(id: string): void {
    const i = this.entries.findIndex((e) => e.id === id);
    if (i < 0) return;
    this.totalBytes -= this.entries[i]!.bytes;
    this.entries.splice(i, 1);
    try {
      unlinkSync(path.join(this.dir, id));
    } catch {
      /* already gone */
    }
  }

  private read(id: string): OutboxEntry | undefined {
    try {
      const { topic, payload } = JSON.parse(readFileSync(path.join(this.dir, id), 'utf8')) as { topic: string; payload: string };
      return { id, topic, payload };
    } catch {
      return undefined;
    }
  }

  private summarise(id: string): void {
    const s = (this.pending ??= { messages: 0, samples: 0, unwritten: 0 });
    s.messages++;
    const entry = this.read(id);
    if (entry) describe(s, entry.payload);
  }

  private addToTotal(n: number): void {
    this.droppedTotal += n;
    try {
      writeFileSync(`${this.totalFile}.tmp`, `${this.droppedTotal}\n`);
      renameSync(`${this.totalFile}.tmp`, this.totalFile);
    } catch {
      removeQuietly(`${this.totalFile}.tmp`); // the count still travels in this run's telemetry
    }
  }
}

/** Adds a lost message's samples, seq and time to a summary (the message itself is counted by the caller). */
function describe(s: DropSummary, payload: string): void {
  try {
    const body = JSON.parse(payload) as { seq?: unknown; at?: unknown; samples?: unknown };
    if (typeof body.seq === 'number') {
      s.seqFrom = Math.min(s.seqFrom ?? body.seq, body.seq);
      s.seqTo = Math.max(s.seqTo ?? body.seq, body.seq);
    }
    if (typeof body.at === 'string') widenTime(s, body.at, body.at);
    if (Array.isArray(body.samples)) s.samples += body.samples.length;
  } catch {
    /* not JSON: counted as a message only */
  }
}

function widenTime(s: DropSummary, first: string, last: string): void {
  if (!s.firstAt || first < s.firstAt) s.firstAt = first;
  if (!s.lastAt || last > s.lastAt) s.lastAt = last;
}

/** Folds `from` into `into`. */
function merge(into: DropSummary, from: DropSummary): void {
  into.messages += from.messages;
  into.samples += from.samples;
  into.unwritten += from.unwritten;
  if (from.seqFrom !== undefined) into.seqFrom = Math.min(into.seqFrom ?? from.seqFrom, from.seqFrom);
  if (from.seqTo !== undefined) into.seqTo = Math.max(into.seqTo ?? from.seqTo, from.seqTo);
  if (from.firstAt && from.lastAt) widenTime(into, from.firstAt, from.lastAt);
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    /* never created */
  }
}
