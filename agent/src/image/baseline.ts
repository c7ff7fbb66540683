// Per-camera baseline: what this camera's pictures normally measure, learned from its own clean frames and
// kept apart for daytime and IR-night pictures. Plain JSON state, so the agent can keep it in its state dir.
//
//  - warm-up: no blur/fog verdict for a mode until `warmup` clean frames of that mode were seen;
//  - robust: the reference is the median of the last `window` clean frames, the spread their MAD;
//  - capped drift: once settled, the reference moves towards that median by at most `driftPerDay` a day, and
//    only clean frames (not blurred, fogged, frozen or unfit) are learned — a dirtying lens cannot drag it down;
//  - long-term reference: for sharpness and clarity, a high-water mark that sinks by `longTermDecayPerDay`
//    only; slow dirt that the short-term reference followed still shows against it.
import type { Reference } from './compare.ts';
import { isFingerprint, type Fingerprint } from './fingerprint.ts';
import type { FrameMetrics } from './metrics.ts';

export type Mode = 'day' | 'night';
export const MODES: readonly Mode[] = ['day', 'night'];

export const TRACKED = ['sharpness', 'clarity', 'contrast', 'saturation', 'meanLuma'] as const;
export type Tracked = (typeof TRACKED)[number];

export interface BaselineOptions {
  warmup: number;
  window: number;
  driftPerDay: number;
  longTermDecayPerDay: number;
}

export const BASELINE_DEFAULTS: Readonly<BaselineOptions> = Object.freeze({
  warmup: 12,
  window: 64,
  driftPerDay: 0.05,
  longTermDecayPerDay: 0.005,
});

export interface ModeState {
  /** Clean frames learned so far. */
  samples: number;
  recent: Record<Tracked, number[]>;
  /** Fingerprint distance between consecutive clean frames: how much this scene normally moves. */
  activity: number[];
  reference: Record<Tracked, number> | null;
  longTerm: { sharpness: number; clarity: number } | null;
  updatedAt: number | null;
}

export interface LastFrame {
  at: number;
  mode: Mode;
  meanLuma: number;
  fingerprint: Fingerprint;
  /** The frame could be judged (not black, not unfit). */
  fit: boolean;
}

export interface BaselineState {
  v: 1;
  day: ModeState;
  night: ModeState;
  last: LastFrame | null;
}

const DAY_MS = 86_400_000;

const emptyMode = (): ModeState => ({
  samples: 0,
  recent: { sharpness: [], clarity: [], contrast: [], saturation: [], meanLuma: [] },
  activity: [],
  reference: null,
  longTerm: null,
  updatedAt: null,
});

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation over the median: the camera's own relative spread. */
export function relativeSpread(values: readonly number[]): number {
  const m = median(values);
  if (!(m > 0)) return 0;
  return median(values.map((v) => Math.abs(v - m))) / m;
}

const trackedOf = (f: FrameMetrics): Record<Tracked, number> => ({
  sharpness: f.sharpness,
  clarity: 1 - f.haze,
  contrast: f.contrast,
  saturation: f.saturation,
  meanLuma: f.meanLuma,
});

export class CameraBaseline {
  readonly options: BaselineOptions;
  private state: BaselineState;

  constructor(options: Partial<BaselineOptions> = {}, state?: BaselineState) {
    this.options = { ...BASELINE_DEFAULTS, ...options };
    this.state = state ? structuredClone(state) : { v: 1, day: emptyMode(), night: emptyMode(), last: null };
  }

  /** Restores a saved baseline; anything unreadable starts afresh rather than failing the agent. */
  static fromJSON(json: unknown, options: Partial<BaselineOptions> = {}): CameraBaseline {
    return new CameraBaseline(options, isBaselineState(json) ? json : undefined);
  }

  toJSON(): BaselineState {
    return structuredClone(this.state);
  }

  get last(): LastFrame | null {
    return this.state.last;
  }

