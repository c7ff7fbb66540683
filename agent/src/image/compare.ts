// One frame judged against a reference of the same camera: a reference frame (camfleet-agent analyze) or the
// learned baseline (baseline.ts). Answers the CONTRACTS §2 object: { blur, fog, black, metrics, … }.
import { fingerprintDistance, samePicture, type Fingerprint } from './fingerprint.ts';
import type { FrameMetrics } from './metrics.ts';
import { THRESHOLDS, type Thresholds } from './thresholds.ts';

/** What a frame is compared with. A FrameMetrics is a Reference; so is a learned baseline. */
export interface Reference {
  sharpness: number;
  haze: number;
  contrast: number;
  saturation: number;
  meanLuma: number;
  fingerprint?: Fingerprint;
  /** Slow-moving references a gradually dirtying lens cannot drag down (baseline only). */
  longTerm?: { sharpness: number; clarity: number };
  /** Relative spread (MAD / median) of the camera's own sharpness (baseline only). */
  sharpnessSpread?: number;
}

export type UnfitReason = 'too-dark' | 'overexposed' | 'flat' | 'exposure-changing';

export interface CompareOptions {
  /** The frame was taken with IR illumination (night mode). */
  night?: boolean;
  thresholds?: Thresholds;
}

export interface FrameAnalysis {
  blur: boolean;
  fog: boolean;
  black: boolean;
  /** The picture is the same as the reference's, bit for bit or within a hair. */
  frozen: boolean;
  /** Blurred with IR on. Whether the day picture is sharp (dust on the cover) is for the baseline to say. */
  nightBlur: boolean;
  /** False when the frame could not be judged for blur and fog (see `unfit`). Black is always judged. */
  judged: boolean;
  unfit: UnfitReason | null;
  metrics: Record<string, number>;
}

/** Nothing visible: near-zero mean luma and hardly a pixel above the floor. */
export function isBlack(frame: FrameMetrics, t: Thresholds = THRESHOLDS): boolean {
  return frame.meanLuma <= t.blackMeanLuma && frame.lumaP99 <= t.blackP99;
}

/** Why a (non-black) frame cannot be judged for blur and fog, or null when it can. */
export function unfitReason(frame: FrameMetrics, t: Thresholds = THRESHOLDS): UnfitReason | null {
  if (frame.meanLuma < t.darkMeanLuma) return 'too-dark';
  if (frame.clippedHighPct > t.overexposedPct) return 'overexposed';
  if (frame.flatPct > t.flatPct) return 'flat';
  return null;
}

/** a / b, capped at 1000 so that a reference without any detail still gives a finite (JSON-safe) number. */
const ratio = (a: number, b: number): number => (b > 1e-9 ? Math.min(a / b, 1000) : a > 1e-9 ? 1000 : 1);
const round = (v: number, digits = 3): number => Number(v.toFixed(digits));

export function analyzeAgainstReference(frame: FrameMetrics, reference: Reference, opts: CompareOptions = {}): FrameAnalysis {
  const t = opts.thresholds ?? THRESHOLDS;
  const night = opts.night === true;
  const black = isBlack(frame, t);
  const unfit = black ? null : unfitReason(frame, t);
  const judged = !black && unfit === null;

  const clarity = 1 - frame.haze;
  const sharpnessRatio = ratio(frame.sharpness, reference.sharpness);
  const clarityRatio = ratio(clarity, 1 - reference.haze);
  const contrastRatio = ratio(frame.contrast, reference.contrast);
  const blurLimit = Math.min(t.blurRatio, 1 - t.spreadK * (reference.sharpnessSpread ?? 0));
  const ltSharpness = reference.longTerm ? ratio(frame.sharpness, reference.longTerm.sharpness) : 1000;
  const ltClarity = reference.longTerm ? ratio(clarity, reference.longTerm.clarity) : 1000;

  const blur = judged && (sharpnessRatio < blurLimit || ltSharpness < t.longTermBlurRatio);
  // A veil shows as lost clarity together with lost colour (day) or lost contrast (night, grey scenes).
  const colourless = night || reference.saturation < 0.05;
  // Against a reference without colour a saturation ratio means nothing (and noise would make it huge): 1.
  const saturationRatio = reference.saturation < 0.05 ? 1 : ratio(frame.saturation, reference.saturation);
  const washedOut = colourless ? contrastRatio < t.fogContrastRatio : saturationRatio < t.fogSaturationRatio;
  const veiled = (clarityRatio < t.fogClarityRatio || ltClarity < t.longTermFogClarityRatio) && washedOut;
  // At night a veil together with blur is IR light scattered by dirt on the cover: night blur, not fog.
  const fog = judged && veiled && !(night && blur);

  let distance: number | undefined;
  let frozen = false;
  if (reference.fingerprint && !black && unfit !== 'flat') {
    distance = fingerprintDistance(frame.fingerprint, reference.fingerprint);
    frozen = samePicture(frame.fingerprint, reference.fingerprint) || distance < t.frozenDistance;
  }

  const metrics: Record<string, number> = {
    sharpnessRatio: round(sharpnessRatio),
    sharpness: round(frame.sharpness, 4),
    sharpnessRef: round(reference.sharpness, 4),
    blurThreshold: round(blurLimit),
    clarityRatio: round(clarityRatio),
    haze: round(frame.haze),
    hazeRef: round(reference.haze),
    contrastRatio: round(contrastRatio),
    saturationRatio: round(saturationRatio),
    meanLuma: round(frame.meanLuma, 1),
    meanLumaRef: round(reference.meanLuma, 1),
    lumaP99: frame.lumaP99,
    clippedPct: round(frame.clippedPct, 2),
    flatPct: round(frame.flatPct, 1),
    noise: round(frame.noise, 2),
  };
  if (reference.longTerm) {
    metrics.sharpnessRatioLongTerm = round(ltSharpness);
    metrics.clarityRatioLongTerm = round(ltClarity);
  }
  if (distance !== undefined && Number.isFinite(distance)) metrics.fingerprintDistance = round(distance, 4);
  return { blur, fog, black, frozen: frozen && judged, nightBlur: night && blur, judged, unfit, metrics };
}
