// The agent's persisted, strictly increasing sequence number (DESIGN §3): the server drops (site, seq)
// duplicates, so a restarted agent must never reuse one. Reserved in blocks to spare the flash storage.
import { mkdirSync, readFileSync, renameSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';

const BLOCK = 100;

export class SequenceCounter {
  private next: number;
  private reservedUpTo: number;
  private readonly file: string;

  constructor(stateDir: string) {
    mkdirSync(stateDir, { recursive: true });
    this.file = path.join(stateDir, 'seq');
    let stored = 0;
    try {
      stored = Number(readFileSync(this.file, 'utf8').trim()) || 0;
    } catch {
      stored = 0;
    }
    // Whatever was reserved before a crash may have been used: start after it.
    this.next = stored + 1;
    this.reservedUpTo = stored;
  }

  take(): number {
    if (this.next > this.reservedUpTo) this.reserve(this.next + BLOCK - 1);
    return this.next++;
  }

  private reserve(upTo: number): void {
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${upTo}\n`);
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    this.reservedUpTo = upTo;
  }
}
