// The durable outbox on a real temp dir: order, crash leftovers, the disk cap with drops summarised and
// counted (the count survives a restart), a full disk (ENOSPC from /dev/full), and batch splitting under the
// payload limit.
import { existsSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_PAYLOAD_BYTES, type DeviceSample } from '@camfleet/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { splitSamples } from './batches.ts';
import { Outbox } from './outbox.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'camfleet-outbox-'));
const batch = (seq: number, samples = 2) =>
  JSON.stringify({ v: 1, site: 's', agent: 'a', seq, at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), samples: Array.from({ length: samples }, () => ({})) });

describe('Outbox', () => {
  it('keeps messages across a restart, oldest first, and forgets a write torn by a crash', () => {
    const state = dir();
    const a = new Outbox(state);
    for (let i = 1; i <= 20; i++) a.add('t', batch(i));
    writeFileSync(path.join(state, 'outbox', '9999999999999999-1.tmp'), '{"topic":"t","payl');
    const b = new Outbox(state);
    expect(b.depth).toBe(20);
    expect(b.peek(20).map((e) => (JSON.parse(e.payload) as { seq: number }).seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(readdirSync(path.join(state, 'outbox')).some((n) => n.endsWith('.tmp'))).toBe(false);
    // New entries sort after the old ones even with more digits in between.
    b.add('t', batch(21));
    expect((JSON.parse(b.peek(21).at(-1)!.payload) as { seq: number }).seq).toBe(21);
  });

  it('counts disk use in whole blocks and, past the cap, drops the oldest — summarised and counted', () => {
    const state = dir();
    const box = new Outbox(state, 10 * 4096); // room for 10 small messages
    for (let i = 1; i <= 15; i++) box.add('camfleet/v1/s/telemetry', batch(i, 3));
    expect(box.depth).toBe(10);
    expect(box.bytes).toBe(10 * 4096);
    expect(box.dropped).toBe(5);
    expect(box.takeDropSummary()).toEqual({
      messages: 5,
      samples: 15,
      unwritten: 0,
      seqFrom: 1,
      seqTo: 5,
      firstAt: '2026-01-01T00:00:01.000Z',
      lastAt: '2026-01-01T00:00:05.000Z',
    });
    expect(box.takeDropSummary()).toBeUndefined();
    expect((JSON.parse(box.peek(1)[0]!.payload) as { seq: number }).seq).toBe(6);
    box.countUnwritten();
    expect(box.takeDropSummary()).toMatchObject({ messages: 0, unwritten: 1 });
    // The running total is kept in the state dir.
    expect(new Outbox(state, 10 * 4096).dropped).toBe(6);
    expect(existsSync(path.join(state, 'outbox-dropped'))).toBe(true);
  });

  describe('on a full disk', () => {
    afterEach(() => vi.useRealTimers());
    // The next entry's temp file, pointed at /dev/full: its write fails with ENOSPC like on a full file system.
    // (Entry ids are a counter and Date.now(), so a fixed clock names the file in advance.)
    const failNextWrite = (state: string, counter: number) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(1_800_000_000_000);
      symlinkSync('/dev/full', path.join(state, 'outbox', `${String(counter).padStart(16, '0')}-1800000000000.tmp`));
    };

    it('counts a message it cannot write with its samples and seq, leaves no temp file, and writes again after', () => {
      const state = dir();
      const box = new Outbox(state);
      box.add('t', batch(1));
      failNextWrite(state, 2);
      expect(() => box.add('t', batch(2, 6))).toThrow(/ENOSPC/);
      box.countUnwritten(); // what the publisher does with the failure
      expect(readdirSync(path.join(state, 'outbox'))).toHaveLength(1);
      expect(box.dropped).toBe(1);
      expect(box.takeDropSummary()).toEqual({ messages: 0, samples: 6, unwritten: 1, seqFrom: 2, seqTo: 2, firstAt: '2026-01-01T00:00:02.000Z', lastAt: '2026-01-01T00:00:02.000Z' });
      box.add('t', batch(3));
      expect(box.peek(10).map((e) => (JSON.parse(e.payload) as { seq: number }).seq)).toEqual([1, 3]);
    });

    it('puts the drops back when their report cannot be written either, so the next report covers them all', () => {
      const state = dir();
      const box = new Outbox(state);
      failNextWrite(state, 1);
      expect(() => box.add('t', batch(1, 6))).toThrow();
      box.countUnwritten();
      const report = box.takeDropSummary(); // the agent turns it into an outbox-dropped event…
      expect(report).toMatchObject({ unwritten: 1, samples: 6 });
      failNextWrite(state, 2);
      expect(() => box.add('e', JSON.stringify({ seq: 2, at: '2026-01-01T00:00:02.000Z', kind: 'outbox-dropped' }))).toThrow(); // …which is lost too
      box.countUnwritten();
      expect(box.takeDropSummary()).toEqual({ messages: 0, samples: 6, unwritten: 2, seqFrom: 1, seqTo: 2, firstAt: '2026-01-01T00:00:01.000Z', lastAt: '2026-01-01T00:00:02.000Z' });
      box.add('e', batch(3)); // this report got through: nothing is carried over any more
      expect(box.takeDropSummary()).toBeUndefined();
      expect(box.dropped).toBe(2);
    });
  });

  it('removes an entry only when told (after PUBACK)', () => {
    const box = new Outbox(dir());
    const id = box.add('t', batch(1));
    box.add('t', batch(2));
    expect(box.peek(1)[0]?.id).toBe(id);
    box.remove(id);
    expect(box.depth).toBe(1);
    expect((JSON.parse(box.peek(1)[0]!.payload) as { seq: number }).seq).toBe(2);
  });
});

describe('splitSamples', () => {
  const sample = (i: number, pad: number): DeviceSample => ({ device: `d${i}`, at: '2026-01-01T00:00:00.000Z', reachable: true, conditions: [], error: { code: 'x', message: 'm'.repeat(pad) } });

  it('keeps a normal cycle in one batch and splits big ones under the payload limit', () => {
    expect(splitSamples([sample(1, 10), sample(2, 10)])).toHaveLength(1);
    expect(splitSamples([])).toEqual([[]]);
    const big = Array.from({ length: 2000 }, (_, i) => sample(i, 280));
    const parts = splitSamples(big);
    expect(parts.flat()).toHaveLength(2000);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(500);
      expect(Buffer.byteLength(JSON.stringify({ v: 1, site: 's'.repeat(64), agent: 'a'.repeat(100), seq: 1e12, at: new Date().toISOString(), samples: p }))).toBeLessThan(MAX_PAYLOAD_BYTES);
    }
  });
});