  samples(mode: Mode): number {
    return this.state[mode].samples;
  }

  isWarm(mode: Mode): boolean {
    return this.state[mode].reference !== null;
  }

  /** The reference a frame of this mode is judged against, or null during warm-up. */
  reference(mode: Mode): Reference | null {
    const m = this.state[mode];
    if (!m.reference) return null;
    return {
      sharpness: m.reference.sharpness,
      haze: 1 - m.reference.clarity,
      contrast: m.reference.contrast,
      saturation: m.reference.saturation,
      meanLuma: m.reference.meanLuma,
      ...(m.longTerm ? { longTerm: { ...m.longTerm } } : {}),
      sharpnessSpread: relativeSpread(m.recent.sharpness),
    };
  }

  /** Median frame-to-frame fingerprint distance of this mode's clean frames, or null while unknown. */
  usualActivity(mode: Mode): number | null {
    const a = this.state[mode].activity;
    return a.length >= Math.min(6, this.options.warmup) ? median(a) : null;
  }

  /** Learns one clean frame (call only for frames judged clean, or during warm-up). */
  learn(frame: FrameMetrics, at: number, mode: Mode, activity?: number): void {
    const m = this.state[mode];
    const values = trackedOf(frame);
    for (const k of TRACKED) push(m.recent[k], values[k], this.options.window);
    if (activity !== undefined && Number.isFinite(activity)) push(m.activity, activity, this.options.window);
    m.samples++;
    if (m.samples < this.options.warmup) return;
    const target = Object.fromEntries(TRACKED.map((k) => [k, median(m.recent[k])])) as Record<Tracked, number>;
    if (!m.reference || m.updatedAt === null || m.samples <= this.options.window) {
      // Warm-up just ended, or still settling: the reference is simply the recent median.
      m.reference = target;
    } else {
      const days = Math.max(0, at - m.updatedAt) / DAY_MS;
      const ref = m.reference;
      for (const k of TRACKED) {
        const step = Math.abs(ref[k]) * this.options.driftPerDay * days;
        ref[k] += Math.max(-step, Math.min(step, target[k] - ref[k]));
      }
    }
    const decay = m.longTerm && m.updatedAt !== null ? Math.pow(1 - this.options.longTermDecayPerDay, Math.max(0, at - m.updatedAt) / DAY_MS) : 0;
    m.longTerm = {
      sharpness: Math.max((m.longTerm?.sharpness ?? 0) * decay, m.reference.sharpness),
      clarity: Math.max((m.longTerm?.clarity ?? 0) * decay, m.reference.clarity),
    };
    m.updatedAt = at;
  }

  /** Remembers the latest frame (exposure-change and frozen checks compare with it). */
  remember(frame: FrameMetrics, at: number, mode: Mode, fit: boolean): void {
    this.state.last = { at, mode, meanLuma: frame.meanLuma, fingerprint: frame.fingerprint, fit };
  }

  /** Forgets what was learned for one mode (or both): after a deliberate change of view, say. */
  reset(mode?: Mode): void {
    for (const m of mode ? [mode] : MODES) this.state[m] = emptyMode();
  }
}

function push(into: number[], value: number, limit: number): void {
  into.push(value);
  if (into.length > limit) into.splice(0, into.length - limit);
}

function isModeState(v: unknown): v is ModeState {
  const m = v as ModeState | null;
  return (
    typeof m === 'object' && m !== null && typeof m.samples === 'number' && Array.isArray(m.activity) &&
    typeof m.recent === 'object' && m.recent !== null && TRACKED.every((k) => Array.isArray(m.recent[k]))
  );
}

export function isBaselineState(v: unknown): v is BaselineState {
  const s = v as BaselineState | null;
  return (
    typeof s === 'object' && s !== null && s.v === 1 && isModeState(s.day) && isModeState(s.night) &&
    (s.last === null || (typeof s.last === 'object' && isFingerprint(s.last.fingerprint)))
  );
}
