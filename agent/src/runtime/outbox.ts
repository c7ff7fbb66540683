// Durable outbox (issue 3 §5): every message is on disk before it is sent and removed only after the
// broker's PUBACK, so uplink loss and kill -9 lose nothing. Bounded: past `maxBytes` the oldest entries are
// dropped and counted — the count travels in telemetry, never silently.
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, openSync, fsyncSync, closeSync, renameSync } from 'node:fs';
import path from 'node:path';

export interface OutboxEntry {
  id: string;
  topic: string;
  payload: string;
}

export class Outbox {
  private readonly dir: string;
  private entries: { id: string; bytes: number }[] = [];
  private totalBytes = 0;
  private counter = 0;
  dropped = 0;

  constructor(stateDir: string, private readonly maxBytes = 64 * 1024 * 1024) {
    this.dir = path.join(stateDir, 'outbox');
    mkdirSync(this.dir, { recursive: true });
    for (const name of readdirSync(this.dir).sort()) {
      if (name.endsWith('.tmp')) {
        unlinkSync(path.join(this.dir, name)); // a write interrupted by a crash never reached the broker
        continue;
      }
      const bytes = statSync(path.join(this.dir, name)).size;
      this.entries.push({ id: name, bytes });
      this.totalBytes += bytes;
      this.counter = Math.max(this.counter, Number(name.split('-')[0]) || 0);
    }
  }

  get depth(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  add(topic: string, payload: string): string {
    const id = `${String(++this.counter).padStart(16, '0')}-${Date.now()}`;
    const data = JSON.stringify({ topic, payload });
    const file = path.join(this.dir, id);
    writeFileSync(`${file}.tmp`, data);
    const fd = openSync(`${file}.tmp`, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(`${file}.tmp`, file);
    this.entries.push({ id, bytes: data.length });
    this.totalBytes += data.length;
    while (this.totalBytes > this.maxBytes && this.entries.length > 1) {
      const oldest = this.entries[0]!;
      this.remove(oldest.id);
      this.dropped++;
    }
    return id;
  }

  /** Oldest first. */
  peek(limit: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (const e of this.entries.slice(0, limit)) {
      try {
        const { topic, payload } = JSON.parse(readFileSync(path.join(this.dir, e.id), 'utf8')) as { topic: string; payload: string };
        out.push({ id: e.id, topic, payload });
      } catch {
        this.remove(e.id); // unreadable (torn) entry: nothing to send
      }
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
}
