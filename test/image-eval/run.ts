// Prints the evaluation tables (docs/image-health.md quotes them):
//   npx tsx test/image-eval/run.ts               both parts
//   npx tsx test/image-eval/run.ts --write DIR   also saves the single-frame set as JPEG files in DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCENES, missingScenes } from './scenes.ts';
import { evaluateFrames, formatFrameScore, scoreFrames } from './score.ts';
import { evaluateSequences, formatSequenceScore, scoreSequences } from './sequences.ts';
import { buildSceneSet } from './set.ts';

const missing = missingScenes();
if (missing) {
  console.error(missing);
  process.exit(1);
}
const writeAt = process.argv.indexOf('--write');
if (writeAt > 0) {
  const dir = process.argv[writeAt + 1] ?? 'image-eval-set';
  for (const [i, scene] of SCENES.entries()) {
    const set = await buildSceneSet(scene, SCENES[(i + 3) % SCENES.length]!, 1000 + i * 97);
    const sub = join(dir, scene.id);
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'reference-day.jpg'), set.dayReference);
    writeFileSync(join(sub, 'reference-night.jpg'), set.nightReference);
    for (const item of set.items) writeFileSync(join(sub, `${item.severity}--${item.name}--expect-${item.expected.join('+') || 'none'}.jpg`), item.frame);
  }
  console.log(`set written to ${dir}`);
}
let t = Date.now();
console.log(`## Single frames against a reference (${SCENES.length} scenes, 1280×720)\n`);
console.log(formatFrameScore(scoreFrames(await evaluateFrames())));
console.log(`\n(${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
t = Date.now();
console.log('## Sequences through the baseline and the hysteresis\n');
console.log(formatSequenceScore(scoreSequences(await evaluateSequences())));
console.log(`\n(${((Date.now() - t) / 1000).toFixed(1)} s)`);
