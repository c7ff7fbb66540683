// Sequence evaluation: a simulated camera per scene and scenario — days and IR nights of ordinary, varying
// frames, then a fault, then the repair — fed through ImageMonitor (baseline + hysteresis). Frames are measured
// once into pools (each pool item is a distinct JPEG) and replayed from the pools, so weeks cost little.
import { ImageMonitor } from '../../agent/src/image/monitor.ts';
import { frameMetrics, type FrameMetrics } from '../../agent/src/image/metrics.ts';
import type { ImageCondition } from '../../agent/src/image/verdicts.ts';
import * as d from './degrade.ts';
import { mapLimit } from './limit.ts';
import { SCENES, type Scene } from './scenes.ts';

// Small frames (the analysis size itself): the single-frame set covers measuring at camera resolution; this part
// tests the baseline and the hysteresis over weeks, so it keeps the image work small.
const W = 640;
const H = 360;
/** Blur strengths are given for a 1280-wide frame, like the single-frame set. */
const px = (sigmaAt1280: number): number => (sigmaAt1280 * W) / 1280;
export const RAMP = [0, 1.5, 2.25, 3, 4.5] as const;

export interface Pools {
  scene: string;
  day: FrameMetrics[];
  night: FrameMetrics[];
  staticDay: FrameMetrics[];
  staticNight: FrameMetrics[];
  dayBlur: FrameMetrics[];
  nightBlur: FrameMetrics[];
  nightGlow: FrameMetrics[];
  dayFog: FrameMetrics[];
  nightFog: FrameMetrics[];
  black: FrameMetrics[];
  /** Lens dirt building up: two day and two night frames at each RAMP blur. */
  dirtDay: FrameMetrics[][];
  dirtNight: FrameMetrics[][];
}

export async function buildPools(scene: Scene, donor: Scene, seed: number): Promise<Pools> {
  const base = await d.loadScene(scene.file, W, H);
  const other = await d.loadScene(donor.file, W, H);
  let n = seed;
  const m = async (raw: d.Raw | Promise<d.Raw>, q = 80) => frameMetrics(await d.jpeg(await raw, q));
  /** A working camera's day frame: noise, sometimes people, a pixel of wobble, exposure drifting a little. */
  const liveDay = async (i: number) =>
    d.noise(await d.people(d.shift(d.exposure(base, 0.85 + 0.05 * (i % 7)), i % 3, (i >> 1) % 2), other, i % 3, ++n), 2.5, ++n);
  const liveNight = async (i: number) => d.irNight(await d.people(base, other, i % 2, ++n), ++n);
  const times = <T>(k: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: k }, (_, i) => f(i)));
  const dayRaw = await times(6, liveDay);
  const nightRaw = await times(5, liveNight);
  return {
    scene: scene.id,
    day: await times(6, (i) => m(dayRaw[i]!, 70 + 3 * i)),
    night: await times(5, (i) => m(nightRaw[i]!)),
    staticDay: await times(3, () => m(d.noise(base, 1.5, ++n))),
    staticNight: await times(3, () => m(d.irNight(base, ++n))),
    dayBlur: await times(2, (i) => m(d.blur(dayRaw[i]!, px(4)))),
    nightBlur: await times(2, (i) => m(d.blur(nightRaw[i]!, px(4)))),
    nightGlow: await times(2, (i) => m(d.dirtyCoverGlow(nightRaw[i]!, 0.6))),
    dayFog: await times(2, async (i) => m(d.haze(dayRaw[i]!, 0.55))),
    nightFog: await times(2, async (i) => m(d.haze(nightRaw[i]!, 0.55, [150, 150, 150]))),
    black: await times(2, () => m(d.toBlack(base, 0.02, 2, ++n))),
    dirtDay: await Promise.all(RAMP.map((s, i) => times(2, (k) => m(s ? d.blur(dayRaw[(i + k) % 6]!, px(s)) : dayRaw[(i + k) % 6]!)))),
    dirtNight: await Promise.all(RAMP.map((s, i) => times(2, (k) => m(s ? d.blur(nightRaw[(i + k) % 5]!, px(s)) : nightRaw[(i + k) % 5]!)))),
  };
}

export interface Scenario {
  name: string;
  /** The condition the fault must raise (null: none may be raised at all). */
  expect: ImageCondition | null;
  healthyDays: number;
  faultDays: number;
  repairDays: number;
  stepMinutes: number;
  frame: (p: Pools, phase: 'healthy' | 'fault' | 'repair', night: boolean, pick: (pool: FrameMetrics[]) => FrameMetrics, dayIndex: number) => FrameMetrics;
  powerCycledBeforeFault?: boolean;
  /** A frozen fault repeats one picture: the same metrics, fingerprint and all. */
}

