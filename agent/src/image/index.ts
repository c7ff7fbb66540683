// Image health for the agent: blur, night-only blur, fog, frozen and black pictures, judged against each
// camera's own baseline. docs/image-health.md describes the measures and the numbers.
import type { DeviceSample } from '@camfleet/shared';
import type { ImageObservation } from './monitor.ts';

export { ANALYSIS_WIDTH, decodeFrame, probeImage, ImageDecodeError, type DecodedFrame, type DecodeFailure } from './decode.ts';
export { frameMetrics, measureFrame, metricsOf, type FrameMetrics } from './metrics.ts';
export { fingerprint, fingerprintDistance, samePicture, type Fingerprint } from './fingerprint.ts';
export { analyzeAgainstReference, isBlack, unfitReason, type CompareOptions, type FrameAnalysis, type Reference, type UnfitReason } from './compare.ts';
export { CameraBaseline, BASELINE_DEFAULTS, type BaselineOptions, type BaselineState, type Mode } from './baseline.ts';
export {
  VerdictMachine,
  VERDICT_DEFAULTS,
  IMAGE_CONDITIONS,
  type FrameSignals,
  type ImageAction,
  type ImageCondition,
  type ImageVerdict,
  type VerdictContext,
  type VerdictOptions,
} from './verdicts.ts';
export { thumbnail, THUMBNAIL_DEFAULTS, type Thumbnail, type ThumbnailOptions } from './thumbnail.ts';
export { ImageMonitor, inferNight, type ImageObservation, type MonitorOptions, type MonitorState, type ObserveOptions } from './monitor.ts';
export { THRESHOLDS, thresholds, type Thresholds } from './thresholds.ts';

/** The fields of a DeviceSample (telemetry) that an observation fills: condition words and numeric metrics. */
export function sampleFields(o: ImageObservation): Pick<DeviceSample, 'conditions' | 'metrics'> {
  return { conditions: [...o.conditions], metrics: { ...o.metrics } };
}

/**
 * The `data` of an `analysis` event: the verdicts with the metrics that caused them and their actions, what was
 * skipped and why, and the thumbnail of the latest frame for the dashboard.
 */
export function analysisEventData(o: ImageObservation): Record<string, unknown> {
  return {
    at: o.at,
    mode: o.mode,
    judged: o.judged,
    warmingUp: o.warmingUp,
    skipped: o.skipped,
    verdicts: o.verdicts,
    raised: o.raised,
    cleared: o.cleared,
    metrics: o.metrics,
    counters: o.counters,
    ...(o.thumbnail ? { thumbnail: o.thumbnail } : {}),
  };
}
