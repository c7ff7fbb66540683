import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticFrame } from '../image/synthetic.ts';
import { parseAnalyzeArgs } from './analyze.ts';

const BIN = fileURLToPath(new URL('../../bin/camfleet-agent.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'camfleet-analyze-'));
const file = (name: string) => join(dir, name);

/** Runs the real CLI in a child process (npm's variables stripped, as from a plain shell). */
function cli(...args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'analyze', ...args], { env, cwd: dir, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, out: stdout, err: stderr.split('\n').filter(Boolean) });
    });
  });
}

beforeAll(async () => {
  const ref = await syntheticFrame(3);
  writeFileSync(file('ref.jpg'), ref);
  writeFileSync(file('ref.png'), await syntheticFrame(3, { format: 'png', width: 1920, height: 1080 }));
  writeFileSync(file('frame.jpg'), await syntheticFrame(3, { noise: 3 }));
  writeFileSync(file('blurred.jpg'), await syntheticFrame(3, { blur: 5 }));
  writeFileSync(file('fogged.jpg'), await syntheticFrame(3, { haze: 0.5 }));
  writeFileSync(file('black.jpg'), await syntheticFrame(3, { gain: 0.01 }));
  writeFileSync(file('night-ref.jpg'), await syntheticFrame(3, { grey: true, gain: 0.6 }));
  writeFileSync(file('night-blur.jpg'), await syntheticFrame(3, { grey: true, gain: 0.6, blur: 4 }));
  writeFileSync(file('notes.txt'), 'not a picture\n');
  writeFileSync(file('truncated.jpg'), ref.subarray(0, ref.length >> 1));
});

describe('camfleet-agent analyze', () => {
  it('a healthy frame: exit 0, one JSON object with the CONTRACTS §2 fields', async () => {
    const r = await cli('--reference', 'ref.jpg', 'frame.jpg');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out) as Record<string, unknown> & { metrics: Record<string, number> };
    expect(body).toMatchObject({ blur: false, fog: false, black: false, frozen: false, nightBlur: false, judged: true });
    expect(body.metrics.sharpnessRatio).toBeGreaterThan(0.9);
    expect(r.out.trim().split('\n')).toHaveLength(1);
  });

  it('finds blur, fog and black; options and the frame in any order', async () => {
    const [blurred, fogged, black, night] = await Promise.all([
      cli('blurred.jpg', '--reference', 'ref.jpg'),
      cli('--reference=ref.jpg', 'fogged.jpg'),
      cli('--reference', 'ref.jpg', 'black.jpg'),
      cli('--night', 'night-blur.jpg', '--reference', 'night-ref.jpg'),
    ]);
    expect(JSON.parse(blurred.out)).toMatchObject({ blur: true, fog: false, black: false });
    expect(JSON.parse(fogged.out)).toMatchObject({ blur: false, fog: true, black: false });
    expect(JSON.parse(black.out)).toMatchObject({ black: true });
    expect(JSON.parse(night.out)).toMatchObject({ blur: true, nightBlur: true, night: true });
  });

  it('compares a PNG reference of another size with a JPEG frame', async () => {
    const r = await cli('--reference', 'ref.png', 'frame.jpg');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ blur: false, fog: false, black: false });
  });

  it.each([
    ['missing.jpg', /^missing\.jpg: cannot read: no such file$/],
    ['notes.txt', /^notes\.txt: not an image/],
    ['truncated.jpg', /^truncated\.jpg: truncated or corrupt JPEG/],
  ])('%s as the frame: exit 2 and one line naming it', async (name, message) => {
    const r = await cli('--reference', 'ref.jpg', name);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
  });

  it('a bad reference is named the same way', async () => {
    const r = await cli('--reference', join(dir, 'truncated.jpg'), 'frame.jpg');
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err).toEqual([expect.stringMatching(new RegExp(`^${join(dir, 'truncated.jpg')}: truncated or corrupt JPEG`))]);
  });

  it('bad usage: exit 2 with the usage line', async () => {
    const cases = [[], ['frame.jpg'], ['--reference', 'ref.jpg'], ['--reference', 'ref.jpg', 'a.jpg', 'b.jpg'], ['--verbose', '--reference', 'ref.jpg', 'frame.jpg']];
    const results = await Promise.all(cases.map((args) => cli(...args)));
    results.forEach((r, i) => {
      expect(r.code, cases[i]!.join(' ')).toBe(2);
      expect(r.err.at(-1)).toBe('usage: camfleet-agent analyze --reference REF.jpg FRAME.jpg [--night]');
    });
  });
});

describe('parseAnalyzeArgs', () => {
  it('accepts the usual spellings', () => {
    expect(parseAnalyzeArgs(['--reference', 'r.jpg', 'f.jpg'])).toEqual({ reference: 'r.jpg', frame: 'f.jpg', night: false });
    expect(parseAnalyzeArgs(['f.jpg', '--night', '--reference=r.jpg'])).toEqual({ reference: 'r.jpg', frame: 'f.jpg', night: true });
    expect(parseAnalyzeArgs(['--reference', 'r.jpg', '--', '-odd.jpg'])).toEqual({ reference: 'r.jpg', frame: '-odd.jpg', night: false });
    expect(parseAnalyzeArgs(['--help'])).toBe('help');
    expect(parseAnalyzeArgs(['--reference', 'a', '--reference', 'b', 'f'])).toBe('--reference given twice');
  });
});
