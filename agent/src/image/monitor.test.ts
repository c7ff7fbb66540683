import { AgentEventSchema, DeviceSampleSchema } from '@camfleet/shared';
import { Value } from '@sinclair/typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import { analysisEventData, sampleFields } from './index.ts';
import { frameMetrics, type FrameMetrics } from './metrics.ts';
import { ImageMonitor } from './monitor.ts';
import { syntheticFrame, type SyntheticOptions } from './synthetic.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T01:00:00Z');
const shot = (o: SyntheticOptions = {}) => syntheticFrame(11, { width: 640, height: 360, noise: 3, ...o });
let clean: FrameMetrics[];

beforeAll(async () => {
  clean = await Promise.all(Array.from({ length: 14 }, async (_, i) => frameMetrics(await shot({ noiseSeed: i + 1 }))));
});

/** Feeds the clean frames (warm-up), five minutes apart, daytime. Returns the time after the last one. */
function warm(m: ImageMonitor, t = T0): number {
  for (const f of clean.slice(0, 12)) m.observeMetrics(f, { at: (t += 5 * MIN), night: false });
  return t;
}

describe('ImageMonitor', () => {
  it('warms up, then raises blur after three blurred frames, in telemetry shape', async () => {
    const m = new ImageMonitor();
    const first = m.observeMetrics(clean[0]!, { at: T0, night: false });
    expect(first).toMatchObject({ judged: false, warmingUp: true, conditions: [] });
    let t = warm(m, T0);
    expect(m.observeMetrics(clean[12]!, { at: (t += 5 * MIN), night: false }).judged).toBe(true);
    const blurred = await Promise.all([21, 22, 23].map(async (s) => frameMetrics(await shot({ blur: 4, noiseSeed: s }))));
    const obs = blurred.map((f) => m.observeMetrics(f, { at: (t += 5 * MIN), night: false }));
    expect(obs.map((o) => o.raised)).toEqual([[], [], ['blur']]);
    const last = obs[2]!;
    expect(last.verdicts[0]).toMatchObject({ condition: 'blur', actions: ['clean-lens'] });
    expect(last.verdicts[0]!.metrics.sharpnessRatio).toBeLessThan(0.75);
    const sample = { device: 'cam1', at: last.at, reachable: true, ...sampleFields(last) };
    expect(Value.Check(DeviceSampleSchema, sample)).toBe(true);
    expect(sample.conditions).toEqual(['blur']);
    const event = { v: 1, site: 's1', agent: 'a', seq: 1, at: last.at, kind: 'analysis', device: 'cam1', data: analysisEventData(last) };
    expect(Value.Check(AgentEventSchema, event)).toBe(true);
  });

  it('skips and counts frames unfit to judge; black is judged regardless', async () => {
    const m = new ImageMonitor();
    let t = warm(m);
    const dim = await frameMetrics(await shot({ gain: 0.15 }));
    expect(m.observeMetrics(dim, { at: (t += 5 * MIN), night: false })).toMatchObject({ skipped: 'too-dark', judged: false });
    const bright = await frameMetrics(await shot({ gain: 1, noiseSeed: 40 }));
    expect(m.observeMetrics(bright, { at: (t += 5 * MIN), night: false }).skipped).toBe('exposure-changing');
    const black = await Promise.all([1, 2, 3].map(async (s) => frameMetrics(await shot({ gain: 0.02, noiseSeed: s }))));
    const obs = black.map((f) => m.observeMetrics(f, { at: (t += 5 * MIN), night: false }));
    expect(obs[2]!.raised).toEqual(['black']);
    expect(obs[2]!.counters).toMatchObject({ black: 3, skipped: { 'too-dark': 1, 'exposure-changing': 1 } });
  });

  it('the same picture grab after grab is frozen; a static scene with live noise is not', async () => {
    const m = new ImageMonitor();
    let t = warm(m);
    const still = clean[13]!;
    const obs = [1, 2, 3, 4].map(() => m.observeMetrics(still, { at: (t += 5 * MIN), night: false }));
    expect(obs.map((o) => o.raised).flat()).toEqual(['frozen']);
    expect(obs[3]!.verdicts[0]).toMatchObject({ condition: 'frozen', actions: ['reboot'] });

    const live = new ImageMonitor();
    let u = T0;
    for (const f of [...clean, ...clean]) expect(live.observeMetrics(f, { at: (u += 5 * MIN), night: false }).conditions).toEqual([]);
  });

  it('does not judge frozen between grabs seconds apart', () => {
    const m = new ImageMonitor();
    let t = warm(m);
    for (let i = 0; i < 5; i++) expect(m.observeMetrics(clean[13]!, { at: (t += 10_000), night: false }).conditions).toEqual([]);
  });

  it('infers night from a picture without colour, and keeps its baseline apart', async () => {
    const m = new ImageMonitor();
    const grey = await frameMetrics(await shot({ grey: true }));
    const o = m.observeMetrics(grey, { at: T0 });
    expect(o.mode).toBe('night');
    expect(o.metrics.imageNight).toBe(1);
  });

  it('carries on from its saved state', async () => {
    const m = new ImageMonitor();
    const t = warm(m);
    const restored = ImageMonitor.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    expect(restored.observeMetrics(clean[12]!, { at: t + 5 * MIN, night: false }).judged).toBe(true);
    expect(ImageMonitor.fromJSON('garbage').observeMetrics(clean[0]!, { at: t, night: false }).warmingUp).toBe(true);
  });

  it('observe() decodes, judges and adds a thumbnail', async () => {
    const o = await new ImageMonitor().observe(await shot(), { at: T0, night: false });
    expect(o.thumbnail).toMatchObject({ mime: 'image/jpeg', width: 320 });
    expect(o.thumbnail!.base64.length).toBeLessThanOrEqual(20_000);
  });
});
