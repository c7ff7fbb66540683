// Ingest benchmark (issue 4; method in shared BENCHMARKS.md, figures in docs/bench-ingest.md).
//   npx tsx test/bench/ingest/run.ts            short, CI-safe: 500 sites × 20 devices at 20,000 samples/s
//   npx tsx test/bench/ingest/run.ts --full     10,000 sites × 20 devices at 100,000 samples/s for 60 s
// Options: --sites N --devices N --rate SAMPLES_PER_S --seconds S --warmup S.
// Starts its own Mosquitto, InfluxDB and PostgreSQL; runs the server as its own process (as deployed);
// measures both ceilings in the same run and prints every figure with the ratios.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase, freePort, spawnLogged, startInflux, startMosquitto, startPostgres, stopProcess, tailLog, waitFor } from '../../harness/index.ts';
import { authHeaders, testAuthEnv } from '../../support/auth.ts';
import { REPO, tempDir } from '../../support/processes.ts';
import { brokerCeiling, influxCeiling } from './ceilings.ts';
import { delayProbe, startLoad } from './load.ts';
import { scrape } from './metrics.ts';
import { announce, connect } from './sim-agents.ts';

const { values: args } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    sites: { type: 'string' },
    devices: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
  },
});
const full = args.full!;
const SITES = Number(args.sites ?? (full ? 10_000 : 500));
const DEVICES = Number(args.devices ?? 20);
const RATE = Number(args.rate ?? (full ? 100_000 : 20_000));
const SECONDS = Number(args.seconds ?? (full ? 60 : 10));
const WARMUP = Number(args.warmup ?? (full ? 20 : 5));
const DRAIN_S = Number(process.env.CAMFLEET_BENCH_DRAIN_S ?? 600);
const INTERVAL_MS = (SITES * DEVICES * 1000) / RATE;

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
/** CPU seconds (user + system) of a process and its descendants (tsx runs the server in a child node). */
function cpuSeconds(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      total += (Number(f[11]) + Number(f[12])) / 100; // clock ticks of 1/100 s
      for (const t of readdirSync(`/proc/${p}/task`)) {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) visit(Number(c));
      }
    } catch {
      // exited meanwhile
    }
  };
  visit(pid);
  return total;
}

/** Upper bucket bounds holding the 50th and 99th percentile of the server's push-delay histogram. */
async function pushPercentiles(url: string): Promise<{ p50: string; p99: string }> {
  const text = await (await fetch(`${url}/metrics`, { headers: authHeaders() })).text();
  const buckets = [...text.matchAll(/^camfleet_push_delay_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])] as const);
  const total = buckets.at(-1)?.[1] ?? 0;
  const at = (q: number) => buckets.find(([, n]) => n >= q * total)?.[0] ?? '?';
  return { p50: at(0.5), p99: at(0.99) };
}

