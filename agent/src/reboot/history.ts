// Reboot history, persisted in the state dir (reboots.json) so the caps survive an agent restart. A reboot
// counts against the caps from the moment the device accepted the command until its record ages out, unless
// verification showed it never happened (`no-drop`) or the command itself failed.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type RebootMethod = 'onvif' | 'poe';
export type RebootSource = 'auto' | 'command';
export type RebootOutcome =
  | 'pending' // accepted, verification running
  | 'verified' // dropped, came back (uptime reset where known), stream healthy
  | 'no-drop' // accepted but the device never went away: it did not reboot
  | 'not-back' // went away and did not come back in time
  | 'stream-unhealthy' // came back, but the stream stayed bad
  | 'interrupted' // the agent stopped while verifying
  | 'failed'; // the command itself failed: nothing happened

export interface RebootRecord {
  id: string;
  device: string;
  /** When the command was sent (ms since epoch). */
  at: number;
  method: RebootMethod;
  source: RebootSource;
  outcome: RebootOutcome;
  commandId?: string;
  doneAt?: number;
}

const KEEP_MS = 7 * 24 * 3600_000;
const NOT_COUNTED: ReadonlySet<RebootOutcome> = new Set(['no-drop', 'failed']);

export class RebootHistory {
  private readonly file: string;
  private records: RebootRecord[] = [];

  constructor(stateDir: string, private readonly now: () => number = Date.now) {
    mkdirSync(stateDir, { recursive: true });
    this.file = path.join(stateDir, 'reboots.json');
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { records?: RebootRecord[] };
      this.records = Array.isArray(parsed.records) ? parsed.records.filter((r) => typeof r.device === 'string' && typeof r.at === 'number') : [];
    } catch {
      this.records = [];
    }
    // A verification the agent did not finish (it was stopped or killed): the reboot may well have happened.
    let changed = false;
    for (const r of this.records) {
      if (r.outcome === 'pending') {
        r.outcome = 'interrupted';
        changed = true;
      }
    }
    if (changed) this.save();
  }

  all(): readonly RebootRecord[] {
    return this.records;
  }

  /** Reboots of `device` that count, newest first. */
  counted(device?: string, sinceMs = this.now() - 24 * 3600_000): RebootRecord[] {
    return this.records.filter((r) => (device === undefined || r.device === device) && r.at >= sinceMs && !NOT_COUNTED.has(r.outcome)).sort((a, b) => b.at - a.at);
  }

  pending(device?: string): RebootRecord[] {
    return this.records.filter((r) => r.outcome === 'pending' && (device === undefined || r.device === device));
  }

  add(record: Omit<RebootRecord, 'id' | 'outcome'>): RebootRecord {
    const full: RebootRecord = { ...record, id: `${record.at.toString(36)}-${record.device}`, outcome: 'pending' };
    this.records.push(full);
    this.save();
    return full;
  }

  finish(record: RebootRecord, outcome: RebootOutcome): void {
    record.outcome = outcome;
    record.doneAt = this.now();
    this.save();
  }

  private save(): void {
    const cutoff = this.now() - KEEP_MS;
    this.records = this.records.filter((r) => r.at >= cutoff);
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ v: 1, records: this.records }, null, 1)}\n`);
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
  }
}
