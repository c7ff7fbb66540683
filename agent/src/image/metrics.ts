// frameMetrics: one frame in, every measure the image checks use out. Decoding shrinks the frame to the
// analysis width (decode.ts); the measures are in measures.ts and fingerprint.ts.
import { decodeFrame, type DecodedFrame, type DecodeOptions } from './decode.ts';
import { fingerprint, type Fingerprint } from './fingerprint.ts';
import { colourStats, edgeStats, hazeStats, scanPixels, toneStats } from './measures.ts';

export interface FrameMetrics {
  /** Size measured at (after shrinking) and the frame's own size and format. */
  width: number;
  height: number;
  sourceWidth: number;
  sourceHeight: number;
  format: string;
  /** Laplacian over gradient on edges: ~1/edge width in pixels; falls with blur, not with haze or darkness. */
  sharpness: number;
  /** Mean |gradient|, luma levels a pixel (local contrast). */
  gradient: number;
  /** Sensor noise estimate, luma levels. */
  noise: number;
  /** RMS contrast: standard deviation of luma over its mean. */
  contrast: number;
  /** Dark channel over bright channel, 0–1; rises towards 1 as a veil (fog, condensation, haze) covers the scene. */
  haze: number;
  darkChannel: number;
  colourfulness: number;
  /** Mean HSV saturation, 0–1 (about 0 for an IR night picture). */
  saturation: number;
  meanLuma: number;
  stdLuma: number;
  lumaP01: number;
  lumaP99: number;
  /** Percent of pixels clipped to black (≤ 3) and to white (≥ 252), and their sum. */
  clippedLowPct: number;
  clippedHighPct: number;
  clippedPct: number;
  /** Percent of pixels within ±6 levels of the median luma. */
  flatPct: number;
  fingerprint: Fingerprint;
}

/** Measures a decoded frame (pure; no I/O). */
export function metricsOf(frame: DecodedFrame): FrameMetrics {
  const { rgb, width, height } = frame;
  const scan = scanPixels(rgb, width, height);
  const { luma } = scan;
  const tone = toneStats(scan);
  const edges = edgeStats(luma, width, height);
  const colour = colourStats(scan);
  const veil = hazeStats(scan);
  return {
    width,
    height,
    sourceWidth: frame.sourceWidth,
    sourceHeight: frame.sourceHeight,
    format: frame.format,
    sharpness: edges.sharpness,
    gradient: edges.gradient,
    noise: edges.noise,
    contrast: tone.stdLuma / Math.max(1, tone.meanLuma),
    haze: veil.haze,
    darkChannel: veil.darkChannel,
    colourfulness: colour.colourfulness,
    saturation: colour.saturation,
    meanLuma: tone.meanLuma,
    stdLuma: tone.stdLuma,
    lumaP01: tone.lumaP01,
    lumaP99: tone.lumaP99,
    clippedLowPct: tone.clippedLowPct,
    clippedHighPct: tone.clippedHighPct,
    clippedPct: tone.clippedLowPct + tone.clippedHighPct,
    flatPct: tone.flatPct,
    fingerprint: fingerprint(rgb, luma, width, height),
  };
}

/** Decodes (JPEG, PNG or WebP, any size) and measures one frame; throws ImageDecodeError for a bad file. */
export async function frameMetrics(input: Buffer, opts: DecodeOptions = {}): Promise<FrameMetrics> {
  return metricsOf(await decodeFrame(input, opts));
}

/** Like frameMetrics, also handing back the decoded pixels (for a thumbnail without decoding twice). */
export async function measureFrame(input: Buffer, opts: DecodeOptions = {}): Promise<{ metrics: FrameMetrics; frame: DecodedFrame }> {
  const frame = await decodeFrame(input, opts);
  return { metrics: metricsOf(frame), frame };
}
