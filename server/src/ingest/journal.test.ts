// The ingest journal: every append is written at once (a killed process loses nothing) and synced by group commit —
// a burst of appends costs one fdatasync round, not one per message; what a run left is replayed, a torn last record
// skipped; a segment goes once every batch in it is durable elsewhere.
import { mkdtempSync, readdirSync, statSync, truncateSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IngestJournal } from './journal.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'camfleet-journal-'));
const payload = (i: number) => Buffer.from(JSON.stringify({ site: 's1', seq: i, samples: [] }));

describe('IngestJournal', () => {
  it('syncs a burst of appends with one fdatasync round, and says when they are on disk', async () => {
    const journal = new IngestJournal(tmp(), () => {});
    let synced = false;
    for (let i = 0; i < 1000; i++) journal.append('camfleet/v1/s1/telemetry', payload(i));
    void journal.synced().then(() => (synced = true));
    expect(synced).toBe(false); // written, not yet synced: the sync starts at the end of this turn
    await journal.synced();
    expect(synced).toBe(true);
    expect(journal.syncRounds).toBe(1);
    journal.append('camfleet/v1/s1/telemetry', payload(1000));
    await journal.synced();
    expect(journal.syncRounds).toBe(2);
    await journal.synced(); // nothing new: resolves at once, no round
    expect(journal.syncRounds).toBe(2);
    journal.close();
  });

  it('hands what a killed run left to the next start, without its torn last record', () => {
    const dir = tmp();
    const first = new IngestJournal(dir, () => {});
    for (let i = 0; i < 3; i++) first.append('camfleet/v1/s1/telemetry', payload(i));
    // Killed: never closed. The last record is cut in the middle, as a kill during write(2) may leave it.
    const [file] = readdirSync(dir);
    truncateSync(path.join(dir, file!), statSync(path.join(dir, file!)).size - 5);
    const logs: string[] = [];
    const next = new IngestJournal(dir, (m) => logs.push(m));
    const left = next.leftovers();
    expect(left.records.map((r) => JSON.parse(r.payload.toString()).seq)).toEqual([0, 1]);
    expect(left.records[0]!.topic).toBe('camfleet/v1/s1/telemetry');
    expect(logs).toEqual(['ingest journal: replaying 2 telemetry batches not yet stored when the server stopped']);
    left.replayed();
    expect(readdirSync(dir)).toEqual([]);
    first.close();
    next.close();
  });

  it('removes a segment once every batch in it is durable elsewhere', async () => {
    const dir = tmp();
    const journal = new IngestJournal(dir, () => {});
    const tickets = [0, 1].map((i) => journal.append('camfleet/v1/s1/telemetry', payload(i)));
    await journal.synced();
    journal.close(); // rolls the segment; it stays while a batch in it is pending
    expect(readdirSync(dir)).toHaveLength(1);
    journal.done(tickets[0]!);
    expect(readdirSync(dir)).toHaveLength(1);
    journal.done(tickets[1]!);
    expect(readdirSync(dir)).toEqual([]);
  });
});
