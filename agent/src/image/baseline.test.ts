import { describe, expect, it } from 'vitest';
import { CameraBaseline, median, relativeSpread } from './baseline.ts';
import type { FrameMetrics } from './metrics.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T00:00:00Z');

/** A measured frame with the given values (the fields the baseline reads). */
const frame = (o: Partial<FrameMetrics> = {}, i = 0): FrameMetrics => ({
  width: 640, height: 360, sourceWidth: 1280, sourceHeight: 720, format: 'jpeg',
  sharpness: 0.6, gradient: 5, noise: 1, contrast: 0.5, haze: 0.3, darkChannel: 30, colourfulness: 40, saturation: 0.4,
  meanLuma: 110, stdLuma: 55, lumaP01: 5, lumaP99: 230, clippedLowPct: 0, clippedHighPct: 0, clippedPct: 0, flatPct: 10,
  fingerprint: { hash: `h${i}`, cols: 1, rows: 1, grid: Buffer.from(Uint16Array.of(100 * 256 + i).buffer).toString('base64') },
  ...o,
});

describe('CameraBaseline', () => {
  it('warms up per mode, then gives the median of clean frames as the reference', () => {
    const b = new CameraBaseline({ warmup: 5 });
    for (let i = 0; i < 4; i++) b.learn(frame({ sharpness: 0.5 + i * 0.1 }), T0 + i * 60_000, 'day');
    expect(b.isWarm('day')).toBe(false);
    expect(b.reference('day')).toBeNull();
    b.learn(frame({ sharpness: 5 }), T0 + 5 * 60_000, 'day'); // an outlier does not move a median much
    expect(b.reference('day')?.sharpness).toBeCloseTo(0.7, 9);
    expect(b.isWarm('night')).toBe(false);
  });

  it('keeps day and night apart', () => {
    const b = new CameraBaseline({ warmup: 3 });
    for (let i = 0; i < 3; i++) {
      b.learn(frame({ sharpness: 0.8, saturation: 0.4 }), T0 + i, 'day');
      b.learn(frame({ sharpness: 0.4, saturation: 0 }), T0 + i, 'night');
    }
    expect(b.reference('day')).toMatchObject({ sharpness: 0.8, saturation: 0.4 });
    expect(b.reference('night')).toMatchObject({ sharpness: 0.4, saturation: 0 });
  });

  it('once settled, moves at most driftPerDay a day however the recent frames move', () => {
    const b = new CameraBaseline({ warmup: 4, window: 8, driftPerDay: 0.05 });
    let t = T0;
    for (let i = 0; i < 8; i++) b.learn(frame({ sharpness: 1 }), (t += 600_000), 'day');
    expect(b.reference('day')?.sharpness).toBe(1);
    // Ten days of frames 40 % less sharp (each one still "clean"): the reference may only follow at 5 %/day.
    for (let d = 0; d < 10; d++) for (let k = 0; k < 24; k++) b.learn(frame({ sharpness: 0.6 }), (t += 3_600_000), 'day');
    const ref = b.reference('day')!.sharpness;
    expect(ref).toBeGreaterThan(0.6);
    expect(ref).toBeGreaterThanOrEqual(Math.pow(0.95, 10.1) - 1e-9);
  });

  it('keeps a long-term high-water mark that sinks only slowly', () => {
    const b = new CameraBaseline({ warmup: 2, window: 4, driftPerDay: 1, longTermDecayPerDay: 0.01 });
    let t = T0;
    for (let i = 0; i < 4; i++) b.learn(frame({ sharpness: 1, haze: 0.2 }), (t += 60_000), 'day');
    for (let d = 0; d < 20; d++) for (let k = 0; k < 4; k++) b.learn(frame({ sharpness: 0.5, haze: 0.2 }), (t += DAY / 4), 'day');
    const ref = b.reference('day')!;
    expect(ref.sharpness).toBeCloseTo(0.5, 2); // the fast reference followed
    expect(ref.longTerm!.sharpness).toBeGreaterThan(0.8); // the long-term one did not: 0.99^20 ≈ 0.82
    expect(ref.longTerm!.sharpness).toBeLessThan(0.83);
    expect(ref.longTerm!.clarity).toBeCloseTo(0.8, 9);
  });

  it('reports the camera’s own spread and its usual activity', () => {
    const b = new CameraBaseline({ warmup: 6 });
    const values = [0.9, 1, 1.1, 1, 0.95, 1.05];
    values.forEach((s, i) => b.learn(frame({ sharpness: s }), T0 + i, 'day', 0.2 + i * 0.01));
    expect(b.reference('day')?.sharpnessSpread).toBeCloseTo(relativeSpread(values), 9);
    expect(b.usualActivity('day')).toBeCloseTo(median([0.2, 0.21, 0.22, 0.23, 0.24, 0.25]), 9);
    expect(b.usualActivity('night')).toBeNull();
  });

  it('survives JSON (the agent’s state dir) and starts afresh on garbage', () => {
    const b = new CameraBaseline({ warmup: 2 });
    b.learn(frame(), T0, 'day');
    b.learn(frame(), T0 + 1, 'day');
    b.remember(frame({}, 3), T0 + 2, 'day', true);
    const copy = CameraBaseline.fromJSON(JSON.parse(JSON.stringify(b)), { warmup: 2 });
    expect(copy.reference('day')).toEqual(b.reference('day'));
    expect(copy.last?.fingerprint.hash).toBe('h3');
    for (const junk of [null, 42, 'x', { v: 2 }, { v: 1, day: {} }]) expect(CameraBaseline.fromJSON(junk).isWarm('day')).toBe(false);
  });

  it('can be reset for one mode', () => {
    const b = new CameraBaseline({ warmup: 1 });
    b.learn(frame(), T0, 'day');
    b.learn(frame(), T0, 'night');
    b.reset('day');
    expect([b.isWarm('day'), b.isWarm('night')]).toEqual([false, true]);
  });
});
