import { describe, expect, it } from 'vitest';
import { colourStats, edgeStats, hazeStats, noiseSigma, scanPixels, toneStats } from './measures.ts';

const W = 160;
const H = 90;

/** An RGB picture from a luma function (grey) or an RGB function. */
function picture(f: (x: number, y: number) => number | [number, number, number]): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = f(x, y);
      const [r, g, b] = typeof v === 'number' ? [v, v, v] : v;
      const p = (y * W + x) * 3;
      out[p] = Math.max(0, Math.min(255, Math.round(r)));
      out[p + 1] = Math.max(0, Math.min(255, Math.round(g)));
      out[p + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return out;
}

/** Vertical bars 20 px wide, every edge blurred to width `sigma` (a smooth step profile). */
const edges = (sigma: number, lo = 40, hi = 200) => (x: number) => {
  const k = x % 40;
  const d = k < 20 ? k - 10 : 30 - k;
  const s = Math.max(sigma, 0.01);
  return lo + (hi - lo) * 0.5 * (1 + Math.tanh((0.8 * d) / s));
};

const sharpnessOf = (rgb: Uint8Array) => edgeStats(scanPixels(rgb, W, H).luma, W, H).sharpness;
const hazeOf = (rgb: Uint8Array) => hazeStats(scanPixels(rgb, W, H)).haze;

describe('measures', () => {
  it('tone: mean, spread, percentiles, clipping and flatness from one histogram', () => {
    const flat = toneStats(scanPixels(picture(() => 100), W, H));
    expect(flat).toMatchObject({ meanLuma: 100, stdLuma: 0, lumaP01: 100, lumaP99: 100, clippedLowPct: 0, clippedHighPct: 0, flatPct: 100 });
    const halves = toneStats(scanPixels(picture((x) => (x < W / 2 ? 0 : 255)), W, H));
    expect(halves.meanLuma).toBeCloseTo(127.5, 5);
    expect(halves.clippedLowPct).toBeCloseTo(50, 5);
    expect(halves.clippedHighPct).toBeCloseTo(50, 5);
    expect(halves.flatPct).toBeCloseTo(50, 5);
  });

  it('sharpness falls steadily as edges widen', () => {
    const values = [1, 2, 4, 8].map((s) => sharpnessOf(picture(edges(s))));
    for (let i = 1; i < values.length; i++) expect(values[i]!).toBeLessThan(values[i - 1]!);
    expect(values[3]!).toBeLessThan(values[0]! * 0.5);
  });

  it('sharpness does not read darkness or haze as blur', () => {
    const base = sharpnessOf(picture(edges(1)));
    expect(sharpnessOf(picture((x) => edges(1)(x) * 0.4))).toBeCloseTo(base, 1);
    expect(sharpnessOf(picture((x) => edges(1)(x) * 0.5 + 230 * 0.5))).toBeCloseTo(base, 1);
    expect(edgeStats(scanPixels(picture(() => 90), W, H).luma, W, H).sharpness).toBe(0);
  });

  it('noise estimate follows the added noise on a flat picture', () => {
    let s = 7;
    const uniform = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const sigma = 6 / Math.sqrt(3); // uniform ±6 has σ = 6/√3
    const rgb = picture(() => 120 + uniform() * 6);
    expect(noiseSigma(scanPixels(rgb, W, H).luma, W, H)).toBeGreaterThan(sigma * 0.7);
    expect(noiseSigma(scanPixels(rgb, W, H).luma, W, H)).toBeLessThan(sigma * 1.3);
  });

  it('haze rises under I = J·t + A·(1 − t) and not with exposure', () => {
    const scene = (x: number, y: number): [number, number, number] => [(x * 7) % 200, (y * 11) % 180, ((x + y) * 5) % 160];
    const clear = hazeOf(picture(scene));
    const veiled = (t: number) => hazeOf(picture((x, y) => scene(x, y).map((v) => v * t + 230 * (1 - t)) as [number, number, number]));
    expect(veiled(0.8)).toBeGreaterThan(clear + 0.1);
    expect(veiled(0.5)).toBeGreaterThan(veiled(0.8) + 0.1);
    expect(hazeOf(picture((x, y) => scene(x, y).map((v) => v * 0.6) as [number, number, number]))).toBeCloseTo(clear, 1);
  });

  it('colour: none in a grey picture, plenty in a coloured one', () => {
    expect(colourStats(scanPixels(picture((x) => x), W, H))).toEqual({ colourfulness: 0, saturation: 0 });
    const c = colourStats(scanPixels(picture((x) => (x % 2 ? [220, 40, 40] : [40, 40, 220])), W, H));
    expect(c.colourfulness).toBeGreaterThan(50);
    expect(c.saturation).toBeGreaterThan(0.7);
  });
});
