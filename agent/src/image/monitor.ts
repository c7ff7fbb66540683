// ImageMonitor: the image checks for one camera, frame after frame — measure, skip what cannot be judged,
// compare with the camera's own baseline, learn from clean frames, and turn findings into verdicts with
// hysteresis. Its state is plain JSON (toJSON / fromJSON) for the agent's state dir.
import { CameraBaseline, type BaselineOptions, type BaselineState, type Mode } from './baseline.ts';
import { analyzeAgainstReference, isBlack, unfitReason, type FrameAnalysis, type UnfitReason } from './compare.ts';
import { fingerprintDistance, samePicture } from './fingerprint.ts';
import { measureFrame, type FrameMetrics } from './metrics.ts';
import { thumbnail, type Thumbnail, type ThumbnailOptions } from './thumbnail.ts';
import { THRESHOLDS, type Thresholds } from './thresholds.ts';
import { VerdictMachine, type ImageCondition, type ImageVerdict, type VerdictContext, type VerdictOptions, type VerdictState } from './verdicts.ts';

export interface MonitorOptions {
  thresholds?: Partial<Thresholds>;
  baseline?: Partial<BaselineOptions>;
  verdicts?: Partial<VerdictOptions>;
  thumbnail?: ThumbnailOptions | false;
  /** Frozen is judged only between grabs at least this far apart (default one minute). */
  minFrozenGapMs?: number;
  /** The exposure check compares with the previous frame only if it is at most this old (default 2 h). */
  exposureWindowMs?: number;
}

export interface ObserveOptions {
  /** Time the frame was grabbed (default now). */
  at?: number | Date;
  /** IR illumination on; inferred from the picture (no colour) when not given. */
  night?: boolean;
  context?: VerdictContext;
}

export interface MonitorCounters {
  frames: number;
  judged: number;
  warmup: number;
  black: number;
  skipped: Record<UnfitReason, number>;
}

export interface ImageObservation {
  at: string;
  mode: Mode;
  /** The frame was compared with a warm baseline for blur and fog. */
  judged: boolean;
  warmingUp: boolean;
  skipped: UnfitReason | null;
  black: boolean;
  /** The per-frame comparison with the baseline (null when not judged). */
  analysis: FrameAnalysis | null;
  conditions: ImageCondition[];
  verdicts: ImageVerdict[];
  raised: ImageCondition[];
  cleared: ImageCondition[];
  /** Flat numeric metrics for telemetry (DeviceSample.metrics). */
  metrics: Record<string, number>;
  counters: MonitorCounters;
  thumbnail?: Thumbnail;
}

export interface MonitorState {
  v: 1;
  baseline: BaselineState;
  verdicts: VerdictState;
  counters: MonitorCounters;
  lastSharpnessRatio: Record<Mode, number | null>;
}

/** A judged frame at least this sharp (against both references) vouches for a clean lens. */
const CLEARLY_SHARP = 0.85;

const newCounters = (): MonitorCounters => ({
  frames: 0,
  judged: 0,
  warmup: 0,
  black: 0,
  skipped: { 'too-dark': 0, overexposed: 0, flat: 0, 'exposure-changing': 0 },
});

/** An IR picture has no colour. */
export function inferNight(m: FrameMetrics, t: Thresholds = THRESHOLDS): boolean {
  return m.saturation < t.nightSaturation && m.colourfulness < 3;
}

export class ImageMonitor {
  readonly thresholds: Thresholds;
  private readonly baseline: CameraBaseline;
  private readonly verdicts: VerdictMachine;
  private counters: MonitorCounters;
  private lastSharpnessRatio: Record<Mode, number | null>;

  constructor(
    private readonly options: MonitorOptions = {},
    state?: MonitorState,
  ) {
    this.thresholds = { ...THRESHOLDS, ...options.thresholds };
    this.baseline = CameraBaseline.fromJSON(state?.baseline, options.baseline);
    this.verdicts = VerdictMachine.fromJSON(state?.verdicts, options.verdicts);
    this.counters = state?.counters ? structuredClone(state.counters) : newCounters();
    this.lastSharpnessRatio = state?.lastSharpnessRatio ? { ...state.lastSharpnessRatio } : { day: null, night: null };
  }

  static fromJSON(json: unknown, options: MonitorOptions = {}): ImageMonitor {
    const s = json as MonitorState | null;
    const ok = typeof s === 'object' && s !== null && s.v === 1 && typeof s.counters === 'object' && s.counters !== null;
    return new ImageMonitor(options, ok ? s : undefined);
  }

  toJSON(): MonitorState {
    return {
      v: 1,
      baseline: this.baseline.toJSON(),
      verdicts: this.verdicts.toJSON(),
      counters: structuredClone(this.counters),
      lastSharpnessRatio: { ...this.lastSharpnessRatio },
    };
  }

