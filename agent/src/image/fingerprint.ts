// A compact fingerprint of a frame for frozen-picture detection: an exact hash of the decoded pixels (a live
// sensor never repeats a picture bit for bit) and a coarse grid of block means (how much the scene moved).
import { createHash } from 'node:crypto';

export interface Fingerprint {
  /** First 16 hex digits of SHA-1 over the decoded analysis pixels. */
  hash: string;
  cols: number;
  rows: number;
  /** Block-mean luma, cols×rows values, each ×256 as little-endian uint16, base64. */
  grid: string;
}

export const GRID_COLS = 32;

export function fingerprint(rgb: Uint8Array, luma: Float32Array, width: number, height: number): Fingerprint {
  const cols = Math.min(GRID_COLS, width);
  const rows = Math.max(1, Math.min(height, Math.round((cols * height) / width)));
  const sums = new Float64Array(cols * rows);
  const counts = new Uint32Array(cols * rows);
  const colCell = new Int32Array(width);
  for (let x = 0; x < width; x++) colCell[x] = Math.min(cols - 1, Math.floor((x * cols) / width));
  for (let y = 0; y < height; y++) {
    const rowCell = Math.min(rows - 1, Math.floor((y * rows) / height)) * cols;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      const cell = rowCell + colCell[x]!;
      sums[cell]! += luma[i]!;
      counts[cell]!++;
    }
  }
  const grid = new Uint16Array(cols * rows);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.round((sums[i]! / Math.max(1, counts[i]!)) * 256);
  const hash = createHash('sha1').update(rgb).digest('hex').slice(0, 16);
  return { hash, cols, rows, grid: Buffer.from(grid.buffer, grid.byteOffset, grid.byteLength).toString('base64') };
}

function gridValues(f: Fingerprint): Uint16Array {
  const bytes = Buffer.from(f.grid, 'base64');
  const out = new Uint16Array(f.cols * f.rows);
  for (let i = 0; i < out.length && i * 2 + 1 < bytes.length; i++) out[i] = bytes.readUInt16LE(i * 2);
  return out;
}

/**
 * Mean absolute difference of the two grids in luma levels (0 for the same picture; sensor noise alone gives a
 * few hundredths; a person walking through, tenths to whole levels). Infinity when the shapes differ.
 */
export function fingerprintDistance(a: Fingerprint, b: Fingerprint): number {
  if (a.cols !== b.cols || a.rows !== b.rows) return Number.POSITIVE_INFINITY;
  const ga = gridValues(a);
  const gb = gridValues(b);
  let acc = 0;
  for (let i = 0; i < ga.length; i++) acc += Math.abs(ga[i]! - gb[i]!);
  return acc / 256 / Math.max(1, ga.length);
}

/** Bit-identical decoded pictures. */
export const samePicture = (a: Fingerprint, b: Fingerprint): boolean => a.hash === b.hash;

export function isFingerprint(value: unknown): value is Fingerprint {
  const f = value as Fingerprint | null;
  return (
    typeof f === 'object' && f !== null && typeof f.hash === 'string' && typeof f.grid === 'string' &&
    Number.isInteger(f.cols) && Number.isInteger(f.rows) && f.cols > 0 && f.rows > 0
  );
}
