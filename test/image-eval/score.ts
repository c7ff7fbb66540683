// Scores the single-frame set: every item through analyzeAgainstReference (the code behind
// `camfleet-agent analyze`), predicted verdicts against labels, precision and recall per verdict.
import { analyzeAgainstReference } from '../../agent/src/image/compare.ts';
import { frameMetrics } from '../../agent/src/image/metrics.ts';
import { mapLimit } from './limit.ts';
import { SCENES, type Scene } from './scenes.ts';
import { buildSceneSet, VERDICTS, type Item, type Severity, type Verdict } from './set.ts';

export interface ItemResult {
  scene: string;
  name: string;
  severity: Severity;
  night: boolean;
  expected: Verdict[];
  predicted: Verdict[];
  correct: boolean;
  metrics: Record<string, number>;
}

/** Builds and judges every scene's items, two scenes at a time (sharp works off the main thread). */
export async function evaluateFrames(scenes: readonly Scene[] = SCENES): Promise<ItemResult[]> {
  const perScene = await mapLimit([...scenes.entries()], 2, async ([i, scene]) => {
    const donor = scenes[(i + 3) % scenes.length]!;
    const set = await buildSceneSet(scene, donor, 1000 + i * 97);
    const day = await frameMetrics(set.dayReference);
    const night = await frameMetrics(set.nightReference);
    const out: ItemResult[] = [];
    for (const item of set.items) out.push(await judge(item, item.night ? night : day));
    return out;
  });
  return perScene.flat();
}

async function judge(item: Item, reference: Awaited<ReturnType<typeof frameMetrics>>): Promise<ItemResult> {
  const analysis = analyzeAgainstReference(await frameMetrics(item.frame), reference, { night: item.night });
  const predicted = VERDICTS.filter((v) => analysis[v]);
  const correct = predicted.length === item.expected.length && predicted.every((v) => item.expected.includes(v));
  const { frame: _frame, ...rest } = item;
  return { ...rest, predicted, correct, metrics: analysis.metrics };
}

export interface VerdictScore {
  verdict: Verdict;
  positives: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
}

export interface FrameScore {
  verdicts: VerdictScore[];
  /** Share of clear degradations whose verdicts were exactly right. */
  clearAccuracy: number;
  clearCount: number;
  /** Harmless frames that raised anything. */
  falseAlarms: ItemResult[];
  harmlessCount: number;
  mildAccuracy: number;
  mildCount: number;
  misses: ItemResult[];
  /** The closest calls: worst harmless value against the worst clear degradation, per deciding metric. */
  margins: { metric: string; harmless: number; degraded: number }[];
}

/** Precision and recall over the harmless and the clear items (mild ones are scored apart). */
export function scoreFrames(results: ItemResult[]): FrameScore {
  const scored = results.filter((r) => r.severity !== 'mild');
  const verdicts = VERDICTS.map((verdict): VerdictScore => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (const r of scored) {
      const want = r.expected.includes(verdict);
      const got = r.predicted.includes(verdict);
      if (want && got) tp++;
      else if (got) fp++;
      else if (want) fn++;
    }
    return { verdict, positives: tp + fn, tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1 };
  });
  const clear = results.filter((r) => r.severity === 'clear');
  const mild = results.filter((r) => r.severity === 'mild');
  const harmless = results.filter((r) => r.severity === 'harmless');
  return {
    verdicts,
    clearAccuracy: clear.filter((r) => r.correct).length / Math.max(1, clear.length),
    clearCount: clear.length,
    falseAlarms: harmless.filter((r) => r.predicted.length > 0),
    harmlessCount: harmless.length,
    mildAccuracy: mild.filter((r) => r.correct).length / Math.max(1, mild.length),
    mildCount: mild.length,
    misses: clear.filter((r) => !r.correct),
    margins: [
      margin('sharpnessRatio', harmless, clear.filter((r) => r.expected.includes('blur'))),
      margin('clarityRatio', harmless.filter((r) => !r.night), clear.filter((r) => r.expected.includes('fog'))),
    ],
  };
}

/** Lowest value among harmless frames and highest among the degraded ones (lower means worse for both). */
function margin(metric: string, harmless: ItemResult[], degraded: ItemResult[]): { metric: string; harmless: number; degraded: number } {
  const values = (rs: ItemResult[]) => rs.map((r) => r.metrics[metric] ?? Number.NaN).filter(Number.isFinite);
  return { metric, harmless: Math.min(...values(harmless)), degraded: Math.max(...values(degraded)) };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

export function formatFrameScore(s: FrameScore): string {
  const lines = [
    '| verdict | labelled | TP | FP | FN | precision | recall |',
    '|---|---|---|---|---|---|---|',
    ...s.verdicts.map((v) => `| ${v.verdict} | ${v.positives} | ${v.tp} | ${v.fp} | ${v.fn} | ${pct(v.precision)} | ${pct(v.recall)} |`),
    '',
    `clear degradations exactly right: ${pct(s.clearAccuracy)} of ${s.clearCount}; ` +
      `harmless changes raising anything: ${s.falseAlarms.length} of ${s.harmlessCount}; ` +
      `mild degradations exactly right: ${pct(s.mildAccuracy)} of ${s.mildCount}`,
    ...s.margins.map((m) => `closest calls, ${m.metric}: lowest on a harmless frame ${m.harmless.toFixed(3)}, highest on a clear degradation ${m.degraded.toFixed(3)}`),
  ];
  for (const r of [...s.misses, ...s.falseAlarms]) {
    lines.push(`  ${r.severity} ${r.scene}/${r.name}: expected [${r.expected.join(', ')}], got [${r.predicted.join(', ')}] ${JSON.stringify(r.metrics)}`);
  }
  return lines.join('\n');
}
