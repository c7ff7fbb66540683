// Soak (issue 8 item 6): the ingest benchmark's load (simulated agents → Mosquitto → server → InfluxDB, a socket.io
// client attached) held for a set time, printing the server's RSS, V8 heap and event-loop delay over time and a
// verdict on whether memory levelled off (verdict.ts). Figures in docs/bench-soak.md.
//   npx tsx test/bench/soak/run.ts                 about 1 minute (indicative only)
//   npx tsx test/bench/soak/run.ts --minutes 30    the real soak
// Options: --minutes M --sites N --devices N --rate SAMPLES_PER_S --sample-s S.
// Starts its own Mosquitto, InfluxDB and PostgreSQL; the server runs as its own process (node --import tsx, with
// heap-probe.ts preloaded to report its heap), so its memory is its own and the load generator does not share its
// event loop.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase, freePort, spawnLogged, startInflux, startMosquitto, startPostgres, stopProcess, tailLog, waitFor } from '../../harness/index.ts';
import { testAuthEnv } from '../../support/auth.ts';
import { REPO, tempDir } from '../../support/processes.ts';
import { startLoad } from '../ingest/load.ts';
import { announce, connect } from '../ingest/sim-agents.ts';
import { pushCounter, rssMb, scrapeAll } from './probes.ts';
import { RULE, verdict, type Reading, type Verdict } from './verdict.ts';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1' },
    sites: { type: 'string', default: '250' },
    devices: { type: 'string', default: '20' },
    rate: { type: 'string', default: '5000' },
    'sample-s': { type: 'string', default: '10' },
  },
});
const MINUTES = Number(args.minutes);
const SITES = Number(args.sites);
const DEVICES = Number(args.devices);
const RATE = Number(args.rate);
// The server's event-loop gauge covers 10 s windows: sampling faster reads the same window twice.
const SAMPLE_S = Math.max(10, Number(args['sample-s']));
const INTERVAL_MS = (SITES * DEVICES * 1000) / RATE;

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
const pad = (s: string, n: number) => s.padStart(n);
const MB = 1024 * 1024;

interface MemoryLine { at: number; rss: number; heapUsed: number }
/** What heap-probe.ts wrote so far. */
function memoryLines(file: string): MemoryLine[] {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as MemoryLine);
  } catch {
    return [];
  }
}

function describe(what: string, v: Verdict): string {
  const flat = v.levelled ? 'levelled off' : 'still rising — look for a leak';
  return `${what} ${flat}: floor ${v.firstSlope.toFixed(2)} MB/min in the first third, ${v.lastSlope.toFixed(2)} MB/min in the last; mean floor by third ${v.means.map((m) => fmt(m)).join(' / ')} MB`;
}