const healthy = (p: Pools, night: boolean, pick: (pool: FrameMetrics[]) => FrameMetrics) => pick(night ? p.night : p.day);
/** Faults begin at noon, after three and a half healthy days (long enough for both baselines to warm up). */
const base = { healthyDays: 3.5, faultDays: 2, repairDays: 1, stepMinutes: 30 };

export const SCENARIOS: readonly Scenario[] = [
  { name: 'healthy', expect: null, ...base, frame: (p, _ph, night, pick) => healthy(p, night, pick) },
  { name: 'static-room', expect: null, ...base, frame: (p, _ph, night, pick) => pick(night ? p.staticNight : p.staticDay) },
  { name: 'lens-blur', expect: 'blur', ...base, frame: (p, ph, night, pick) => (ph === 'fault' ? pick(night ? p.nightBlur : p.dayBlur) : healthy(p, night, pick)) },
  { name: 'dirty-cover', expect: 'night-blur', ...base, frame: (p, ph, night, pick) => (ph === 'fault' && night ? pick(p.nightGlow) : healthy(p, night, pick)) },
  { name: 'fog-after-power-cycle', expect: 'fog', ...base, faultDays: 4, powerCycledBeforeFault: true, frame: (p, ph, night, pick) => (ph === 'fault' ? pick(night ? p.nightFog : p.dayFog) : healthy(p, night, pick)) },
  { name: 'fog', expect: 'fog', ...base, frame: (p, ph, night, pick) => (ph === 'fault' ? pick(night ? p.nightFog : p.dayFog) : healthy(p, night, pick)) },
  { name: 'frozen', expect: 'frozen', ...base, faultDays: 0.25, frame: (p, ph, night, pick) => (ph === 'fault' ? p.day[0]! : healthy(p, night, pick)) },
  { name: 'black', expect: 'black', ...base, faultDays: 0.5, frame: (p, ph, night, pick) => (ph === 'fault' ? pick(p.black) : healthy(p, night, pick)) },
  {
    name: 'slow-dirt',
    expect: 'blur',
    healthyDays: 5.5,
    faultDays: 42,
    repairDays: 1,
    stepMinutes: 180,
    frame: (p, ph, night, pick, day) => {
      if (ph !== 'fault') return healthy(p, night, pick);
      const level = Math.min(RAMP.length - 1, Math.floor((day / 42) * RAMP.length));
      return pick((night ? p.dirtNight : p.dirtDay)[level]!);
    },
  },
];

export interface ScenarioResult {
  scene: string;
  scenario: string;
  expect: ImageCondition | null;
  raised: ImageCondition[];
  /** Hours from the start of the fault to the expected verdict. */
  detectHours: number | null;
  clearedAfterRepair: boolean;
  ok: boolean;
  notes: string[];
}

const START = Date.parse('2026-03-02T00:00:00+09:00');
const HOUR = 3_600_000;

/** Daytime 07:00–17:00 Japan time; IR on otherwise. */
const isNight = (t: number): boolean => {
  const h = new Date(t + 9 * HOUR).getUTCHours();
  return h < 7 || h >= 17;
};

export function runScenario(pools: Pools, s: Scenario, seed: number): ScenarioResult {
  const monitor = new ImageMonitor({ thumbnail: false });
  let state = seed >>> 0;
  let lastPick: FrameMetrics | undefined;
  const pick = (pool: FrameMetrics[]): FrameMetrics => {
    let f: FrameMetrics;
    do {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      f = pool[(state >>> 8) % pool.length]!;
    } while (f === lastPick && pool.length > 1);
    return f;
  };
  const faultStart = START + s.healthyDays * 24 * HOUR;
  const repairStart = faultStart + s.faultDays * 24 * HOUR;
  const end = repairStart + s.repairDays * 24 * HOUR;
  const everRaised = new Set<ImageCondition>();
  let detectAt: number | null = null;
  let activeAtRepairEnd: ImageCondition[] = [];
  const notes: string[] = [];
  for (let t = START; t < end; t += s.stepMinutes * 60_000) {
    const phase = t < faultStart ? 'healthy' : t < repairStart ? 'fault' : 'repair';
    const night = isNight(t);
    const frame = s.frame(pools, phase, night, pick, (t - faultStart) / (24 * HOUR));
    lastPick = frame;
    const context = s.powerCycledBeforeFault ? { powerCycledAt: faultStart - HOUR } : {};
    const o = monitor.observeMetrics(frame, { at: t, night, context });
    for (const c of o.raised) {
      everRaised.add(c);
      if (c === s.expect && detectAt === null && phase === 'fault') detectAt = t;
      if (c !== s.expect) notes.push(`${c} raised at ${phase} +${((t - START) / HOUR).toFixed(1)} h`);
    }
    if (s.name.startsWith('fog') && phase === 'fault') checkFog(s, o.verdicts, t, faultStart, notes);
    activeAtRepairEnd = o.conditions;
  }
  const raised = [...everRaised];
  const clearedAfterRepair = activeAtRepairEnd.length === 0;
  if (!clearedAfterRepair) notes.push(`still active after the repair: ${activeAtRepairEnd.join(', ')}`);
  const wrong = raised.filter((c) => c !== s.expect);
  const ok = wrong.length === 0 && (s.expect === null || detectAt !== null) && clearedAfterRepair && !notes.some((n) => n.startsWith('fog:'));
  return {
    scene: pools.scene,
    scenario: s.name,
    expect: s.expect,
    raised,
    detectHours: detectAt === null ? null : (detectAt - faultStart) / HOUR,
    clearedAfterRepair,
    ok,
    notes,
  };
}

