// Every number the image checks decide with, in one place. docs/image-health.md explains each one and the
// evaluation (test/image-eval) that holds them to the target.

export interface Thresholds {
  /** Blur: sharpness below this fraction of the reference. */
  blurRatio: number;
  /** Blur against the long-term reference (slow dirt the short-term reference followed). */
  longTermBlurRatio: number;
  /** Fog: clarity (1 − haze) below this fraction of the reference… */
  fogClarityRatio: number;
  /** …and colour saturation below this fraction (by day), */
  fogSaturationRatio: number;
  /** …or RMS contrast below this fraction (at night, or for a scene with hardly any colour). */
  fogContrastRatio: number;
  /** Fog against the long-term clarity reference. */
  longTermFogClarityRatio: number;
  /** A camera whose own sharpness wanders gets a lower blur threshold: 1 − spreadK × (MAD / median). */
  spreadK: number;
  /** Black: mean luma at or below this and 99th percentile at or below blackP99 — nothing visible. */
  blackMeanLuma: number;
  blackP99: number;
  /** Unfit to judge: too dark (mean luma below), overexposed (percent clipped white above), one colour. */
  darkMeanLuma: number;
  overexposedPct: number;
  flatPct: number;
  /** Unfit: exposure changing — mean luma moved by more than this factor since the previous frame. */
  exposureStep: number;
  /** Frozen: grids closer than this (luma levels) count as the same picture… */
  frozenDistance: number;
  /** …when the camera's usual frame-to-frame distance is at least this (a scene that normally moves). */
  activeScene: number;
  /** Night is inferred when no mode is given: saturation below this. */
  nightSaturation: number;
}

export const THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  blurRatio: 0.75,
  longTermBlurRatio: 0.62,
  fogClarityRatio: 0.8,
  fogSaturationRatio: 0.8,
  fogContrastRatio: 0.85,
  longTermFogClarityRatio: 0.7,
  spreadK: 4,
  blackMeanLuma: 12,
  blackP99: 40,
  darkMeanLuma: 20,
  overexposedPct: 30,
  flatPct: 92,
  exposureStep: 1.5,
  frozenDistance: 0.01,
  activeScene: 0.05,
  nightSaturation: 0.02,
});

export function thresholds(overrides: Partial<Thresholds> = {}): Thresholds {
  return { ...THRESHOLDS, ...overrides };
}
