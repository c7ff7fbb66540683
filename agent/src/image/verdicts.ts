// Verdicts with hysteresis, per camera: a condition is raised after `raiseAfter` consecutive frames show it and
// cleared after `clearAfter` consecutive clean frames; frames that could not be judged count neither way. The
// condition words are shared's (CONTRACTS §1); each verdict carries the metrics that caused it and the
// recommended actions (DOMAIN §3).
import type { Condition } from '@camfleet/shared';
import type { Mode } from './baseline.ts';

export type ImageCondition = Extract<Condition, 'blur' | 'night-blur' | 'fog' | 'frozen' | 'black'>;
export const IMAGE_CONDITIONS: readonly ImageCondition[] = ['blur', 'night-blur', 'fog', 'frozen', 'black'];
export type ImageAction = 'clean-lens' | 'clean-cover' | 'wait-condensation' | 'reboot' | 'request-exchange';

export interface VerdictOptions {
  raiseAfter: number;
  clearAfter: number;
  /** Fog after a power cycle is expected to clear by itself within this long (DOMAIN §3.2: 1–3 days). */
  condensationMs: number;
  /** A day judgement this recent tells night blur (cover) from blur (lens). */
  dayEvidenceMs: number;
}

export const VERDICT_DEFAULTS: Readonly<VerdictOptions> = Object.freeze({
  raiseAfter: 3,
  clearAfter: 3,
  condensationMs: 3 * 86_400_000,
  dayEvidenceMs: 36 * 3_600_000,
});

/** One frame's findings; null where the frame could not be judged for that condition. */
export interface FrameSignals {
  at: number;
  mode: Mode;
  black: boolean;
  blur: boolean | null;
  fog: boolean | null;
  frozen: boolean | null;
  /** The blur came from one frame to the next (the previous judged frame was sharp). */
  suddenBlur?: boolean;
  /** Not blurred with a margin (a day frame that can vouch that the lens is clean). */
  clearlySharp?: boolean;
  metrics: Record<string, number>;
}

export interface VerdictContext {
  /** When the camera last rebooted or lost power (ms since epoch), if known. */
  powerCycledAt?: number;
  /** Other conditions seen on the device now (stream-down, unreachable, …): "other symptoms". */
  otherConditions?: readonly Condition[];
}

export interface ImageVerdict {
  condition: ImageCondition;
  since: string;
  /** Frames that showed it since it was raised (including the ones that raised it). */
  frames: number;
  actions: ImageAction[];
  metrics: Record<string, number>;
  note: string;
  /** fog: a recent power cycle explains it; it should clear by `clearBy`. */
  expected?: boolean;
  clearBy?: string;
  /** fog: lasted beyond the condensation period, or unexplained — a case for cleaning or exchange. */
  escalated?: boolean;
}

interface Track {
  active: boolean;
  bad: number;
  good: number;
  since: number | null;
  frames: number;
  metrics: Record<string, number>;
  /** blur: the streak began with a sudden drop; withSymptoms: and other symptoms came with it. */
  sudden: boolean;
  withSymptoms: boolean;
}

export interface VerdictState {
  v: 1;
  tracks: Record<ImageCondition, Track>;
  lastDay: { at: number; blurred: boolean; sharp: boolean } | null;
  powerCycledAt: number | null;
}

export interface VerdictUpdate {
  active: ImageVerdict[];
  raised: ImageCondition[];
  cleared: ImageCondition[];
}

const newTrack = (): Track => ({ active: false, bad: 0, good: 0, since: null, frames: 0, metrics: {}, sudden: false, withSymptoms: false });
const SYMPTOMS: ReadonlySet<Condition> = new Set(['stream-down', 'frozen', 'unreachable']);

export class VerdictMachine {
  readonly options: VerdictOptions;
  private state: VerdictState;

  constructor(options: Partial<VerdictOptions> = {}, state?: VerdictState) {
    this.options = { ...VERDICT_DEFAULTS, ...options };
    const tracks = Object.fromEntries(IMAGE_CONDITIONS.map((c) => [c, newTrack()])) as Record<ImageCondition, Track>;
    this.state = state ? structuredClone(state) : { v: 1, tracks, lastDay: null, powerCycledAt: null };
  }

  static fromJSON(json: unknown, options: Partial<VerdictOptions> = {}): VerdictMachine {
    const s = json as VerdictState | null;
    const ok = typeof s === 'object' && s !== null && s.v === 1 && typeof s.tracks === 'object' && s.tracks !== null &&
      IMAGE_CONDITIONS.every((c) => typeof s.tracks[c]?.bad === 'number');
    return new VerdictMachine(options, ok ? s : undefined);
  }

  toJSON(): VerdictState {
    return structuredClone(this.state);
  }

