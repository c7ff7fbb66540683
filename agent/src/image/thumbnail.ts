// A small JPEG of the latest frame for the dashboard, sent with the verdicts. Made from the already decoded
// analysis pixels when there are some, so a frame is decoded once.
import sharp from 'sharp';
import { decodeFrame, type DecodedFrame } from './decode.ts';

export interface Thumbnail {
  mime: 'image/jpeg';
  width: number;
  height: number;
  /** Size of the JPEG in bytes, and the JPEG itself in base64 (what travels in JSON). */
  bytes: number;
  base64: string;
}

export interface ThumbnailOptions {
  width?: number;
  quality?: number;
  /** Largest base64 length accepted; quality, then size, is lowered until the thumbnail fits. */
  maxBase64?: number;
}

export const THUMBNAIL_DEFAULTS = Object.freeze({ width: 320, quality: 60, maxBase64: 20_000 });

export async function thumbnail(source: Buffer | DecodedFrame, opts: ThumbnailOptions = {}): Promise<Thumbnail> {
  const { width, quality, maxBase64 } = { ...THUMBNAIL_DEFAULTS, ...opts };
  const frame = Buffer.isBuffer(source) ? await decodeFrame(source, { width }) : source;
  let last: Thumbnail | undefined;
  for (const [w, q] of attempts(width, quality)) {
    const { data, info } = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .resize({ width: Math.min(w, frame.width), kernel: 'lanczos3' })
      .jpeg({ quality: q, mozjpeg: true, chromaSubsampling: '4:2:0' })
      .toBuffer({ resolveWithObject: true });
    last = { mime: 'image/jpeg', width: info.width, height: info.height, bytes: data.length, base64: data.toString('base64') };
    if (last.base64.length <= maxBase64) return last;
  }
  return last!;
}

/** The requested width and quality first, then lower quality, then smaller pictures. */
function attempts(width: number, quality: number): [number, number][] {
  const qualities = [quality, Math.min(quality, 45), Math.min(quality, 30)];
  const widths = [width, Math.round(width * 0.75), Math.round(width * 0.5)];
  return widths.flatMap((w) => qualities.map((q): [number, number] => [w, q]));
}