  /** Decodes, measures and judges one grabbed frame; adds a thumbnail unless disabled. */
  async observe(frame: Buffer, opts: ObserveOptions = {}): Promise<ImageObservation> {
    const { metrics, frame: decoded } = await measureFrame(frame);
    const observation = this.observeMetrics(metrics, opts);
    if (this.options.thumbnail !== false) observation.thumbnail = await thumbnail(decoded, this.options.thumbnail);
    return observation;
  }

  /** Judges one already measured frame (no I/O). */
  observeMetrics(m: FrameMetrics, opts: ObserveOptions = {}): ImageObservation {
    const t = this.thresholds;
    const at = opts.at === undefined ? Date.now() : typeof opts.at === 'number' ? opts.at : opts.at.getTime();
    const mode: Mode = (opts.night ?? inferNight(m, t)) ? 'night' : 'day';
    const last = this.baseline.last;
    const black = isBlack(m, t);
    let skipped = black ? null : unfitReason(m, t);
    const recent = last !== null && at - last.at <= (this.options.exposureWindowMs ?? 2 * 3_600_000);
    if (!black && !skipped && recent && (last.mode !== mode || exposureJump(m.meanLuma, last.meanLuma, t.exposureStep))) {
      skipped = 'exposure-changing';
    }
    const fit = !black && skipped === null;

    let frozen: boolean | null = null;
    let activity: number | undefined;
    if (fit && last?.fit && last.mode === mode && at - last.at >= (this.options.minFrozenGapMs ?? 60_000)) {
      activity = fingerprintDistance(m.fingerprint, last.fingerprint);
      const usual = this.baseline.usualActivity(mode);
      frozen = samePicture(m.fingerprint, last.fingerprint) || (activity < t.frozenDistance && usual !== null && usual >= t.activeScene);
    }

    const reference = fit ? this.baseline.reference(mode) : null;
    const analysis = reference ? analyzeAgainstReference(m, reference, { night: mode === 'night', thresholds: t }) : null;
    const ratio = analysis?.metrics.sharpnessRatio;
    const suddenBlur = analysis?.blur === true && (this.lastSharpnessRatio[mode] ?? 0) >= CLEARLY_SHARP;
    const clearlySharp = analysis !== null && !analysis.blur && (ratio ?? 0) >= CLEARLY_SHARP && (analysis.metrics.sharpnessRatioLongTerm ?? 1) >= CLEARLY_SHARP;
    if (ratio !== undefined) this.lastSharpnessRatio[mode] = ratio;

    if (fit && !analysis?.blur && !analysis?.fog && frozen !== true) this.baseline.learn(m, at, mode, activity);
    this.baseline.remember(m, at, mode, fit);
    this.count(black, skipped, analysis !== null, fit);

    const metrics = telemetryMetrics(m, analysis, activity, mode);
    const update = this.verdicts.update(
      { at, mode, black, blur: analysis ? analysis.blur : null, fog: analysis ? analysis.fog : null, frozen, suddenBlur, clearlySharp, metrics },
      opts.context,
    );
    return {
      at: new Date(at).toISOString(),
      mode,
      judged: analysis !== null,
      warmingUp: fit && analysis === null,
      skipped,
      black,
      analysis,
      conditions: update.active.map((v) => v.condition),
      verdicts: update.active,
      raised: update.raised,
      cleared: update.cleared,
      metrics,
      counters: structuredClone(this.counters),
    };
  }

  /** Forgets the learned baseline (after a deliberate change of view); verdicts clear as clean frames come. */
  resetBaseline(mode?: Mode): void {
    this.baseline.reset(mode);
  }

  private count(black: boolean, skipped: UnfitReason | null, judged: boolean, fit: boolean): void {
    const c = this.counters;
    c.frames++;
    if (black) c.black++;
    else if (skipped) c.skipped[skipped]++;
    else if (judged) c.judged++;
    else if (fit) c.warmup++;
  }
}

function exposureJump(now: number, before: number, step: number): boolean {
  const r = Math.max(now, 1) / Math.max(before, 1);
  return r > step || r < 1 / step;
}

function telemetryMetrics(m: FrameMetrics, a: FrameAnalysis | null, activity: number | undefined, mode: Mode): Record<string, number> {
  const out: Record<string, number> = {
    sharpness: round(m.sharpness, 4),
    haze: round(m.haze),
    meanLuma: round(m.meanLuma, 1),
    clippedPct: round(m.clippedPct, 2),
    noise: round(m.noise, 2),
    imageNight: mode === 'night' ? 1 : 0,
    imageJudged: a ? 1 : 0,
  };
  if (activity !== undefined && Number.isFinite(activity)) out.fingerprintDistance = round(activity, 4);
  if (a) {
    for (const k of ['sharpnessRatio', 'clarityRatio', 'saturationRatio', 'contrastRatio', 'sharpnessRatioLongTerm', 'clarityRatioLongTerm']) {
      const v = a.metrics[k];
      if (v !== undefined) out[k] = v;
    }
  }
  return out;
}

const round = (v: number, digits = 3): number => Number(v.toFixed(digits));
