import { describe, expect, it } from 'vitest';
import { fingerprint, fingerprintDistance, isFingerprint, samePicture } from './fingerprint.ts';

const W = 64;
const H = 36;

function frame(f: (x: number, y: number) => number): { rgb: Uint8Array; luma: Float32Array } {
  const rgb = new Uint8Array(W * H * 3);
  const luma = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) {
    const v = f(i % W, Math.floor(i / W));
    rgb.fill(v, i * 3, i * 3 + 3);
    luma[i] = v;
  }
  return { rgb, luma };
}

const print = (f: (x: number, y: number) => number) => {
  const { rgb, luma } = frame(f);
  return fingerprint(rgb, luma, W, H);
};

describe('fingerprint', () => {
  const scene = (x: number, y: number) => (x * 3 + y * 5) % 200;

  it('is identical for the same picture and JSON-safe', () => {
    const a = print(scene);
    const b = print(scene);
    expect(samePicture(a, b)).toBe(true);
    expect(fingerprintDistance(a, b)).toBe(0);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(isFingerprint(a)).toBe(true);
    expect(a.cols).toBe(32);
    expect(a.rows).toBe(18);
  });

  it('tells one changed pixel apart (hash) while the grid barely moves', () => {
    const a = print(scene);
    const b = print((x, y) => (x === 5 && y === 5 ? 255 : scene(x, y)));
    expect(samePicture(a, b)).toBe(false);
    expect(fingerprintDistance(a, b)).toBeGreaterThan(0);
    expect(fingerprintDistance(a, b)).toBeLessThan(0.5);
  });

  it('measures movement in luma levels', () => {
    const a = print(() => 100);
    expect(fingerprintDistance(a, print(() => 110))).toBeCloseTo(10, 2);
    expect(fingerprintDistance(a, print((x) => (x < W / 2 ? 100 : 120)))).toBeCloseTo(10, 2);
  });

  it('cannot compare grids of different shapes', () => {
    const { rgb, luma } = frame(scene);
    const narrow = fingerprint(rgb.subarray(0, 16 * 16 * 3), luma.subarray(0, 16 * 16), 16, 16);
    expect(fingerprintDistance(print(scene), narrow)).toBe(Number.POSITIVE_INFINITY);
    expect(isFingerprint({ hash: 'x' })).toBe(false);
  });
});