async function main(): Promise<void> {
  console.log(`ingest bench: ${fmt(SITES)} sites × ${DEVICES} devices, offered ${fmt(RATE)} samples/s (a batch per site every ${Math.round(INTERVAL_MS)} ms), ${SECONDS} s measured after ${WARMUP} s warm-up`);
  const [mosquitto, influxd, postgres] = await Promise.all([startMosquitto(), startInflux(), startPostgres()]);
  const dir = tempDir('bench-ingest');
  let server: ReturnType<typeof spawnLogged> | undefined;
  try {
    const influxCeil = await influxCeiling(influxd.url, 'ceiling', DEVICES, Math.min(10, SECONDS));
    console.log(`ceiling  InfluxDB alone, this point shape, 5,000-point batches, 2 writers: ${fmt(influxCeil)} samples/s`);
    const brokerCeil = await brokerCeiling(mosquitto.url, SITES, DEVICES, full ? 100_000 : 20_000);
    console.log(`ceiling  Mosquitto → bare mosquitto_sub, QoS 1, ${DEVICES} samples a message: ${fmt(brokerCeil)} samples/s`);

    const port = await freePort();
    const databaseUrl = await createDatabase(postgres.url, 'camfleet_bench');
    const logFile = path.join(dir, 'server.log');
    // CAMFLEET_BENCH_PROFILE=DIR: a V8 CPU profile of the server, written when it stops.
    const profile = process.env.CAMFLEET_BENCH_PROFILE;
    const [cmd, argv] = profile
      ? [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profile}`, '--import', 'tsx', path.join(REPO, 'server/src/main.ts')]]
      : [path.join(REPO, 'node_modules/.bin/tsx'), [path.join(REPO, 'server/src/main.ts')]];
    server = spawnLogged('server', cmd, argv, {
      logFile,
      cwd: REPO,
      env: {
        ...process.env, ...testAuthEnv(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CAMFLEET_DATA_DIR: path.join(dir, 'data'),
        CAMFLEET_MQTT_URL: mosquitto.url, CAMFLEET_INFLUX_URL: `${influxd.url}/camfleet`, CAMFLEET_DATABASE_URL: databaseUrl,
      },
    });
    const url = `http://127.0.0.1:${port}`;
    const proc = server;
    await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200, {
      timeoutMs: 60_000, what: 'the server', abortIf: () => (proc.exitInfo ? tailLog(logFile) : undefined),
    });
    const sites = Array.from({ length: SITES }, (_, i) => `bench-${String(i + 1).padStart(5, '0')}`);
    const announcer = await connect(mosquitto.url);
    const t0 = Date.now();
    await announce(announcer, sites, DEVICES);
    await announcer.endAsync();
    await waitFor(async () => (await scrape(url, 'camfleet_ingest_messages_total', { kind: 'inventory' })) >= SITES, { timeoutMs: 600_000, intervalMs: 500, what: 'every inventory' });
    console.log(`setup    ${fmt(SITES)} inventories taken in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const probe = await delayProbe(url);
    const load = await startLoad({ url: mosquitto.url, sites, devices: DEVICES, intervalMs: INTERVAL_MS, flipRate: 0.05 });
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    probe.start();
    const applied0 = await scrape(url, 'camfleet_ingest_samples_total');
    const m0 = { written: await scrape(url, 'camfleet_timeseries_written_samples_total'), published: load.published(), cpu: cpuSeconds(server.child.pid!), at: Date.now() };
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const m1 = { written: await scrape(url, 'camfleet_timeseries_written_samples_total'), published: load.published(), cpu: cpuSeconds(server.child.pid!), at: Date.now() };
    const applied = (await scrape(url, 'camfleet_ingest_samples_total')) - applied0;
    const loopP99 = await scrape(url, 'camfleet_event_loop_delay_p99_seconds');
    const buffered = await scrape(url, 'camfleet_timeseries_buffered_samples');
    const serverP = await pushPercentiles(url);
    const pending = await scrape(url, 'camfleet_ingest_pending_messages');
    await load.stop();
    const elapsed = (m1.at - m0.at) / 1000;
    const stored = (m1.written - m0.written) / elapsed;
    const offered = (m1.published - m0.published) / elapsed;
    const seen = await probe.stop();
    const pushed = seen.updates / elapsed;

    const lower = Math.min(influxCeil, brokerCeil);
    console.log(`offered  ${fmt(offered)} samples/s published (QoS 1, PUBACKed by the broker)`);
    console.log(`applied  ${fmt(applied / elapsed)} samples/s validated, claimed and applied to fleet state (event-loop delay p99 ${fmt(loopP99 * 1000)} ms over the last 10 s)`);
    console.log(`stored   ${fmt(stored)} device samples/s written to InfluxDB (sustained over ${elapsed.toFixed(0)} s; at the end ${fmt(buffered)} buffered, ${fmt(pending)} batches waiting for their claim)`);
    console.log(`delay    sample time → socket.io update at the client: p50 ${fmt(seen.p50)} ms, p99 ${fmt(seen.p99)} ms (${fmt(seen.sampled)} sampled; ${fmt(pushed)} device updates/s received)`);
    console.log(`         at the server's push (camfleet_push_delay_seconds, whole run): p50 ≤ ${serverP.p50} s, p99 ≤ ${serverP.p99} s`);
    console.log(`server   ${((m1.cpu - m0.cpu) / elapsed * 100).toFixed(0)} % of one core (2 cores shared with Mosquitto, InfluxDB, PostgreSQL and this load generator)`);
    console.log(`ratio    stored / broker ceiling ${(stored / brokerCeil).toFixed(2)}; stored / InfluxDB ceiling ${(stored / influxCeil).toFixed(2)}; stored / lower ceiling (${influxCeil < brokerCeil ? 'InfluxDB' : 'broker'} binds) ${(stored / lower).toFixed(2)}`);

    // Everything published must end up stored, once (the backlog drains after the load stops).
    const total = load.published();
    const drained = await waitFor(async () => (await scrape(url, 'camfleet_timeseries_written_samples_total')) >= total, { timeoutMs: DRAIN_S * 1000, intervalMs: 1000, what: 'the backlog to drain' })
      .then(() => true, () => false);
    const rows = (await (await fetch(`${influxd.url}/query?db=camfleet&q=${encodeURIComponent('SELECT count(reachable) FROM device_sample')}`)).json()) as { results: { series?: { values: [string, number][] }[] }[] };
    const inInflux = rows.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
    const rejects = await scrape(url, 'camfleet_ingest_rejected_total');
    const dups = await scrape(url, 'camfleet_ingest_duplicates_total');

    console.log(`check    published ${fmt(total)}, in InfluxDB ${fmt(inInflux)}, rejects ${rejects}, duplicates ${dups}${inInflux === total ? ' — every sample stored once' : drained ? ' — MISMATCH' : ` — backlog not drained within ${DRAIN_S} s`}`);
    console.log(`server log: ${logFile}`);
  } finally {
    if (server) await stopProcess(server, 120_000);
    await Promise.allSettled([mosquitto.dispose(), influxd.dispose(), postgres.dispose()]);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
