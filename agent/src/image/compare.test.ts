import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeAgainstReference, isBlack, unfitReason } from './compare.ts';
import { frameMetrics, type FrameMetrics } from './metrics.ts';
import { syntheticFrame, type SyntheticOptions } from './synthetic.ts';

const at = (o: SyntheticOptions = {}) => syntheticFrame(7, { width: 960, height: 540, ...o }).then((b) => frameMetrics(b));
let day: FrameMetrics;
let night: FrameMetrics;

beforeAll(async () => {
  day = await at();
  night = await at({ grey: true, gain: 0.6, noise: 4 });
});

const verdicts = (a: ReturnType<typeof analyzeAgainstReference>) => ({ blur: a.blur, fog: a.fog, black: a.black, frozen: a.frozen, nightBlur: a.nightBlur });
const none = { blur: false, fog: false, black: false, frozen: false, nightBlur: false };

describe('analyzeAgainstReference', () => {
  it('answers the CONTRACTS §2 shape with sharpnessRatio', async () => {
    const a = analyzeAgainstReference(await at({ noise: 3 }), day);
    expect(verdicts(a)).toEqual(none);
    expect(a).toMatchObject({ judged: true, unfit: null });
    expect(a.metrics.sharpnessRatio).toBeGreaterThan(0.9);
    expect(() => JSON.stringify(a)).not.toThrow();
  });

  it('blur, fog and black', async () => {
    expect(verdicts(analyzeAgainstReference(await at({ blur: 4 }), day))).toEqual({ ...none, blur: true });
    expect(verdicts(analyzeAgainstReference(await at({ haze: 0.55 }), day))).toEqual({ ...none, fog: true });
    const black = analyzeAgainstReference(await at({ gain: 0.02 }), day);
    expect(verdicts(black)).toEqual({ ...none, black: true });
    expect(black.judged).toBe(false);
  });

  it('darker, brighter and noisier pictures are not faults', async () => {
    for (const o of [{ gain: 0.6 }, { gain: 1.2 }, { noise: 10 }, { quality: 30 }]) {
      expect(verdicts(analyzeAgainstReference(await at(o), day)), JSON.stringify(o)).toEqual(none);
    }
  });

  it('at night: blur is night blur, and a veil with blur is not called fog', async () => {
    const blurred = analyzeAgainstReference(await at({ grey: true, gain: 0.6, noise: 4, noiseSeed: 5, blur: 4 }), night, { night: true });
    expect(verdicts(blurred)).toEqual({ ...none, blur: true, nightBlur: true });
    const glow = analyzeAgainstReference(await at({ grey: true, gain: 0.6, blur: 4, haze: 0.6 }), night, { night: true });
    expect(glow).toMatchObject({ blur: true, nightBlur: true, fog: false });
    const clean = analyzeAgainstReference(await at({ grey: true, gain: 0.6, noise: 4, noiseSeed: 6 }), night, { night: true });
    expect(verdicts(clean)).toEqual(none);
  });

  it('the same picture again is frozen; a re-grab with fresh noise is not', async () => {
    expect(analyzeAgainstReference(day, day).frozen).toBe(true);
    expect(analyzeAgainstReference(await at({ noise: 2, noiseSeed: 3 }), await at({ noise: 2, noiseSeed: 4 })).frozen).toBe(false);
  });

  it('compares with the long-term reference and a camera’s own spread', async () => {
    const slightly = await at({ blur: 1.5 });
    const vsRef = analyzeAgainstReference(slightly, day);
    expect(vsRef.blur).toBe(false);
    const drifted = analyzeAgainstReference(slightly, { ...day, longTerm: { sharpness: day.sharpness * 1.6, clarity: 1 - day.haze } });
    expect(drifted.blur).toBe(true);
    expect(drifted.metrics.sharpnessRatioLongTerm).toBeLessThan(0.62);
    expect(analyzeAgainstReference(day, { ...day, sharpnessSpread: 0.1 }).metrics.blurThreshold).toBeCloseTo(0.6, 5);
  });

  it('frames unfit to judge are flagged, not judged', async () => {
    const dim = await at({ gain: 0.15 });
    expect(isBlack(dim)).toBe(false);
    expect(unfitReason(dim)).toBe('too-dark');
    expect(analyzeAgainstReference(dim, day)).toMatchObject({ judged: false, unfit: 'too-dark', blur: false, fog: false });
    expect(unfitReason({ ...day, clippedHighPct: 45 })).toBe('overexposed');
    expect(unfitReason({ ...day, flatPct: 97 })).toBe('flat');
  });

  it('keeps every ratio finite against a reference without detail', () => {
    const blank = { ...day, sharpness: 0, contrast: 0, saturation: 0, haze: 1 };
    const a = analyzeAgainstReference(day, blank);
    for (const [k, v] of Object.entries(a.metrics)) expect(Number.isFinite(v), k).toBe(true);
  });
});
