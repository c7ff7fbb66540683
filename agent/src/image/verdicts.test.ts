import { describe, expect, it } from 'vitest';
import { VerdictMachine, type FrameSignals } from './verdicts.ts';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T03:00:00Z');
let clock = T0;
const sig = (o: Partial<FrameSignals> = {}): FrameSignals => ({
  at: (clock += HOUR / 2),
  mode: 'day',
  black: false,
  blur: false,
  fog: false,
  frozen: false,
  clearlySharp: true,
  metrics: { sharpnessRatio: 1 },
  ...o,
});
const feed = (m: VerdictMachine, n: number, o: Partial<FrameSignals> = {}, ctx = {}) => Array.from({ length: n }, () => m.update(sig(o), ctx));

describe('VerdictMachine', () => {
  it('raises after 3 consecutive frames and clears after 3 clean ones', () => {
    const m = new VerdictMachine();
    const bad = { blur: true, metrics: { sharpnessRatio: 0.4 } };
    expect(feed(m, 2, bad).at(-1)!.active).toEqual([]);
    const third = m.update(sig(bad));
    expect(third.raised).toEqual(['blur']);
    expect(third.active[0]).toMatchObject({ condition: 'blur', frames: 3, actions: ['clean-lens'], metrics: { sharpnessRatio: 0.4 } });
    expect(feed(m, 2).at(-1)!.active.map((v) => v.condition)).toEqual(['blur']);
    expect(m.update(sig()).cleared).toEqual(['blur']);
  });

  it('a clean frame restarts the count; unjudged frames count neither way', () => {
    const m = new VerdictMachine();
    feed(m, 2, { blur: true });
    m.update(sig());
    feed(m, 2, { blur: true });
    feed(m, 5, { blur: null, fog: null, frozen: null });
    expect(m.update(sig({ blur: true })).raised).toEqual(['blur']);
  });

  it('blurred only with IR on while sharp by day: night blur, clean the cover', () => {
    const m = new VerdictMachine();
    feed(m, 4, { mode: 'day' });
    const night = feed(m, 3, { mode: 'night', blur: true }).at(-1)!;
    expect(night.raised).toEqual(['night-blur']);
    expect(night.active[0]).toMatchObject({ condition: 'night-blur', actions: ['clean-cover'] });
    // Sharp days do not clear it; sharp nights do.
    expect(feed(m, 5, { mode: 'day' }).at(-1)!.active.map((v) => v.condition)).toEqual(['night-blur']);
    expect(feed(m, 3, { mode: 'night' }).at(-1)!.cleared).toEqual(['night-blur']);
  });

  it('blurred by day and by night (or with no day picture to tell): lens blur', () => {
    const m = new VerdictMachine();
    feed(m, 3, { mode: 'day', blur: true });
    const r = feed(m, 3, { mode: 'night', blur: true }).at(-1)!;
    expect(r.active.map((v) => v.condition)).toEqual(['blur']);
    const fresh = new VerdictMachine();
    expect(feed(fresh, 3, { mode: 'night', blur: true }).at(-1)!.raised).toEqual(['blur']);
    const borderline = new VerdictMachine();
    feed(borderline, 3, { mode: 'day', clearlySharp: false });
    expect(feed(borderline, 3, { mode: 'night', blur: true }).at(-1)!.raised).toEqual(['blur']);
  });

  it('sudden blur with other symptoms: reboot first', () => {
    const m = new VerdictMachine();
    const r = feed(m, 3, { blur: true, suddenBlur: true }, { otherConditions: ['stream-down'] }).at(-1)!;
    expect(r.active[0]!.actions).toEqual(['reboot', 'clean-lens']);
    const quiet = new VerdictMachine();
    expect(feed(quiet, 3, { blur: true, suddenBlur: true }).at(-1)!.active[0]!.actions).toEqual(['clean-lens']);
  });

  it('fog after a power cycle is expected to clear and escalates only after 3 days', () => {
    const m = new VerdictMachine();
    const powerCycledAt = clock;
    const first = feed(m, 3, { fog: true }, { powerCycledAt }).at(-1)!.active[0]!;
    expect(first).toMatchObject({ condition: 'fog', expected: true, escalated: false, actions: ['wait-condensation'] });
    expect(Date.parse(first.clearBy!) - Date.parse(first.since)).toBe(72 * HOUR);
    clock += 72 * HOUR;
    const later = m.update(sig({ fog: true })).active[0]!;
    expect(later).toMatchObject({ escalated: true, actions: ['clean-lens', 'request-exchange'] });
  });

  it('fog without a recent power cycle is escalated at once', () => {
    const m = new VerdictMachine();
    const v = feed(m, 3, { fog: true }, { powerCycledAt: clock - 10 * 24 * HOUR }).at(-1)!.active[0]!;
    expect(v).toMatchObject({ expected: false, escalated: true, actions: ['wait-condensation', 'clean-lens'] });
  });

  it('black: reboot, then exchange; frozen: reboot', () => {
    const m = new VerdictMachine();
    expect(feed(m, 3, { black: true, blur: null, fog: null, frozen: null }).at(-1)!.active[0]).toMatchObject({ condition: 'black', actions: ['reboot', 'request-exchange'] });
    const f = new VerdictMachine();
    expect(feed(f, 3, { frozen: true }).at(-1)!.active[0]).toMatchObject({ condition: 'frozen', actions: ['reboot'] });
  });

  it('survives JSON', () => {
    const m = new VerdictMachine();
    feed(m, 2, { blur: true });
    const copy = VerdictMachine.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(copy.update(sig({ blur: true })).raised).toEqual(['blur']);
    expect(VerdictMachine.fromJSON({ v: 1 }).active(clock)).toEqual([]);
  });
});
