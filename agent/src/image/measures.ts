// The pixel measures, on a decoded RGB frame (see decode.ts). Two passes over typed arrays — one over the
// colour pixels, one over the luma plane — keep the whole set to a few milliseconds at 640×360. Pure functions,
// so tests can feed synthetic pictures.

export interface PixelScan {
  width: number;
  height: number;
  /** Rec. 601 luma, 0–255, as floats (derivatives of dark frames need the fractions). */
  luma: Float32Array;
  /** Luma histogram, 256 bins. */
  hist: Uint32Array;
  sumLuma: number;
  sumLuma2: number;
  /** Colour opponents (Hasler–Süsstrunk) and saturation sums. */
  sumRg: number;
  sumRg2: number;
  sumYb: number;
  sumYb2: number;
  sumSat: number;
  /** 8×8 block sums of the per-pixel min and max of R, G, B (dark and bright channel). */
  blockCols: number;
  blockRows: number;
  blockMin: Float32Array;
  blockMax: Float32Array;
  blockCount: Uint32Array;
}

export const HAZE_BLOCK = 8;

/** 1 / v for 0–255 (0 for 0): saturation without a division per pixel. */
const RECIPROCAL = Float64Array.from({ length: 256 }, (_, v) => (v > 0 ? 1 / v : 0));

/** One pass over the RGB pixels: luma plane, histogram, colour and dark/bright channel block sums. */
export function scanPixels(rgb: Uint8Array, width: number, height: number): PixelScan {
  const luma = new Float32Array(width * height);
  const hist = new Uint32Array(256);
  const bw = Math.max(1, Math.ceil(width / HAZE_BLOCK));
  const bh = Math.max(1, Math.ceil(height / HAZE_BLOCK));
  const blockMin = new Float32Array(bw * bh);
  const blockMax = new Float32Array(bw * bh);
  const blockCount = new Uint32Array(bw * bh);
  let sumLuma = 0, sumLuma2 = 0, sumRg = 0, sumRg2 = 0, sumYb = 0, sumYb2 = 0, sumSat = 0;
  for (let y = 0, i = 0, p = 0; y < height; y++) {
    const blockRow = (y >> 3) * bw;
    for (let x = 0; x < width; x++, i++, p += 3) {
      const r = rgb[p]!;
      const g = rgb[p + 1]!;
      const b = rgb[p + 2]!;
      const l = 0.299 * r + 0.587 * g + 0.114 * b;
      luma[i] = l;
      hist[(l + 0.5) | 0]!++;
      sumLuma += l;
      sumLuma2 += l * l;
      const rg = r - g;
      const yb = 0.5 * (r + g) - b;
      sumRg += rg;
      sumRg2 += rg * rg;
      sumYb += yb;
      sumYb2 += yb * yb;
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      sumSat += (max - min) * RECIPROCAL[max]!;
      const blk = blockRow + (x >> 3);
      blockMin[blk]! += min;
      blockMax[blk]! += max;
      blockCount[blk]!++;
    }
  }
  return { width, height, luma, hist, sumLuma, sumLuma2, sumRg, sumRg2, sumYb, sumYb2, sumSat, blockCols: bw, blockRows: bh, blockMin, blockMax, blockCount };
}

export interface ToneStats {
  /** Mean luma, 0–255, and its standard deviation. */
  meanLuma: number;
  stdLuma: number;
  lumaP01: number;
  lumaP50: number;
  lumaP99: number;
  /** Percent of pixels at or below 3 / at or above 252. */
  clippedLowPct: number;
  clippedHighPct: number;
  /** Percent of pixels within ±6 levels of the median: near 100 for a picture of one colour. */
  flatPct: number;
}

export function toneStats(scan: PixelScan): ToneStats {
  const { hist } = scan;
  const n = Math.max(1, scan.luma.length);
  const mean = scan.sumLuma / n;
  const pct = (q: number): number => {
    const want = q * n;
    for (let b = 0, acc = 0; b < 256; b++) if ((acc += hist[b]!) >= want) return b;
    return 255;
  };
  const count = (from: number, to: number): number => {
    let c = 0;
    for (let b = Math.max(0, from); b <= Math.min(255, to); b++) c += hist[b]!;
    return c;
  };
  const median = pct(0.5);
  return {
    meanLuma: mean,
    stdLuma: Math.sqrt(Math.max(0, scan.sumLuma2 / n - mean * mean)),
    lumaP01: pct(0.01),
    lumaP50: median,
    lumaP99: pct(0.99),
    clippedLowPct: (100 * count(0, 3)) / n,
    clippedHighPct: (100 * count(252, 255)) / n,
    flatPct: (100 * count(median - 6, median + 6)) / n,
  };
}

export interface ColourStats {
  /** Hasler–Süsstrunk colourfulness: 0 for a grey picture, ~30–120 for ordinary daylight scenes. */
  colourfulness: number;
  /** Mean (max − min) / max over pixels, 0–1 (about 0 for an IR night picture). */
  saturation: number;
}

export function colourStats(scan: PixelScan): ColourStats {
  const n = Math.max(1, scan.luma.length);
  const mrg = scan.sumRg / n;
  const myb = scan.sumYb / n;
  const vrg = Math.max(0, scan.sumRg2 / n - mrg * mrg);
  const vyb = Math.max(0, scan.sumYb2 / n - myb * myb);
  return { colourfulness: Math.sqrt(vrg + vyb) + 0.3 * Math.sqrt(mrg * mrg + myb * myb), saturation: scan.sumSat / n };
}

