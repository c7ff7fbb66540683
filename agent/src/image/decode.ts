// Decoding a frame for analysis: one sharp pipeline that shrinks the picture to the analysis width while it
// decodes (JPEG shrink-on-load), then hands back plain 8-bit RGB. Everything measured downstream is computed in
// JavaScript from this materialised buffer — never with sharp(...).stats() after chained operations, which
// ignores them and describes the original input instead.
import sharp, { type Metadata } from 'sharp';

/** Width the measures are taken at. 1080p and 720p frames shrink to this; smaller frames are not enlarged. */
export const ANALYSIS_WIDTH = 640;

/** Formats a frame may come in (CONTRACTS §2 names JPEG and PNG; WebP costs nothing extra). */
const FORMATS = new Set(['jpeg', 'png', 'webp']);

export type DecodeFailure = 'empty' | 'not-an-image' | 'unsupported-format' | 'corrupt';

/** The input could not be decoded as a picture; `message` is short and fit for one line of output. */
export class ImageDecodeError extends Error {
  constructor(
    readonly reason: DecodeFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

export interface DecodedFrame {
  /** Packed RGB, 3 bytes a pixel, row-major. */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** The frame's own size and format before shrinking. */
  sourceWidth: number;
  sourceHeight: number;
  format: string;
}

export interface DecodeOptions {
  /** Target width (default ANALYSIS_WIDTH); never enlarges. */
  width?: number;
}

/** Reads the header only: format and size, or an ImageDecodeError. */
export async function probeImage(input: Buffer): Promise<{ format: string; width: number; height: number }> {
  if (input.length === 0) throw new ImageDecodeError('empty', 'empty file');
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (err) {
    throw new ImageDecodeError('not-an-image', `not an image (${describe(err)})`);
  }
  const format = meta.format ?? 'unknown';
  if (!FORMATS.has(format) || !meta.width || !meta.height) {
    throw new ImageDecodeError('unsupported-format', `not a JPEG or PNG image (format: ${format})`);
  }
  return { format, width: meta.width, height: meta.height };
}

/** Decodes and shrinks a JPEG/PNG/WebP frame to RGB at the analysis width. Truncated files fail. */
export async function decodeFrame(input: Buffer, opts: DecodeOptions = {}): Promise<DecodedFrame> {
  const { format, width: sourceWidth, height: sourceHeight } = await probeImage(input);
  const width = Math.max(1, Math.min(opts.width ?? ANALYSIS_WIDTH, sourceWidth));
  try {
    // failOn 'truncated': a cut-off JPEG ("premature end of JPEG image") or PNG fails, while the harmless warnings
    // some camera encoders trigger (extraneous bytes before a marker, say) do not cost the frame.
    const { data, info } = await sharp(input, { failOn: 'truncated', sequentialRead: true })
      .resize({ width, kernel: 'linear', fastShrinkOnLoad: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgb = info.channels === 3 ? new Uint8Array(data.buffer, data.byteOffset, data.length) : toRgb(data, info.channels);
    return { rgb, width: info.width, height: info.height, sourceWidth, sourceHeight, format };
  } catch (err) {
    throw new ImageDecodeError('corrupt', `truncated or corrupt ${format.toUpperCase()} (${describe(err)})`);
  }
}

function toRgb(data: Buffer, channels: number): Uint8Array {
  const pixels = Math.floor(data.length / channels);
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    const s = i * channels;
    const g = data[s] ?? 0;
    out[i * 3] = g;
    out[i * 3 + 1] = channels >= 3 ? (data[s + 1] ?? 0) : g;
    out[i * 3 + 2] = channels >= 3 ? (data[s + 2] ?? 0) : g;
  }
  return out;
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.replace(/^Input (buffer|file) /i, '').slice(0, 120);
}
