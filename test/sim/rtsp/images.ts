// The still scenes the RTSP simulator streams, made with sharp before GStreamer starts: the scene itself
// (normal / frozen), a defocused copy (blur), a hazed copy (fog) and black. All PNG, one size.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const DEFAULT_WIDTH = 640;
export const DEFAULT_HEIGHT = 360;

export interface SceneSize {
  width: number;
  height: number;
}

/** A synthetic street-ish scene with hard edges and text, so blur and fog visibly change it. */
function defaultScene(width: number, height: number): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 640 360">
    <rect width="640" height="360" fill="#6f8fa8"/><rect y="220" width="640" height="140" fill="#555"/>
    <rect x="40" y="60" width="150" height="160" fill="#c8b89a"/><rect x="220" y="30" width="120" height="190" fill="#9aa3ad"/>
    ${Array.from({ length: 12 }, (_, i) => `<rect x="${60 + (i % 3) * 40}" y="${80 + Math.floor(i / 3) * 35}" width="22" height="20" fill="#234"/>`).join('')}
    ${Array.from({ length: 8 }, (_, i) => `<rect x="${i * 84}" y="286" width="44" height="8" fill="#eee"/>`).join('')}
    <circle cx="470" cy="150" r="60" fill="#d33"/><text x="380" y="250" font-family="sans-serif" font-size="34" fill="#fff">CAMFLEET 123</text>
  </svg>`;
  return Buffer.from(svg);
}

/**
 * Writes normal.png, blur.png, fog.png and black.png into `dir`. A given image is scaled to cover the
 * size; dimensions are made even (the H.264 encoder's 4:2:0 chroma needs them even).
 */
export async function writeScenes(dir: string, opts: { image?: string | Buffer; width?: number; height?: number }): Promise<SceneSize> {
  let width = opts.width;
  let height = opts.height;
  if (opts.image && (!width || !height)) {
    const meta = await sharp(opts.image).metadata();
    width ??= meta.width;
    height ??= meta.height;
  }
  width = Math.max(2, Math.floor((width ?? DEFAULT_WIDTH) / 2) * 2);
  height = Math.max(2, Math.floor((height ?? DEFAULT_HEIGHT) / 2) * 2);
  const scene = await sharp(opts.image ?? defaultScene(width, height))
    .resize(width, height, { fit: 'cover' })
    .flatten({ background: '#000' })
    .png()
    .toBuffer();
  const file = (name: string) => path.join(dir, `${name}.png`);
  await writeFile(file('normal'), scene);
  // Defocus: a Gaussian about 1/80 of the width (8 px at 640) wipes out edges and text.
  await sharp(scene).blur(Math.max(2, width / 80)).png().toFile(file('blur'));
  // Fog: the haze model I = J·t + A·(1 − t) with t = 0.35 under a light grey airlight (A = 215) — a veil, not a
  // defocus. (It used to be softened by a 1.2 px Gaussian as well; on this perfectly sharp synthetic scene that
  // alone measures as clear blur — sharpness ratio ≈ 0.6, docs/image-health.md §3 — so `fog` was also a blur mode.)
  await sharp(scene).linear(0.35, 0.65 * 215).png().toFile(file('fog'));
  await sharp({ create: { width, height, channels: 3, background: '#000' } }).png().toFile(file('black'));
  return { width, height };
}