export interface HazeStats {
  /** Dark channel over bright channel, 0–1: how much of the light in each neighbourhood is a veil. */
  haze: number;
  /** Mean dark channel, 0–255. */
  darkChannel: number;
}

/**
 * Haze from the dark-channel prior: in a clear picture most neighbourhoods hold something nearly black in at
 * least one colour; airlight lifts that floor towards the veil's brightness. Taken on 8×8 blocks (mean of the
 * per-pixel min/max of R, G, B), then the min/max over 3×3 blocks, so blur and noise barely move it, and divided
 * by the bright channel so that a change of exposure does not either. Under I = J·t + A·(1 − t) the clear part,
 * 1 − haze, shrinks by the same factor as the contrast.
 */
export function hazeStats(scan: PixelScan): HazeStats {
  const { blockCols: bw, blockRows: bh, blockMin, blockMax, blockCount } = scan;
  let dark = 0;
  let bright = 0;
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      let mn = 255;
      let mx = 0;
      for (let y = Math.max(0, by - 1); y <= Math.min(bh - 1, by + 1); y++) {
        for (let x = Math.max(0, bx - 1); x <= Math.min(bw - 1, bx + 1); x++) {
          const k = y * bw + x;
          const c = Math.max(1, blockCount[k]!);
          mn = Math.min(mn, blockMin[k]! / c);
          mx = Math.max(mx, blockMax[k]! / c);
        }
      }
      dark += mn;
      bright += mx;
    }
  }
  return { haze: bright > 0 ? dark / bright : 0, darkChannel: dark / (bw * bh) };
}

export interface EdgeStats {
  /** Mean |Laplacian| over mean |gradient| on edges: the inverse of the typical edge width, free of contrast. */
  sharpness: number;
  /** Mean |gradient| in luma levels a pixel: the frame's local contrast. */
  gradient: number;
  /** Sensor noise estimate (Immerkær), luma levels. */
  noise: number;
}

/**
 * Sharpness: the Laplacian normalised by the frame's local contrast. For an edge of height h blurred to width σ,
 * Σ|∇L| ≈ h whatever σ, while Σ|ΔL| ≈ 0.8·h/σ — so the ratio reads 1/σ: it falls when the picture blurs and does
 * not move when haze or darkness scale every difference by the same factor. The luma is first smoothed with a
 * 3×3 binomial kernel and pixels whose gradient is within twice the (smoothed) noise are left out of both sums,
 * so sensor noise and compression blocking in flat areas — strong at night — do not read as detail.
 */
export function edgeStats(luma: Float32Array, width: number, height: number): EdgeStats {
  const noise = noiseSigma(luma, width, height);
  const s = binomial3(luma, width, height);
  const floor = 0.75 * noise + 0.5;
  let lap = 0;
  let grad = 0;
  let gradAll = 0;
  for (let y = 2; y < height - 2; y++) {
    for (let x = 2, i = y * width + 2; x < width - 2; x++, i++) {
      const l = s[i - 1]!;
      const r = s[i + 1]!;
      const u = s[i - width]!;
      const d = s[i + width]!;
      const g = (Math.abs(r - l) + Math.abs(d - u)) * 0.5;
      gradAll += g;
      if (g > floor) {
        grad += g;
        lap += Math.abs(l + r + u + d - 4 * s[i]!);
      }
    }
  }
  const interior = Math.max(1, (width - 4) * (height - 4));
  return { sharpness: grad > 0 ? lap / grad : 0, gradient: gradAll / interior, noise };
}

/**
 * Immerkær's fast noise estimate: the mean |response| of a mask that cancels planes and edges to first order.
 * Every other row is enough for the statistic and halves the cost.
 */
export function noiseSigma(luma: Float32Array, width: number, height: number): number {
  let acc = 0;
  let rows = 0;
  for (let y = 1; y < height - 1; y += 2, rows++) {
    for (let x = 1, i = y * width + 1; x < width - 1; x++, i++) {
      const a = i - width;
      const c = i + width;
      acc += Math.abs(
        luma[a - 1]! + luma[a + 1]! + luma[c - 1]! + luma[c + 1]! - 2 * (luma[a]! + luma[c]! + luma[i - 1]! + luma[i + 1]!) + 4 * luma[i]!,
      );
    }
  }
  return (Math.sqrt(Math.PI / 2) * acc) / (6 * Math.max(1, (width - 2) * rows));
}

/** 3×3 binomial smoothing ([1 2 1]ᵀ[1 2 1]/16), separable; border pixels keep their value. */
function binomial3(src: Float32Array, width: number, height: number): Float32Array {
  const n = width * height;
  const tmp = new Float32Array(n);
  for (let y = 0, row = 0; y < height; y++, row += width) {
    tmp[row] = src[row]!;
    tmp[row + width - 1] = src[row + width - 1]!;
    let a = src[row]!;
    let b = src[row + 1]!;
    for (let i = row + 1, end = row + width - 1; i < end; i++) {
      const c = src[i + 1]!;
      tmp[i] = (a + 2 * b + c) * 0.25;
      a = b;
      b = c;
    }
  }
  const out = new Float32Array(n);
  out.set(tmp.subarray(0, width));
  out.set(tmp.subarray(n - width), n - width);
  for (let i = width, end = n - width; i < end; i++) out[i] = (tmp[i - width]! + 2 * tmp[i]! + tmp[i + width]!) * 0.25;
  return out;
}
