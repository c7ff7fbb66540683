// The embedded store kept on disk: a new store on the same directory (a restart, also without a clean close, as after
// SIGKILL) answers every history query as the old one did — raw samples from the day segments, rollups from the
// compacted days — and a damaged record or a torn last line is skipped with a warning, never a failed start.
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryTimeSeriesStore } from './memory-store.ts';
import type { SampleRow } from './types.ts';

const M5 = 300_000;
const H = 3600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 10, 22, 12);
const DEVICES = ['cam1', 'onu'];
const RETENTION = { retentionMs: D, rollup5mMs: 4 * D, rollup1hMs: 30 * D };

function setup() {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'camfleet-embedded-')), 'timeseries');
  const clock = { now: T0 };
  const logs: string[] = [];
  const open = async () => {
    const store = new MemoryTimeSeriesStore({ ...RETENTION, dir, now: () => clock.now, log: (m) => logs.push(m) });
    await store.init();
    return store;
  };
  return { dir, clock, logs, open };
}

const batch = (t: number): SampleRow[] => DEVICES.map((device) => ({
  site: 's1', device, segment: device === 'onu' ? 'onu' : 'camera', at: t,
  fields: { reachable: (t / M5) % 7 === 0 ? 0 : 1, latencyMs: (t / M5) % 13 },
}));

/** A telemetry batch every 5 minutes from `from` to `to`, each written when it "arrives" (the clock follows). */
async function fill(store: MemoryTimeSeriesStore, clock: { now: number }, from: number, to: number) {
  let day = Math.floor(from / D);
  for (let t = from; t < to; t += M5) {
    if (Math.floor(t / D) !== day) {
      await store.flush(); // the day's writes land in the day's segment
      day = Math.floor(t / D);
    }
    clock.now = t;
    store.write(batch(t));
  }
  clock.now = to;
  await store.flush();
}

/** Every kind of answer: raw, raw in buckets, the 5-minute and the hourly rollup, and raw samples. */
async function answers(store: MemoryTimeSeriesStore, now: number) {
  const out: unknown[] = [];
  for (const device of DEVICES) {
    for (const range of [H, 12 * H, 3 * D, 9 * D]) out.push(await store.history({ site: 's1', device, from: now - range, to: now }, now));
    out.push(await store.query({ site: 's1', device, from: now - D, to: now }));
  }
  return out;
}

describe('embedded time-series store on disk', () => {
  it('answers the same after a restart: raw from the segments, rollups from the compacted days', async () => {
    const { dir, clock, logs, open } = setup();
    const a = await open();
    await fill(a, clock, T0 - 10 * D, T0);
    const before = await answers(a, T0);
    expect((before[2] as { source: string }).source).toBe('5m'); // the ranges do reach every source
    expect((before[3] as { source: string; rows: unknown[] }).source).toBe('1h');
    expect((before[3] as { rows: unknown[] }).rows.length).toBeGreaterThan(8 * 24);
    await a.close();

    const b = await open();
    expect(await answers(b, T0)).toEqual(before);
    const files = readdirSync(dir).sort();
    // Days out of raw retention were compacted (their segments are gone); 5-minute rollups past 4 days deleted.
    expect(files.filter((f) => f.endsWith('.seg')).length).toBeLessThanOrEqual(3);
    expect(files.filter((f) => f.endsWith('.r1h')).length).toBeGreaterThanOrEqual(7);
    expect(files.filter((f) => f.endsWith('.r5m')).length).toBeLessThanOrEqual(4);
    expect(logs).toEqual([]);
    await b.close();

    // …and once more from the compacted state, with writes continuing in between.
    const c = await open();
    await fill(c, clock, T0, T0 + 6 * H);
    const after = await answers(c, clock.now);
    const d = await open(); // c was never closed: what a SIGKILL leaves
    expect(await answers(d, clock.now)).toEqual(after);
    await c.close();
    await d.close();
  });

  it('calls onDurable only once the write is on disk', async () => {
    const { clock, open } = setup();
    const store = await open();
    let durable = 0;
    store.write(batch(T0), () => durable++);
    expect(durable).toBe(0);
    expect(store.health()).toMatchObject({ state: 'up', buffered: 2 });
    await store.flush();
    expect(durable).toBe(1);
    expect(store.health().buffered).toBe(0);
    expect(clock.now).toBe(T0);
    await store.close();
  });

  it('skips a damaged record and a torn last line with a warning, and appends cleanly after them', async () => {
    const { dir, clock, logs, open } = setup();
    const a = await open();
    await fill(a, clock, T0 - 2 * H, T0);
    await a.close();
    const seg = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.seg'))!);
    // Damage the third record (a flipped character keeps the line but breaks its checksum) and tear the tail.
    const lines = readFileSync(seg, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"cam1"', '"cam9"');
    writeFileSync(seg, lines.join('\n'));
    appendFileSync(seg, '0badc0de ["s1",[["cam1",null,');

    const b = await open();
    expect(logs.some((l) => /skipped 1 damaged record/.test(l))).toBe(true);
    expect(logs.some((l) => /incomplete last record/.test(l))).toBe(true);
    const rows = await b.query({ site: 's1', device: 'cam1', from: 0, to: T0 });
    expect(rows).toHaveLength(2 * 12 - 1);
    expect(rows.map((r) => r.at)).not.toContain(T0 - 2 * H + 2 * M5);
    clock.now = T0 + M5;
    b.write(batch(T0 + M5));
    await b.close();

    logs.length = 0;
    const c = await open();
    expect(logs).toEqual(['embedded time-series store: ' + path.basename(seg) + ': skipped 1 damaged record(s)']);
    expect(await c.query({ site: 's1', device: 'cam1', from: 0, to: T0 + M5 })).toHaveLength(2 * 12);
    await c.close();
  });

  it('redoes a compaction that was cut short instead of counting its day twice', async () => {
    const { dir, clock, open } = setup();
    const a = await open();
    await fill(a, clock, T0 - 3 * D, T0);
    const before = await answers(a, T0);
    await a.close(); // still no compaction: that happens at start and every hour
    const day = readdirSync(dir).filter((f) => f.endsWith('.seg')).sort()[0]!.slice(0, 8);
    const segment = readFileSync(path.join(dir, `${day}.seg`));
    await (await open()).close(); // compacts the oldest day
    expect(existsSync(path.join(dir, `${day}.r1h`))).toBe(true);
    // A crash between putting the rollup files in place and deleting the segment: both are there.
    writeFileSync(path.join(dir, `${day}.seg`), segment);
    const b = await open();
    expect(existsSync(path.join(dir, `${day}.seg`))).toBe(false);
    expect(await answers(b, T0)).toEqual(before);
    await b.close();
  });
});
