// The embedded store answers the history queries InfluxDB answers: same plan (resolution.ts), raw samples
// for short ranges, means per bucket for long ones, rollups past raw retention; plus line protocol.
import { describe, expect, it } from 'vitest';
import { toChunk } from './line-protocol.ts';
import { MemoryTimeSeriesStore } from './memory-store.ts';
import { planHistory } from './resolution.ts';

const H = 3600_000;
const D = 24 * H;
const ret = { rawMs: 7 * D, rollup5mMs: 90 * D, rollup1hMs: 730 * D };

describe('planHistory', () => {
  const now = Date.UTC(2026, 10, 22);
  it('gives raw samples for short ranges and buckets for long ones', () => {
    expect(planHistory(now - H, now, now, ret)).toEqual({ source: 'raw', stepMs: 0 });
    expect(planHistory(now - 6 * H, now, now, ret)).toEqual({ source: 'raw', stepMs: 0 });
    expect(planHistory(now - 24 * H, now, now, ret)).toEqual({ source: 'raw', stepMs: 5 * 60_000 });
    expect(planHistory(now - 7 * D, now, now, ret)).toEqual({ source: 'raw', stepMs: 15 * 60_000 });
  });
  it('reads the rollups past raw retention', () => {
    expect(planHistory(now - 30 * D, now, now, ret)).toEqual({ source: '5m', stepMs: H });
    expect(planHistory(now - 365 * D, now, now, ret)).toEqual({ source: '1h', stepMs: 24 * H });
  });
});

describe('MemoryTimeSeriesStore', () => {
  const now = Date.UTC(2026, 10, 22, 12);
  const row = (at: number, reachable: number, latencyMs?: number) => ({
    site: 's', device: 'd', segment: 'camera', at, fields: { reachable, ...(latencyMs === undefined ? {} : { latencyMs }) },
  });

  it('answers raw samples, and means per bucket downsampled to the range', async () => {
    const store = new MemoryTimeSeriesStore();
    // One sample a minute for two days, reachable except in hour 3 of each day.
    for (let t = now - 2 * D; t < now; t += 60_000) store.write([row(t, Math.floor((t % D) / H) === 3 ? 0 : 1, 10)]);
    const short = await store.history({ site: 's', device: 'd', from: now - H, to: now }, now);
    expect(short.stepMs).toBe(0);
    expect(short.rows).toHaveLength(60);
    const long = await store.history({ site: 's', device: 'd', from: now - 2 * D, to: now }, now);
    expect(long).toMatchObject({ source: 'raw', stepMs: 5 * 60_000 });
    expect(long.rows).toHaveLength(2 * 24 * 12);
    expect(long.rows[0]!.fields).toEqual({ reachable: 1, latencyMs: 10 });
    const down = long.rows.filter((r) => r.fields.reachable === 0);
    expect(down).toHaveLength(2 * 12);
  });

  it('keeps 5-minute and hourly rollups past raw retention', async () => {
    const store = new MemoryTimeSeriesStore({ retentionMs: D });
    for (let t = now - 20 * D; t < now; t += 10 * 60_000) store.write([row(t, (t / (10 * 60_000)) % 2, 20)]);
    const month = await store.history({ site: 's', device: 'd', from: now - 20 * D, to: now }, now);
    expect(month.source).toBe('5m');
    expect(month.stepMs).toBe(H);
    // Two samples an hour alternating 0 and 1: availability 0.5 in every hourly bucket.
    expect(month.rows.length).toBeGreaterThan(20 * 24 - 2);
    expect(month.rows.every((r) => r.fields.reachable === 0.5 && r.fields.latencyMs === 20)).toBe(true);
    expect(await store.query({ site: 's', device: 'd', from: now - 20 * D, to: now - 2 * D })).toEqual([]);
  });

  it('stores a replayed sample once (same series and time), as InfluxDB does', async () => {
    const store = new MemoryTimeSeriesStore();
    store.write([row(now - 2000, 1), row(now - 1000, 1)]);
    store.write([row(now - 2000, 1)]);
    expect(await store.query({ site: 's', device: 'd', from: 0, to: now })).toHaveLength(2);
  });
});

describe('line protocol', () => {
  it('writes tags, float fields and millisecond times, skipping non-finite values', () => {
    const chunk = toChunk([
      { site: 'shop-1', device: 'cam 1', segment: 'camera', at: 1_700_000_000_123, fields: { reachable: 1, latencyMs: 4.5, 'odd-key': 2, bad: NaN } },
      { site: 'shop-1', device: 'gw', at: 1_700_000_000_000, fields: { bad: Infinity } },
    ]);
    expect(chunk).toEqual({
      lines: 'device_sample,device=cam\\ 1,segment=camera,site=shop-1 reachable=1,latencyMs=4.5,odd_key=2 1700000000123',
      points: 1,
      oldest: 1_700_000_000_123,
    });
  });
});
