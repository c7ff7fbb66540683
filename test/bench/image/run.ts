// Image-check benchmark (BENCHMARKS.md "image"): time per frame at 1080p and 720p, decode included, against
// sharp's bare decode of the same JPEG measured in the same run, and the process's peak memory.
//
//   npx tsx test/bench/image/run.ts [--frames N] [--no-cache]
//
// --no-cache turns off libvips' operation cache (sharp.cache(false)), as a gateway short of memory might.
//
// Each round times, back to back on the same JPEG: sharp's bare full-size decode (the ceiling), frameMetrics
// (decode + every measure), and ImageMonitor.observe (measures + baseline + verdicts + thumbnail).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { frameMetrics } from '../../../agent/src/image/metrics.ts';
import { ImageMonitor } from '../../../agent/src/image/monitor.ts';
import { syntheticScene } from '../../../agent/src/image/synthetic.ts';
import { SCENES } from '../../image-eval/scenes.ts';

const argFrames = process.argv.indexOf('--frames');
const FRAMES = argFrames > 0 ? Number(process.argv[argFrames + 1]) : 200;
const WARMUP = 20;
if (process.argv.includes('--no-cache')) sharp.cache(false);
const SIZES = [
  { name: '1920×1080', width: 1920, height: 1080 },
  { name: '1280×720', width: 1280, height: 720 },
];

/** Camera-like JPEGs (quality 85, 4:2:0) of a few real scenes, or synthetic ones if the photographs are absent. */
async function frames(width: number, height: number): Promise<{ jpegs: Buffer[]; source: string }> {
  const photos = SCENES.filter((s) => existsSync(s.file)).slice(0, 4);
  if (photos.length > 0) {
    const jpegs: Buffer[] = [];
    for (const s of photos) jpegs.push(await sharp(s.file, { sequentialRead: true }).resize(width, height, { fit: 'cover' }).jpeg({ quality: 85 }).toBuffer());
    return { jpegs, source: photos.map((s) => s.id).join(', ') };
  }
  const raw = { raw: { width, height, channels: 3 as const } };
  const jpegs = await Promise.all([1, 2, 3, 4].map(async (seed) => sharp(await syntheticScene(seed, width, height), raw).jpeg({ quality: 85 }).toBuffer()));
  return { jpegs, source: 'synthetic scenes' };
}

const percentile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface Row {
  size: string;
  kB: number;
  bare: number[];
  metrics: number[];
  observe: number[];
}

let rssPeak = 0;

async function bench(name: string, jpegs: Buffer[], source: string): Promise<Row & { source: string }> {
  const monitor = new ImageMonitor();
  const row = { size: name, kB: jpegs.reduce((a, j) => a + j.length, 0) / jpegs.length / 1024, bare: [] as number[], metrics: [] as number[], observe: [] as number[], source };
  let at = Date.parse('2026-03-02T03:00:00Z');
  for (let i = 0; i < WARMUP + FRAMES; i++) {
    const jpeg = jpegs[i % jpegs.length]!;
    const bare = await time(() => sharp(jpeg).raw().toBuffer());
    const metrics = await time(() => frameMetrics(jpeg));
    const observe = await time(() => monitor.observe(jpeg, { at: (at += 300_000), night: false }));
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    if (i < WARMUP) continue;
    row.bare.push(bare);
    row.metrics.push(metrics);
    row.observe.push(observe);
  }
  return row;
}

const fmt = (v: number): string => v.toFixed(1);

// The test JPEGs are made in a child process: decoding the multi-megapixel photographs would otherwise leave
// this process's RSS hundreds of MB high and hide what the analysis itself needs.
const prepare = process.argv.indexOf('--prepare');
if (prepare > 0) {
  const dir = process.argv[prepare + 1]!;
  for (const s of SIZES) {
    const { jpegs, source } = await frames(s.width, s.height);
    jpegs.forEach((j, i) => writeFileSync(join(dir, `${s.width}-${i}.jpg`), j));
    writeFileSync(join(dir, 'source.txt'), source);
  }
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'camfleet-bench-image-'));
const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--prepare', dir], { stdio: 'inherit' });
if (child.status !== 0) throw new Error('could not make the test JPEGs');
const rssStart = process.memoryUsage().rss;
const inputs = SIZES.map((s) => ({
  name: s.name,
  jpegs: readdirSync(dir).filter((f) => f.startsWith(`${s.width}-`)).sort().map((f) => readFileSync(join(dir, f))),
  source: readFileSync(join(dir, 'source.txt'), 'utf8'),
}));
rmSync(dir, { recursive: true, force: true });

console.log(`image benchmark: ${FRAMES} frames per size after ${WARMUP} warm-up; node ${process.version}, ` +
  `${availableParallelism()} cores, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}, ${sharp.concurrency()} threads, ` +
  `operation cache ${process.argv.includes('--no-cache') ? 'off' : 'on'}), ` +
  `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const rssBefore = process.memoryUsage().rss;
const rows = [];
for (const i of inputs) rows.push(await bench(i.name, i.jpegs, i.source));
console.log(`frames: ${rows[0]!.source}; JPEG quality 85\n`);
console.log('| frame | JPEG | sharp bare decode median / p95 | frameMetrics median / p95 | ratio to bare decode | observe (all checks + thumbnail) median / p95 | ratio |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  const [b, m, o] = [r.bare, r.metrics, r.observe].map((a) => [...a].sort((x, y) => x - y));
  const mb = percentile(b!, 0.5);
  const mm = percentile(m!, 0.5);
  const mo = percentile(o!, 0.5);
  console.log(`| ${r.size} | ${r.kB.toFixed(0)} KB | ${fmt(mb)} / ${fmt(percentile(b!, 0.95))} ms | ${fmt(mm)} / ${fmt(percentile(m!, 0.95))} ms | ${(mm / mb).toFixed(2)} | ${fmt(mo)} / ${fmt(percentile(o!, 0.95))} ms | ${(mo / mb).toFixed(2)} |`);
}
const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(0)} MB`;
console.log(`\nmemory (RSS): ${mb(rssStart)} at start (node, tsx, sharp loaded), ${mb(rssBefore)} with the test JPEGs read, ` +
  `peak ${mb(Math.max(rssPeak, process.resourceUsage().maxRSS * 1024))} (process peak, all frames of both sizes analysed); ` +
  `heap now ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
const target = percentile([...rows[0]!.metrics].sort((x, y) => x - y), 0.5);
console.log(`target: median ≤ 20 ms a 1080p frame (frameMetrics) — ${target <= 20 ? 'met' : 'NOT met'} (${fmt(target)} ms)`);
