import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_WIDTH, decodeFrame, ImageDecodeError, probeImage } from './decode.ts';
import { syntheticFrame } from './synthetic.ts';

async function failure(input: Buffer): Promise<ImageDecodeError> {
  const e = await decodeFrame(input).then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(ImageDecodeError);
  return e as ImageDecodeError;
}

describe('decodeFrame', () => {
  it('shrinks a 1080p JPEG to the analysis width as packed RGB', async () => {
    const f = await decodeFrame(await syntheticFrame(1, { width: 1920, height: 1080 }));
    expect(f).toMatchObject({ width: ANALYSIS_WIDTH, height: 360, sourceWidth: 1920, sourceHeight: 1080, format: 'jpeg' });
    expect(f.rgb.length).toBe(640 * 360 * 3);
  });

  it('never enlarges a small frame, and honours a requested width', async () => {
    const small = await syntheticFrame(1, { width: 320, height: 180 });
    expect((await decodeFrame(small)).width).toBe(320);
    expect((await decodeFrame(await syntheticFrame(1), { width: 200 })).width).toBe(200);
  });

  it('turns grey, 16-bit and RGBA PNGs into 8-bit RGB', async () => {
    const rgb = await sharp(await syntheticFrame(1, { width: 64, height: 36, format: 'png' })).raw().toBuffer();
    const raw = { raw: { width: 64, height: 36, channels: 3 as const } };
    for (const png of [
      await sharp(rgb, raw).greyscale().png().toBuffer(),
      await sharp(rgb, raw).toColourspace('rgb16').png().toBuffer(),
      await sharp(rgb, raw).ensureAlpha(0.5).png().toBuffer(),
    ]) {
      const f = await decodeFrame(png);
      expect(f).toMatchObject({ width: 64, height: 36, format: 'png' });
      expect(f.rgb.length).toBe(64 * 36 * 3);
    }
  });

  it('rejects empty input, text, vector images and truncated files with a reason', async () => {
    expect((await failure(Buffer.alloc(0))).reason).toBe('empty');
    expect((await failure(Buffer.from('hello, not a picture\n'))).reason).toBe('not-an-image');
    expect((await failure(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'))).reason).toBe('unsupported-format');
    const jpeg = await syntheticFrame(2);
    const truncated = await failure(jpeg.subarray(0, jpeg.length >> 1));
    expect(truncated.reason).toBe('corrupt');
    expect(truncated.message).toMatch(/^truncated or corrupt JPEG/);
    const png = await syntheticFrame(2, { width: 320, height: 180, format: 'png' });
    expect((await failure(png.subarray(0, png.length - 200))).reason).toBe('corrupt');
  });

  it('probeImage reads only the header', async () => {
    expect(await probeImage(await syntheticFrame(3, { width: 320, height: 180, format: 'png' }))).toEqual({ format: 'png', width: 320, height: 180 });
  });
});
