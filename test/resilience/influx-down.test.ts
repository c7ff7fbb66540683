// Fault: InfluxDB stopped for 2 minutes (CAMFLEET_RESILIENCE_FULL=1; 20 s in CI) while 1,000 samples/s flow into a
// spawned server whose memory buffer (CAMFLEET_TS_BUFFER_POINTS at its minimum, 10,000) is small enough that the
// outage spills to disk. In: every batch the broker PUBACKed to the simulated agents. Out: InfluxDB holds every
// sample once (per device exactly the batches' sample times), the server wrote each sample once, and its journal
// and spill directories are empty again — recovered without anyone touching the server.
// (test/e2e/server-influx-outage.test.ts covers the in-process server for 60 s; this is the deployed process.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInflux, startMosquitto, waitFor, type InfluxHandle, type MosquittoHandle } from '../harness/index.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';
import { dataDirOf, dataFiles, faultMs, health, influxDb, metric, report, serverEnv, sharedDatabase, sleep } from './support.ts';
import { expectStoredOnce, samplesByDevice, startPump, type Pump } from './traffic.ts';

const DB = 'camfleet_res_influx';
const SITES = Array.from({ length: 10 }, (_, i) => `res-influx-${i + 1}`);
const DEVICES = 10;
const OUTAGE_MS = faultMs(20, 120);

describe(`InfluxDB down ${OUTAGE_MS / 1000} s while telemetry flows`, () => {
  let influxd: InfluxHandle;
  let broker: MosquittoHandle;
  let server: ServerProcess;
  let pump: Pump | undefined;

  beforeAll(async () => {
    [influxd, broker] = await Promise.all([startInflux(), startMosquitto()]);
    server = await startServer({
      name: 'res-influx',
      env: serverEnv({ mqttUrl: broker.url, influxUrl: `${influxd.url}/${DB}`, databaseUrl: await sharedDatabase(DB), group: 'res-influx', extra: { CAMFLEET_TS_BUFFER_POINTS: '10000' } }),
    });
  });

  afterAll(async () => {
    await pump?.stop();
    await server?.stop();
    await Promise.all([influxd?.dispose(), broker?.dispose()]);
  });

  it('buffers, spills, and stores every sample once when InfluxDB is back', { timeout: OUTAGE_MS + 180_000 }, async () => {
    const started = Date.now();
    pump = await startPump({ mqttUrl: broker.url, sites: SITES, devices: DEVICES, intervalMs: 100, clientId: 'res-influx-pump' });
    await waitFor(() => SITES.every((s) => pump!.batches(s).length > 0), { timeoutMs: 10_000, what: 'the pump to start' });
    await sleep(3000);
    expect((await health(server)).status).toBe('ok');

    await influxd.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => (await health(server)).components.timeseries?.state === 'degraded', { timeoutMs: 15_000, what: '/healthz to say degraded' });
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    const during = await health(server);
    expect(during.httpStatus).toBe(200); // degraded, still taking telemetry
    expect(during.components.timeseries?.spilled).toBeGreaterThan(0);
    expect(dataFiles(dataDirOf(server), 'timeseries-spill').length).toBeGreaterThan(0);
    await influxd.start();
    await sleep(3000); // telemetry keeps flowing while the backlog drains
    await pump.stop();
    const published = pump.published();

    await waitFor(async () => (await health(server)).components.timeseries?.buffered === 0, { timeoutMs: 120_000, intervalMs: 500, what: 'the buffer to drain' });
    expect((await health(server)).status).toBe('ok');
    const influx = influxDb(influxd.url, DB);
    let stored = 0;
    for (const site of SITES) stored += await expectStoredOnce(influx, site, samplesByDevice(pump.batches(site)), started - 60_000);
    expect(stored).toBe(published);
    expect(await influx.count(SITES)).toBe(published);
    expect(await metric(server, 'camfleet_timeseries_written_samples_total')).toBe(published);
    expect(await metric(server, 'camfleet_ingest_rejected_total')).toBe(0);
    await waitFor(() => dataFiles(dataDirOf(server), 'timeseries-spill').length === 0 && dataFiles(dataDirOf(server), 'ingest-journal').length === 0, { timeoutMs: 10_000, what: 'spill and journal to empty' });
    report('InfluxDB down', { outageS: OUTAGE_MS / 1000, bufferedAtOutageEnd: during.components.timeseries?.buffered ?? 0, spilledAtOutageEnd: during.components.timeseries?.spilled ?? 0, published, stored });
  });
});
