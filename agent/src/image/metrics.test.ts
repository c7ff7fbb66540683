import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { frameMetrics, measureFrame } from './metrics.ts';
import { syntheticFrame, syntheticScene } from './synthetic.ts';

describe('frameMetrics', () => {
  it('measures a frame at the analysis width with every field filled', async () => {
    const m = await frameMetrics(await syntheticFrame(1, { width: 1920, height: 1080 }));
    expect(m).toMatchObject({ width: 640, height: 360, sourceWidth: 1920, sourceHeight: 1080, format: 'jpeg' });
    for (const k of ['sharpness', 'gradient', 'contrast', 'haze', 'colourfulness', 'saturation', 'meanLuma', 'lumaP99'] as const) {
      expect(m[k], k).toBeGreaterThan(0);
    }
    expect(m.clippedPct).toBeCloseTo(m.clippedLowPct + m.clippedHighPct, 9);
    expect(m.fingerprint.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('measures the processed pixels, not the original (the sharp stats() trap)', async () => {
    // sharp(...).blur().stats() would describe the unblurred input; frameMetrics must see the blur.
    const raw = { raw: { width: 1280, height: 720, channels: 3 as const } };
    const blurred = await sharp(await syntheticScene(4), raw).blur(4).jpeg().toBuffer();
    const original = await frameMetrics(await syntheticFrame(4));
    const soft = await frameMetrics(blurred);
    expect(soft.sharpness).toBeLessThan(original.sharpness * 0.6);
    const darker = await frameMetrics(await syntheticFrame(4, { gain: 0.5 }));
    expect(darker.meanLuma).toBeCloseTo(original.meanLuma * 0.5, -1);
  });

  it('reads JPEG and PNG of the same picture alike', async () => {
    const jpeg = await frameMetrics(await syntheticFrame(5));
    const png = await frameMetrics(await syntheticFrame(5, { format: 'png' }));
    expect(png.format).toBe('png');
    expect(png.sharpness / jpeg.sharpness).toBeGreaterThan(0.95);
    expect(png.sharpness / jpeg.sharpness).toBeLessThan(1.05);
    expect(Math.abs(png.meanLuma - jpeg.meanLuma)).toBeLessThan(1);
  });

  it('hands back the decoded pixels with the metrics', async () => {
    const { metrics, frame } = await measureFrame(await syntheticFrame(6, { width: 640, height: 360 }));
    expect(frame.rgb.length).toBe(metrics.width * metrics.height * 3);
  });
});
