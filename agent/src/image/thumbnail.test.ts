import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeFrame } from './decode.ts';
import { syntheticFrame } from './synthetic.ts';
import { thumbnail } from './thumbnail.ts';

describe('thumbnail', () => {
  it('makes a 320 px wide JPEG of at most 20 KB base64 from a 1080p frame', async () => {
    const t = await thumbnail(await syntheticFrame(1, { width: 1920, height: 1080, noise: 6 }));
    expect(t).toMatchObject({ mime: 'image/jpeg', width: 320, height: 180 });
    expect(t.base64.length).toBeLessThanOrEqual(20_000);
    const meta = await sharp(Buffer.from(t.base64, 'base64')).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 320, height: 180 });
    expect(t.bytes).toBe(Buffer.from(t.base64, 'base64').length);
  });

  it('lowers quality, then size, to stay under the limit', async () => {
    const noisy = await syntheticFrame(2, { width: 1280, height: 720, noise: 60 });
    const t = await thumbnail(noisy, { maxBase64: 8_000 });
    expect(t.base64.length).toBeLessThanOrEqual(8_000);
    expect(t.width).toBeLessThanOrEqual(320);
  });

  it('reuses already decoded analysis pixels', async () => {
    const frame = await decodeFrame(await syntheticFrame(3));
    expect((await thumbnail(frame)).width).toBe(320);
  });
});