/** DOMAIN §3.2: after a power cycle, fog is expected and escalates only after 3 days; otherwise at once. */
function checkFog(s: Scenario, verdicts: { condition: string; escalated?: boolean; expected?: boolean; since: string }[], t: number, faultStart: number, notes: string[]): void {
  const fog = verdicts.find((v) => v.condition === 'fog');
  if (!fog) return;
  const age = t - Date.parse(fog.since);
  const shouldEscalate = !s.powerCycledBeforeFault || age >= 72 * HOUR;
  if (fog.escalated !== shouldEscalate && !notes.some((n) => n.startsWith('fog:'))) {
    notes.push(`fog: escalated=${fog.escalated} at ${((t - faultStart) / HOUR).toFixed(1)} h into the fault (expected ${shouldEscalate})`);
  }
}

export interface SequenceScore {
  rows: { condition: ImageCondition; expected: number; detected: number; falseRaises: number; precision: number; recall: number }[];
  scenarios: { scenario: string; passed: number; total: number; medianDetectHours: number | null }[];
  failures: ScenarioResult[];
  passed: number;
  total: number;
}

/** Episode-level precision and recall: a scenario is one episode per scene. */
export function scoreSequences(results: ScenarioResult[]): SequenceScore {
  const conditions: ImageCondition[] = ['blur', 'night-blur', 'fog', 'frozen', 'black'];
  const rows = conditions.map((condition) => {
    const expected = results.filter((r) => r.expect === condition).length;
    const detected = results.filter((r) => r.expect === condition && r.detectHours !== null).length;
    const falseRaises = results.filter((r) => r.expect !== condition && r.raised.includes(condition)).length;
    const precision = detected + falseRaises ? detected / (detected + falseRaises) : 1;
    return { condition, expected, detected, falseRaises, precision, recall: expected ? detected / expected : 1 };
  });
  const names = [...new Set(results.map((r) => r.scenario))];
  const scenarios = names.map((scenario) => {
    const rs = results.filter((r) => r.scenario === scenario);
    const hours = rs.flatMap((r) => (r.detectHours === null ? [] : [r.detectHours])).sort((a, b) => a - b);
    return { scenario, passed: rs.filter((r) => r.ok).length, total: rs.length, medianDetectHours: hours.length ? hours[hours.length >> 1]! : null };
  });
  const failures = results.filter((r) => !r.ok);
  return { rows, scenarios, failures, passed: results.length - failures.length, total: results.length };
}

export function formatSequenceScore(s: SequenceScore): string {
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  return [
    '| verdict | episodes with the fault | raised | raised without the fault | precision | recall |',
    '|---|---|---|---|---|---|',
    ...s.rows.map((r) => `| ${r.condition} | ${r.expected} | ${r.detected} | ${r.falseRaises} | ${pct(r.precision)} | ${pct(r.recall)} |`),
    '',
    '| scenario | scenes passed | median time to verdict |',
    '|---|---|---|',
    ...s.scenarios.map((r) => `| ${r.scenario} | ${r.passed}/${r.total} | ${r.medianDetectHours === null ? '—' : `${r.medianDetectHours.toFixed(1)} h`} |`),
    ...s.failures.map((f) => `  FAILED ${f.scene}/${f.scenario}: raised [${f.raised.join(', ')}] ${f.notes.join('; ')}`),
  ].join('\n');
}

/** Every scenario on every scene, two scenes' pools built at a time. */
export async function evaluateSequences(scenes: readonly Scene[] = SCENES): Promise<ScenarioResult[]> {
  const perScene = await mapLimit([...scenes.entries()], 2, async ([i, scene]) => {
    const pools = await buildPools(scene, scenes[(i + 3) % scenes.length]!, 500 + i);
    return SCENARIOS.map((s) => runScenario(pools, s, 99 + i));
  });
  return perScene.flat();
}
