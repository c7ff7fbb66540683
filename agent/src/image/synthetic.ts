// Synthetic camera pictures for the unit tests: a seeded clutter of shapes, lines and text drawn as SVG and
// rendered by sharp, with the usual degradations. (The evaluation in test/image-eval uses real photographs.)
import sharp from 'sharp';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 16:9 RGB picture with edges at many scales; the same seed gives the same picture. */
export async function syntheticScene(seed = 1, width = 1280, height = 720): Promise<Buffer> {
  const r = rng(seed);
  const colour = () => `rgb(${Math.floor(r() * 220) + 20},${Math.floor(r() * 220) + 20},${Math.floor(r() * 220) + 20})`;
  const shapes: string[] = [`<rect width="${width}" height="${height}" fill="${colour()}"/>`];
  for (let i = 0; i < 70; i++) {
    const x = r() * width;
    const y = r() * height;
    const w = 20 + r() * width * 0.25;
    const h = 20 + r() * height * 0.25;
    shapes.push(r() < 0.5 ? `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${colour()}"/>` : `<ellipse cx="${x}" cy="${y}" rx="${w / 2}" ry="${h / 2}" fill="${colour()}"/>`);
  }
  for (let i = 0; i < 120; i++) {
    shapes.push(`<line x1="${r() * width}" y1="${r() * height}" x2="${r() * width}" y2="${r() * height}" stroke="${colour()}" stroke-width="${1 + r() * 3}"/>`);
  }
  for (let i = 0; i < 12; i++) {
    shapes.push(`<text x="${r() * width * 0.8}" y="${30 + r() * (height - 30)}" font-size="${14 + r() * 30}" fill="${colour()}">CAMFLEET ${i}</text>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
  return sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
}

export interface SyntheticOptions {
  width?: number;
  height?: number;
  /** Gaussian blur sigma in pixels (0: none). */
  blur?: number;
  /** Haze transmission t in I = J·t + A·(1 − t) (1: none), airlight A = 230. */
  haze?: number;
  /** Multiplies every pixel (exposure). */
  gain?: number;
  /** Uniform noise amplitude ±levels, seeded by `noiseSeed`. */
  noise?: number;
  noiseSeed?: number;
  /** Grey picture (IR night). */
  grey?: boolean;
  format?: 'jpeg' | 'png';
  quality?: number;
}

/** The synthetic scene, degraded as asked, encoded as a camera would send it. */
export async function syntheticFrame(seed = 1, o: SyntheticOptions = {}): Promise<Buffer> {
  const width = o.width ?? 1280;
  const height = o.height ?? 720;
  const raw = { raw: { width, height, channels: 3 as const } };
  let pixels = await syntheticScene(seed, width, height);
  if (o.blur) pixels = await sharp(pixels, raw).blur(o.blur).raw().toBuffer();
  const t = o.haze ?? 1;
  const gain = o.gain ?? 1;
  const noise = o.noise ?? 0;
  const r = rng(o.noiseSeed ?? 99);
  const out = Buffer.alloc(pixels.length);
  for (let p = 0; p < pixels.length; p += 3) {
    const n = noise ? (r() * 2 - 1) * noise : 0;
    const grey = 0.299 * pixels[p]! + 0.587 * pixels[p + 1]! + 0.114 * pixels[p + 2]!;
    for (let c = 0; c < 3; c++) {
      const v = o.grey ? grey : pixels[p + c]!;
      out[p + c] = Math.max(0, Math.min(255, Math.round((v * t + 230 * (1 - t)) * gain + n)));
    }
  }
  const img = sharp(out, raw);
  return o.format === 'png' ? img.png().toBuffer() : img.jpeg({ quality: o.quality ?? 85 }).toBuffer();
}