  update(f: FrameSignals, ctx: VerdictContext = {}): VerdictUpdate {
    if (ctx.powerCycledAt !== undefined) this.state.powerCycledAt = ctx.powerCycledAt;
    const symptoms = (ctx.otherConditions ?? []).some((c) => SYMPTOMS.has(c)) || f.frozen === true;
    const step = new Map<ImageCondition, boolean>();
    step.set('black', f.black);
    if (!f.black) {
      if (f.frozen !== null) step.set('frozen', f.frozen);
      if (f.fog !== null) step.set('fog', f.fog);
      if (f.blur !== null) this.blurSignals(f, step);
    }
    const raised: ImageCondition[] = [];
    const cleared: ImageCondition[] = [];
    for (const [condition, bad] of step) {
      const t = this.state.tracks[condition];
      if (bad) {
        t.bad++;
        t.good = 0;
        if (t.bad === 1 && !t.active) t.sudden = f.suddenBlur === true;
        if (condition === 'blur') t.withSymptoms ||= t.sudden && symptoms;
        if (t.active) t.frames++;
        t.metrics = { ...f.metrics };
        if (!t.active && t.bad >= this.options.raiseAfter) {
          Object.assign(t, { active: true, since: f.at, frames: t.bad });
          raised.push(condition);
        }
      } else {
        t.good++;
        t.bad = 0;
        if (!t.active) Object.assign(t, { sudden: false, withSymptoms: false });
        if (t.active && t.good >= this.options.clearAfter) {
          Object.assign(t, { active: false, since: null, frames: 0, sudden: false, withSymptoms: false });
          cleared.push(condition);
        }
      }
    }
    return { active: this.active(f.at), raised, cleared };
  }

  /** Lens blur shows day and night; dust on an IR camera's cover blurs only with IR on (DOMAIN §3.1). */
  private blurSignals(f: FrameSignals, step: Map<ImageCondition, boolean>): void {
    const blurred = f.blur === true;
    if (f.mode === 'day') {
      this.state.lastDay = { at: f.at, blurred, sharp: !blurred && f.clearlySharp !== false };
      step.set('blur', blurred);
      if (blurred) step.set('night-blur', false); // blurred by day too: the lens, not the cover
      return;
    }
    const day = this.state.lastDay && f.at - this.state.lastDay.at <= this.options.dayEvidenceMs ? this.state.lastDay : null;
    if (!blurred) {
      step.set('night-blur', false);
      step.set('blur', false);
    } else if (day?.sharp && !this.state.tracks.blur.active) {
      step.set('night-blur', true);
    } else {
      // Blurred (or borderline) by day as well, lens blur already raised, or no daylight picture to tell: the lens.
      step.set('blur', true);
    }
  }

  /** The active verdicts with their actions as of `now`. */
  active(now: number): ImageVerdict[] {
    const out: ImageVerdict[] = [];
    for (const condition of IMAGE_CONDITIONS) {
      const t = this.state.tracks[condition];
      if (!t.active || t.since === null) continue;
      out.push({ condition, since: new Date(t.since).toISOString(), frames: t.frames, metrics: t.metrics, ...this.advice(condition, t, now) });
    }
    return out;
  }

  private advice(condition: ImageCondition, t: Track, now: number): Pick<ImageVerdict, 'actions' | 'note' | 'expected' | 'clearBy' | 'escalated'> {
    switch (condition) {
      case 'blur':
        return t.withSymptoms
          ? { actions: ['reboot', 'clean-lens'], note: 'sudden blur with other symptoms: reboot first, then clean the lens if it stays' }
          : { actions: ['clean-lens'], note: 'sharpness well below this camera’s baseline: wipe the lens with a soft cloth, then a cleaning kit' };
      case 'night-blur':
        return { actions: ['clean-cover'], note: 'blurred only with IR on, sharp by day: dust on the cover scatters the IR light — clean the cover' };
      case 'frozen':
        return { actions: ['reboot'], note: 'the picture has not changed across grabs while this scene normally moves' };
      case 'black':
        return { actions: ['reboot', 'request-exchange'], note: 'nothing visible: reboot, then exchange if it stays black' };
      case 'fog':
        return this.fogAdvice(t.since ?? now, now);
    }
  }

  /** DOMAIN §3.2: fog after a power cycle may clear by itself in 1–3 days; beyond that, clean or exchange. */
  private fogAdvice(since: number, now: number): Pick<ImageVerdict, 'actions' | 'note' | 'expected' | 'clearBy' | 'escalated'> {
    const cycled = this.state.powerCycledAt;
    const expected = cycled !== null && cycled <= since && since - cycled <= this.options.condensationMs;
    const clearBy = since + this.options.condensationMs;
    if (now >= clearBy) {
      return { actions: ['clean-lens', 'request-exchange'], note: 'fogged for more than 3 days: clean the lens and the inside of the cover, or exchange', expected, escalated: true };
    }
    if (expected) {
      return { actions: ['wait-condensation'], note: 'condensation after a power cycle: leave it powered; it should clear within 1–3 days', expected, escalated: false, clearBy: new Date(clearBy).toISOString() };
    }
    return { actions: ['wait-condensation', 'clean-lens'], note: 'fogged without a recent power cycle: may be condensation (temperature swings); clean the lens and cover if it persists', expected, escalated: true, clearBy: new Date(clearBy).toISOString() };
  }
}
