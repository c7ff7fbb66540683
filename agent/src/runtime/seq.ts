// The agent's persisted, strictly increasing sequence number (DESIGN §3): the server drops (site, seq)
// duplicates, so a restarted agent must never reuse one. Reserved in blocks to spare the flash storage.
import { mkdirSync, readFileSync, renameSync, writeFileSync, fsyncSync, openSync, closeSync, rmSync } from 'node:fs';
import path from 'node:path';

const BLOCK = 100;

export class SequenceCounter {
  private next: number;
  private reservedUpTo: number;
  private readonly file: string;
  /** The last reservation could not be written (disk full, read-only): said once until one succeeds. */
  private failing = false;

  /** onError hears, once per failing spell, that the reservation could not be written. */
  constructor(stateDir: string, private readonly onError?: (msg: string) => void) {
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

  /**
   * The next number. When the reservation cannot be written (a full disk), numbering goes on from memory and the
   * write is retried at the next call: the cycle's batch must still reach the outbox, where an unwritable message
   * is counted as dropped — a lost cycle nobody counts is worse. A crash before a retry succeeds may reuse
   * numbers; the server tells those batches apart by their time (server/src/ingest/claims.ts).
   */
  take(): number {
    if (this.next > this.reservedUpTo) this.tryReserve(this.next + BLOCK - 1);
    return this.next++;
  }

  private tryReserve(upTo: number): void {
    try {
      this.reserve(upTo);
      if (this.failing) this.onError?.('sequence number file written again');
      this.failing = false;
    } catch (err) {
      try {
        rmSync(`${this.file}.tmp`, { force: true });
      } catch {
        /* nothing to tidy, or it cannot be: the next write replaces it */
      }
      if (!this.failing) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        this.onError?.(`cannot persist the sequence number (${code}): numbering goes on from memory, retried at each message`);
      }
      this.failing = true;
    }
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
