// Health of the machine the agent runs on (the camera gateway), from Linux /proc and /sys: CPU busy share over
// a short interval (/proc/stat), load average, memory in use (MemAvailable, as `free` computes it), disk use of
// the state dir's filesystem (statfs, as `df` computes it), hottest thermal zone, uptime. A value this machine
// cannot give (no /proc, no readable thermal zone) is left out rather than guessed.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface GatewayMetricsOptions {
  /** Directory whose filesystem `diskUsedPct` describes (the agent's stateDir); default the working dir. */
  stateDir?: string;
  /** Interval over which CPU use is measured, ms (default 250). */
  sampleMs?: number;
  /** Where /proc and /sys are (tests point them at fixtures). */
  procDir?: string;
  sysDir?: string;
}

/** Plausible range for a thermal zone, °C; anything outside is a sensor that reports nonsense. */
const TEMP_RANGE_C = [-40, 150] as const;

const round1 = (n: number) => Math.round(n * 10) / 10;
const pct = (part: number, whole: number) => (whole > 0 ? round1(Math.min(100, Math.max(0, (part / whole) * 100))) : undefined);

/**
 * cpuPct, load1, memUsedPct, diskUsedPct, tempC, uptimeS and — when given — outboxDepth (telemetry batches
 * waiting for the broker). Takes about `sampleMs` for the CPU measurement.
 */
export async function collectGatewayMetrics(queueDepth?: number, opts: GatewayMetricsOptions = {}): Promise<Record<string, number>> {
  const proc = opts.procDir ?? '/proc';
  const metrics: Record<string, number> = {};
  const put = (key: string, value: number | undefined) => {
    if (value !== undefined && Number.isFinite(value)) metrics[key] = value;
  };
  const [cpuPct, load1, memUsedPct, diskUsedPct, tempC, uptimeS] = await Promise.all([
    cpuBusyPct(proc, opts.sampleMs ?? 250),
    readText(path.join(proc, 'loadavg')).then((t) => (t ? Number.parseFloat(t) : os.loadavg()[0])),
    readText(path.join(proc, 'meminfo')).then((t) => (t ? memoryUsedPct(t) : pct(os.totalmem() - os.freemem(), os.totalmem()))),
    diskUsed(opts.stateDir ?? process.cwd()),
    hottestZoneC(path.join(opts.sysDir ?? '/sys', 'class/thermal')),
    readText(path.join(proc, 'uptime')).then((t) => Math.floor(t ? Number.parseFloat(t) : os.uptime())),
  ]);
  put('cpuPct', cpuPct);
  put('load1', load1 === undefined ? undefined : Math.round(load1 * 100) / 100);
  put('memUsedPct', memUsedPct);
  put('diskUsedPct', diskUsedPct);
  put('tempC', tempC);
  put('uptimeS', uptimeS);
  if (queueDepth !== undefined) put('outboxDepth', queueDepth);
  return metrics;
}

/** Aggregate CPU times from /proc/stat's first line: [busy, total] in clock ticks. */
export function parseCpuTimes(stat: string): [number, number] | undefined {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  // user nice system idle iowait irq softirq steal (guest times are already inside user and nice)
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return undefined;
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return [total - idle, total];
}

/** Memory in use, % of MemTotal: (MemTotal − MemAvailable), or MemFree + Buffers + Cached on old kernels. */
export function memoryUsedPct(meminfo: string): number | undefined {
  const kb = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo);
    return m ? Number(m[1]) : undefined;
  };
  const total = kb('MemTotal');
  if (!total) return undefined;
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Buffers') ?? 0) + (kb('Cached') ?? 0);
  return pct(total - available, total);
}

async function cpuBusyPct(proc: string, sampleMs: number): Promise<number | undefined> {
  const first = parseCpuTimes((await readText(path.join(proc, 'stat'))) ?? '');
  if (!first) return undefined;
  await new Promise((r) => setTimeout(r, Math.max(10, sampleMs)));
  const second = parseCpuTimes((await readText(path.join(proc, 'stat'))) ?? '');
  if (!second) return undefined;
  const total = second[1] - first[1];
  return total > 0 ? pct(second[0] - first[0], total) : undefined; // no tick elapsed: nothing measured
}

/** Share of the filesystem in use as `df` shows it: used / (used + available to unprivileged users). */
async function diskUsed(dir: string): Promise<number | undefined> {
  let at = path.resolve(dir);
  for (;;) {
    try {
      const s = await fs.statfs(at);
      const used = s.blocks - s.bfree;
      return pct(used, used + s.bavail);
    } catch {
      const up = path.dirname(at); // stateDir not created yet: its nearest existing parent shares the filesystem
      if (up === at) return undefined;
      at = up;
    }
  }
}

/** Highest reading of /sys/class/thermal/thermal_zone* /temp (millidegrees Celsius) that can be read. */
async function hottestZoneC(thermalDir: string): Promise<number | undefined> {
  const zones = (await fs.readdir(thermalDir).catch(() => [] as string[])).filter((n) => n.startsWith('thermal_zone'));
  const temps = await Promise.all(zones.map((z) => readText(path.join(thermalDir, z, 'temp'))));
  const valid = temps
    .map((t) => (t === undefined ? Number.NaN : Number.parseInt(t, 10) / 1000))
    .filter((c) => Number.isFinite(c) && c >= TEMP_RANGE_C[0] && c <= TEMP_RANGE_C[1]);
  return valid.length ? round1(Math.max(...valid)) : undefined;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}