async function main(): Promise<void> {
  console.log(`soak: ${fmt(SITES)} sites × ${DEVICES} devices, ${fmt(RATE)} samples/s offered, ${MINUTES} min, a sample every ${SAMPLE_S} s`);
  const [mosquitto, influxd, postgres] = await Promise.all([startMosquitto(), startInflux(), startPostgres()]);
  const dir = tempDir('bench-soak');
  let server: ReturnType<typeof spawnLogged> | undefined;
  try {
    const port = await freePort();
    const logFile = path.join(dir, 'server.log');
    const memoryFile = path.join(dir, 'memory.jsonl');
    const probe = path.join(REPO, 'test/bench/soak/heap-probe.ts');
    server = spawnLogged('server', process.execPath, ['--import', 'tsx', '--import', probe, path.join(REPO, 'server/src/main.ts')], {
      logFile,
      cwd: REPO,
      env: {
        ...process.env, ...testAuthEnv(), CAMFLEET_SOAK_MEMORY_FILE: memoryFile, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CAMFLEET_DATA_DIR: path.join(dir, 'data'),
        CAMFLEET_MQTT_URL: mosquitto.url, CAMFLEET_INFLUX_URL: `${influxd.url}/camfleet`, CAMFLEET_DATABASE_URL: await createDatabase(postgres.url, 'camfleet_soak'),
      },
    });
    const url = `http://127.0.0.1:${port}`;
    const proc = server;
    await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200, {
      timeoutMs: 60_000, what: 'the server', abortIf: () => (proc.exitInfo ? tailLog(logFile) : undefined),
    });
    const sites = Array.from({ length: SITES }, (_, i) => `soak-${String(i + 1).padStart(5, '0')}`);
    const announcer = await connect(mosquitto.url);
    await announce(announcer, sites, DEVICES);
    await announcer.endAsync();
    await waitFor(async () => ((await scrapeAll(url)).get('camfleet_ingest_messages_total') ?? 0) >= SITES * 2, { timeoutMs: 120_000, intervalMs: 500, what: 'every inventory and presence' });

    const pushes = await pushCounter(url);
    const load = await startLoad({ url: mosquitto.url, sites, devices: DEVICES, intervalMs: INTERVAL_MS, flipRate: 0.05 });
    const start = Date.now();
    const loops: number[] = [];
    let prev = { at: start, written: (await scrapeAll(url)).get('camfleet_timeseries_written_samples_total') ?? 0, pushed: 0 };
    console.log(`${pad('min', 6)} ${pad('RSS MB', 8)} ${pad('heap MB', 8)} ${pad('loop p99 ms', 12)} ${pad('stored/s', 9)} ${pad('buffered', 9)} ${pad('pushed/s', 9)}`);
    while (Date.now() - start < MINUTES * 60_000) {
      await new Promise((r) => setTimeout(r, Math.min(SAMPLE_S * 1000, start + MINUTES * 60_000 - Date.now())));
      if (proc.exitInfo) throw new Error(`the server exited: ${tailLog(logFile)}`);
      const m = await scrapeAll(url);
      const now = Date.now();
      const written = m.get('camfleet_timeseries_written_samples_total') ?? 0;
      const pushed = pushes.updates();
      const loopMs = (m.get('camfleet_event_loop_delay_p99_seconds') ?? NaN) * 1000;
      if (Number.isFinite(loopMs)) loops.push(loopMs);
      const heap = (memoryLines(memoryFile).at(-1)?.heapUsed ?? NaN) / MB;
      const secs = (now - prev.at) / 1000;
      console.log(`${pad(fmt((now - start) / 60_000, 1), 6)} ${pad(fmt(rssMb(proc.child.pid!)), 8)} ${pad(fmt(heap), 8)} ${pad(fmt(loopMs, 1), 12)} ${pad(fmt((written - prev.written) / secs), 9)} ${pad(fmt(m.get('camfleet_timeseries_buffered_samples') ?? 0), 9)} ${pad(fmt((pushed - prev.pushed) / secs), 9)}`);
      prev = { at: now, written, pushed };
    }
    await load.stop();
    pushes.close();
    const published = load.published();
    const drained = await waitFor(async () => ((await scrapeAll(url)).get('camfleet_timeseries_written_samples_total') ?? 0) >= published, { timeoutMs: 300_000, intervalMs: 1000, what: 'the backlog' })
      .then(() => true, () => false);

    // The memory readings of the loaded period (every 2 s), floors over windows of a thirtieth of the run.
    const lines = memoryLines(memoryFile).filter((l) => l.at >= start && l.at <= start + MINUTES * 60_000);
    const series = (key: 'rss' | 'heapUsed'): Reading[] => lines.map((l) => ({ t: (l.at - start) / 1000, mb: l[key] / MB }));
    const windowS = Math.max(10, (MINUTES * 60) / 30);
    const heap = verdict(series('heapUsed'), windowS);
    const rss = verdict(series('rss'), windowS);
    const rssValues = lines.map((l) => l.rss / MB);
    loops.sort((a, b) => a - b);
    console.log(`rss      start ${fmt(rssValues[0] ?? NaN)} MB, peak ${fmt(Math.max(...rssValues))} MB, end ${fmt(rssValues.at(-1) ?? NaN)} MB`);
    console.log(`memory   ${describe('V8 heap', heap)}`);
    console.log(`         ${describe('RSS', rss)}`);
    console.log(`         (${RULE}; ${windowS} s windows)`);
    console.log(`loop     event-loop delay p99 per 10 s window: median ${fmt(loops[Math.floor(loops.length / 2)] ?? NaN, 1)} ms, worst ${fmt(loops.at(-1) ?? NaN, 1)} ms`);
    const stored = (await scrapeAll(url)).get('camfleet_timeseries_written_samples_total') ?? 0;
    console.log(`check    published ${fmt(published)}, written to InfluxDB ${fmt(stored)}${drained ? '' : ' — backlog not drained within 300 s'}`);
    const short = MINUTES < 10 ? ' (a run under 10 minutes is indicative only: --minutes 30 for the real soak)' : '';
    console.log(`verdict  ${heap.levelled ? 'memory levelled off' : 'memory still growing — look for a leak'} (by the V8 heap's floor; RSS ${rss.levelled === heap.levelled ? 'agrees' : 'disagrees'})${short}`);
    console.log(`server log: ${logFile}`);
  } finally {
    if (server) await stopProcess(server, 120_000);
    await Promise.allSettled([mosquitto.dispose(), influxd.dispose(), postgres.dispose()]);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`soak failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
