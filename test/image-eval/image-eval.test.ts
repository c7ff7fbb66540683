// The image-health evaluation (issue 6 §5): real photographs with controlled degradations and harmless changes,
// judged frame by frame against a reference and as sequences through the per-camera baseline. Fails when the
// accuracy on clear degradations drops below 95 % or any harmless change raises a verdict.
import { describe, expect, it } from 'vitest';
import { missingScenes } from './scenes.ts';
import { evaluateFrames, formatFrameScore, scoreFrames } from './score.ts';
import { evaluateSequences, formatSequenceScore, scoreSequences } from './sequences.ts';

const TARGET = 0.95;

describe('image health evaluation', () => {
  it('has its photographs (Debian packages lomiri-wallpapers-16.04 and palapeli-data)', () => {
    expect(missingScenes()).toBeNull();
  });

  it('single frames: ≥ 95 % of clear degradations right, no false alarm on harmless changes', { timeout: 300_000 }, async () => {
    const score = scoreFrames(await evaluateFrames());
    console.log(`image evaluation, single frames\n${formatFrameScore(score)}`);
    expect(score.clearCount).toBeGreaterThan(100);
    expect(score.clearAccuracy).toBeGreaterThanOrEqual(TARGET);
    for (const v of score.verdicts) expect(v.recall, `${v.verdict} recall`).toBeGreaterThanOrEqual(TARGET);
    expect(score.falseAlarms.map((r) => `${r.scene}/${r.name}: ${r.predicted.join(',')}`)).toEqual([]);
  });

  it('sequences: every fault raised, nothing raised on healthy or static cameras, verdicts clear after repair', { timeout: 300_000 }, async () => {
    const score = scoreSequences(await evaluateSequences());
    console.log(`image evaluation, sequences\n${formatSequenceScore(score)}`);
    for (const r of score.rows) {
      expect(r.recall, `${r.condition} recall`).toBeGreaterThanOrEqual(TARGET);
      expect(r.falseRaises, `${r.condition} raised without the fault`).toBe(0);
    }
    expect(score.passed / score.total).toBeGreaterThanOrEqual(TARGET);
  });
});
