// The photographs the evaluation set is built from: ordinary scenes shipped, freely licensed, in two Debian
// packages (no download at test time). docs/image-health.md lists the licences.
import { existsSync } from 'node:fs';

export interface Scene {
  id: string;
  file: string;
  kind: 'room' | 'street' | 'shop' | 'nature';
  licence: string;
}

const LOMIRI = '/usr/share/backgrounds';
const PALAPELI = '/usr/share/palapeli/collection';

/** Debian packages that ship the photographs; scripts/install-test-deps.sh installs them. */
export const SCENE_PACKAGES = ['lomiri-wallpapers-16.04', 'palapeli-data'] as const;

export const SCENES: readonly Scene[] = [
  { id: 'living-room', file: `${LOMIRI}/Wine_by_Jakkub_Mede.jpg`, kind: 'room', licence: 'CC-BY-4.0, Jakub Mede' },
  { id: 'house-door', file: `${LOMIRI}/friends_by_Aitzol_Berasategi.jpg`, kind: 'street', licence: 'CC-BY-4.0, Aitzol Berasategi' },
  { id: 'castle-street', file: `${PALAPELI}/castle-maintenon.jpg`, kind: 'street', licence: 'GFDL, Eric Pouhier' },
  { id: 'city-bridge-night', file: `${PALAPELI}/cincinnati-bridge.jpg`, kind: 'street', licence: 'public domain, Derek Jensen' },
  { id: 'paint-shop-shelf', file: `${LOMIRI}/Picture_1A_by_freespace.jpg`, kind: 'shop', licence: 'CC-BY-4.0, Trevor "Freespace"' },
  { id: 'fruit-stand', file: `${PALAPELI}/citrus-fruits.jpg`, kind: 'shop', licence: 'public domain, US Department of Agriculture' },
  { id: 'counter-top', file: `${LOMIRI}/Picture_0B_by_freespace.jpg`, kind: 'shop', licence: 'CC-BY-4.0, Trevor "Freespace"' },
  { id: 'meadow-hills', file: `${LOMIRI}/aitzgorri_by_Aitzol_Berasategi.jpg`, kind: 'nature', licence: 'CC-BY-4.0, Aitzol Berasategi' },
  { id: 'mountain-path', file: `${LOMIRI}/picosdeeuropa_by_Aitzol_Berasategi.jpg`, kind: 'nature', licence: 'CC-BY-4.0, Aitzol Berasategi' },
  { id: 'forest-stream', file: `${LOMIRI}/life_by_Aitzol_Berasategi.jpg`, kind: 'nature', licence: 'CC-BY-4.0, Aitzol Berasategi' },
  { id: 'low-sun', file: `${LOMIRI}/sunset_by_Aitzol_Berasategi.jpg`, kind: 'nature', licence: 'CC-BY-4.0, Aitzol Berasategi' },
];

/** Scenes whose photograph is missing, with the packages to install, or null when all are present. */
export function missingScenes(): string | null {
  const missing = SCENES.filter((s) => !existsSync(s.file)).map((s) => s.file);
  if (missing.length === 0) return null;
  return `missing photographs for the image evaluation (${missing.join(', ')}); install the Debian packages ` +
    `${SCENE_PACKAGES.join(' ')} (scripts/install-test-deps.sh)`;
}
