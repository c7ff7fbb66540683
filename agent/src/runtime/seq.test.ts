// The persisted sequence: never reused across restarts, and a reservation that cannot be written (a full
// disk) does not stop numbering — the batch must still reach the outbox, where its loss is counted.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/processes.ts';
import { SequenceCounter } from './seq.ts';

describe('SequenceCounter', () => {
  it('starts after the reserved block on restart', () => {
    const dir = tempDir('seq');
    const a = new SequenceCounter(dir);
    expect([a.take(), a.take(), a.take()]).toEqual([1, 2, 3]);
    expect(readFileSync(path.join(dir, 'seq'), 'utf8').trim()).toBe('100');
    const b = new SequenceCounter(dir);
    expect(b.take()).toBe(101);
  });

  it('numbers on from memory while the reservation cannot be written, says so once, and recovers', () => {
    const dir = tempDir('seq-full');
    // A directory where the temp file goes makes every reservation write fail, as a full disk does.
    mkdirSync(path.join(dir, 'seq.tmp'));
    const said: string[] = [];
    const seq = new SequenceCounter(dir, (m) => said.push(m));
    expect([seq.take(), seq.take(), seq.take()]).toEqual([1, 2, 3]);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/cannot persist the sequence number \(EISDIR\)/);

    rmSync(path.join(dir, 'seq.tmp'), { recursive: true });
    expect(seq.take()).toBe(4);
    expect(said[1]).toBe('sequence number file written again');
    expect(readFileSync(path.join(dir, 'seq'), 'utf8').trim()).toBe('103');
    expect(new SequenceCounter(dir).take()).toBe(104);
  });
});
