// The labelled single-frame set: for each scene a clean day reference and a clean IR-night reference, and
// frames with controlled degradations (labelled with the verdicts they must raise) or harmless changes (which
// must raise none). Built in memory at test time; `npx tsx test/image-eval/run.ts --write DIR` saves it.
import * as d from './degrade.ts';
import type { Scene } from './scenes.ts';

export const FRAME_WIDTH = 1280;
export const FRAME_HEIGHT = 720;

export const VERDICTS = ['blur', 'fog', 'black', 'frozen', 'nightBlur'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** clear: a degradation an operator would call at a glance (the target applies); mild: reported, no target. */
export type Severity = 'harmless' | 'clear' | 'mild';

export interface Item {
  scene: string;
  name: string;
  severity: Severity;
  night: boolean;
  expected: Verdict[];
  frame: Buffer;
}

export interface SceneSet {
  scene: Scene;
  dayReference: Buffer;
  nightReference: Buffer;
  items: Item[];
}

/** Scale a blur given for a 1280-wide frame to the frame's own width. */
const px = (sigmaAt1280: number): number => (sigmaAt1280 * FRAME_WIDTH) / 1280;

export async function buildSceneSet(scene: Scene, donor: Scene, seed: number): Promise<SceneSet> {
  const day = await d.loadScene(scene.file, FRAME_WIDTH, FRAME_HEIGHT);
  const other = await d.loadScene(donor.file, FRAME_WIDTH, FRAME_HEIGHT);
  const night = await d.irNight(day, seed);
  const dayReference = await d.jpeg(day);
  const nightReference = await d.jpeg(night);
  const items: Item[] = [];
  const add = async (name: string, severity: Severity, isNight: boolean, expected: Verdict[], raw: d.Raw | Promise<d.Raw>, quality = 85) => {
    items.push({ scene: scene.id, name, severity, night: isNight, expected, frame: await d.jpeg(await raw, quality) });
  };

  // Harmless by day: what a working camera's pictures do from one grab to the next.
  await add('jpeg-q25', 'harmless', false, [], day, 25);
  await add('jpeg-twice', 'harmless', false, [], d.loadJpeg(await d.jpeg(day, 40)), 70);
  await add('darker-0.7', 'harmless', false, [], d.exposure(day, 0.7));
  await add('brighter-1.3', 'harmless', false, [], d.exposure(day, 1.3));
  await add('gamma-0.8', 'harmless', false, [], d.exposure(day, 1, 0.8));
  await add('gamma-1.25', 'harmless', false, [], d.exposure(day, 1, 1.25));
  await add('shift-3px', 'harmless', false, [], d.shift(day, 3, 2));
  await add('shift-6px', 'harmless', false, [], d.shift(day, -6, 4));
  await add('noise-4', 'harmless', false, [], d.noise(day, 4, seed + 1));
  await add('noise-8', 'harmless', false, [], d.noise(day, 8, seed + 2));
  await add('people-1', 'harmless', false, [], d.people(day, other, 1, seed + 3));
  await add('people-3', 'harmless', false, [], d.people(day, other, 3, seed + 4));
  await add('static-regrab', 'harmless', false, [], d.noise(day, 1.5, seed + 5));
  await add('mixed', 'harmless', false, [], d.noise(await d.people(d.shift(d.exposure(day, 1.1), 2, 1), other, 2, seed + 6), 3, seed + 7), 60);

  // Degradations by day.
  await add('blur-1.5px', 'mild', false, ['blur'], d.blur(day, px(1.5)));
  for (const s of [3, 5, 8]) await add(`blur-${s}px`, 'clear', false, ['blur'], d.blur(day, px(s)));
  await add('haze-t0.8', 'mild', false, ['fog'], d.haze(day, 0.8));
  for (const t of [0.6, 0.4]) await add(`haze-t${t}`, 'clear', false, ['fog'], d.haze(day, t));
  await add('black-dim', 'clear', false, ['black'], d.toBlack(day, 0.03, 2, seed + 8));
  await add('black-dead', 'clear', false, ['black'], d.toBlack(day, 0, 1, seed + 9));
  items.push({ scene: scene.id, name: 'same-picture', severity: 'clear', night: false, expected: ['frozen'], frame: dayReference });

  // Night, IR on: harmless changes, a dirty cover scattering the IR light, a blurred lens, IR gone dark.
  await add('night-regrab', 'harmless', true, [], d.irNight(day, seed + 10));
  await add('night-noise', 'harmless', true, [], d.noise(night, 4, seed + 11));
  await add('night-people', 'harmless', true, [], d.irNight(await d.people(day, other, 2, seed + 12), seed + 13));
  await add('night-darker', 'harmless', true, [], d.exposure(night, 0.8));
  await add('cover-glow-0.25', 'mild', true, ['blur', 'nightBlur'], d.dirtyCoverGlow(night, 0.25));
  for (const s of [0.5, 1]) await add(`cover-glow-${s}`, 'clear', true, ['blur', 'nightBlur'], d.dirtyCoverGlow(night, s));
  for (const s of [3, 5]) await add(`night-blur-${s}px`, 'clear', true, ['blur', 'nightBlur'], d.blur(night, px(s)));
  await add('night-black', 'clear', true, ['black'], d.toBlack(night, 0.02, 2, seed + 14));

  return { scene, dayReference, nightReference, items };
}
