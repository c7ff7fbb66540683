// Controlled degradations and harmless changes applied to a clean camera frame. Every function takes a raw RGB
// frame and returns a new one; `jpeg()` turns the result into what a camera would send. Deterministic: noise
// comes from a seeded generator, so the evaluation set is the same on every run.
import sharp, { type OverlayOptions, type Sharp } from 'sharp';

export interface Raw {
  data: Buffer;
  width: number;
  height: number;
}

const RAW = (r: Raw) => ({ raw: { width: r.width, height: r.height, channels: 3 as const } });

async function viaSharp(r: Raw, op: (s: Sharp) => Sharp): Promise<Raw> {
  const { data, info } = await op(sharp(r.data, RAW(r))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TABLE = 1 << 16;
let normals: Float32Array | undefined;

/** `count` standard normal samples, seeded: picks from a fixed table of 65,536 Box–Muller draws (fast). */
function normalField(count: number, seed: number): Float32Array {
  if (!normals) {
    const table = new Float32Array(TABLE);
    const r = rng(12345);
    for (let i = 0; i < TABLE; i++) table[i] = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
    normals = table;
  }
  const t = normals;
  const out = new Float32Array(count);
  let state = Math.floor(rng(seed)() * 4294967296) >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = t[state >>> 16]!;
  }
  return out;
}

/** A photograph cropped to 16:9 and scaled to the camera's resolution: the clean frame of one scene. */
export async function loadScene(file: string, width: number, height: number): Promise<Raw> {
  const { data, info } = await sharp(file).resize(width, height, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Decodes an encoded frame back to raw RGB (to compress twice, or to degrade a camera's JPEG). */
export async function loadJpeg(buf: Buffer): Promise<Raw> {
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export async function jpeg(r: Raw, quality = 85): Promise<Buffer> {
  return sharp(r.data, RAW(r)).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
}

/** Defocus or a dirty lens: Gaussian blur of `sigma` pixels at the frame's own resolution. */
export const blur = (r: Raw, sigma: number): Promise<Raw> => viaSharp(r, (s) => s.blur(sigma));

/** Haze / condensation: I = J·t + A·(1 − t) with a slightly bluish white airlight A. */
export function haze(r: Raw, t: number, airlight: [number, number, number] = [228, 232, 238]): Promise<Raw> {
  return viaSharp(r, (s) => s.linear([t, t, t], airlight.map((a) => a * (1 - t))));
}

/** Exposure change: gain (1 = none) and a gamma on the tone curve. */
export function exposure(r: Raw, gain: number, gamma = 1): Raw {
  const lut = Uint8Array.from({ length: 256 }, (_, v) => clamp(255 * Math.pow(Math.min(1, (v * gain) / 255), gamma)));
  const out = Buffer.alloc(r.data.length);
  for (let i = 0; i < out.length; i++) out[i] = lut[r.data[i]!]!;
  return { ...r, data: out };
}

/** The camera moved a few pixels (or the picture wobbles): shift with the border repeated. */
export function shift(r: Raw, dx: number, dy: number): Raw {
  const { width: w, height: h } = r;
  const out = Buffer.alloc(r.data.length);
  const from = Math.max(0, dx);
  const to = Math.min(w, w + dx);
  for (let y = 0; y < h; y++) {
    const src = Math.min(h - 1, Math.max(0, y - dy)) * w * 3;
    const dst = y * w * 3;
    r.data.copy(out, dst + from * 3, src + (from - dx) * 3, src + (to - dx) * 3);
    for (let x = 0; x < from; x++) r.data.copy(out, dst + x * 3, src, src + 3);
    for (let x = to; x < w; x++) r.data.copy(out, dst + x * 3, src + (w - 1) * 3, src + w * 3);
  }
  return { ...r, data: out };
}

/** Sensor noise: luminance noise of `sigma` levels plus a third as much chroma noise. */
export function noise(r: Raw, sigma: number, seed: number): Raw {
  const lumaNoise = normalField(r.data.length / 3, seed);
  const chromaNoise = normalField(r.data.length, seed + 1);
  const out = Buffer.alloc(r.data.length);
  for (let p = 0; p < r.data.length; p++) out[p] = clamp(r.data[p]! + (lumaNoise[(p / 3) | 0]! + chromaNoise[p]! / 3) * sigma);
  return { ...r, data: out };
}

/** People walking through: person-shaped patches cut from another scene, at seeded positions. */
export async function people(r: Raw, donor: Raw, count: number, seed: number): Promise<Raw> {
  const rand = rng(seed);
  const ph = Math.round(r.height * 0.45);
  const pw = Math.round(ph * 0.38);
  const svg = Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${pw}" height="${ph}">` +
      `<ellipse cx="${pw / 2}" cy="${ph * 0.1}" rx="${pw * 0.24}" ry="${ph * 0.1}" fill="#fff"/>` +
      `<rect x="${pw * 0.08}" y="${ph * 0.21}" width="${pw * 0.84}" height="${ph * 0.79}" rx="${pw * 0.3}" fill="#fff"/></svg>`,
  );
  const layers: OverlayOptions[] = [];
  for (let i = 0; i < count; i++) {
    const left = Math.floor(rand() * (donor.width - pw));
    const top = Math.floor(rand() * (donor.height - ph));
    const cut = await sharp(donor.data, RAW(donor)).extract({ left, top, width: pw, height: ph }).ensureAlpha().composite([{ input: svg, blend: 'dest-in' }]).png().toBuffer();
    layers.push({ input: cut, left: Math.floor(rand() * (r.width - pw)), top: Math.floor(r.height * 0.5 + rand() * (r.height * 0.5 - ph)) });
  }
  return viaSharp(r, (s) => s.composite(layers));
}

/** Night with the IR illuminator on: monochrome, darker, IR fall-off towards the corners, softer and noisy. */
export async function irNight(r: Raw, seed: number): Promise<Raw> {
  const { width: w, height: h } = r;
  const grey = Buffer.alloc(r.data.length);
  const g = normalField(w * h, seed);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (y * w + x) * 3;
      // Foliage and fabrics reflect IR strongly; a luma-like mix leaning on red reads like an IR picture.
      const ir = 0.5 * r.data[p]! + 0.35 * r.data[p + 1]! + 0.15 * r.data[p + 2]!;
      const dx = (x - w / 2) / (w / 2);
      const dy = (y - h / 2) / (h / 2);
      const falloff = 1 / (1 + 0.9 * (dx * dx + dy * dy));
      const v = clamp(0.62 * ir * falloff + 6 + g[y * w + x]! * 3.5);
      grey[p] = grey[p + 1] = grey[p + 2] = v;
    }
  }
  return blur({ ...r, data: grey }, 0.6);
}

/**
 * Dust or grime on the cover of an IR camera: the illuminator's light scatters in the dirt. The picture gets a
 * bright veil that is strongest where the scene is bright, a wide glow, and loses fine detail.
 * `strength` 0..1.
 */
export async function dirtyCoverGlow(night: Raw, strength: number): Promise<Raw> {
  const soft = await blur(night, 1 + 5 * strength);
  // The wide glow (σ = 6% of the width) is computed at 1/8 size and enlarged again: same light, far cheaper.
  const small = Math.max(8, Math.round(night.width / 8));
  const glow = await viaSharp(night, (s) => s.resize({ width: small }).blur((small * 0.06) || 0.3).resize({ width: night.width, height: night.height, fit: 'fill' }));
  const { width: w, height: h } = night;
  const cx = Float32Array.from({ length: w }, (_, x) => Math.exp(-(((x / w - 0.5) ** 2) * 6)));
  const out = Buffer.alloc(soft.data.length);
  for (let y = 0, i = 0; y < h; y++) {
    const cy = Math.exp(-(((y / h - 0.5) ** 2) * 6));
    for (let x = 0; x < w; x++) {
      const veil = 70 * strength * cx[x]! * cy;
      for (let c = 0; c < 3; c++, i++) out[i] = clamp(soft.data[i]! * (1 - 0.45 * strength) + glow.data[i]! * 0.9 * strength + veil);
    }
  }
  return { ...night, data: out };
}

/** Darkened to black: the sensor sees nothing (dead sensor, IR failed in a dark room, lens capped). */
export function toBlack(r: Raw, gain: number, sigma: number, seed: number): Raw {
  const g = normalField(r.data.length, seed);
  const out = Buffer.alloc(r.data.length);
  for (let i = 0; i < out.length; i++) out[i] = clamp(r.data[i]! * gain + 1 + Math.abs(g[i]!) * sigma);
  return { ...r, data: out };
}
