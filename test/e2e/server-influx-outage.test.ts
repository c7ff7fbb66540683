// Issue 4 §2 acceptance: InfluxDB stopped for 60 s while telemetry flows. The server keeps taking
// telemetry, buffers it in memory and spills to CAMFLEET_DATA_DIR past its memory bound, reports
// `degraded`, and once InfluxDB is back every sample is there, once.
import '../harness/provided.ts';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { InfluxDB } from 'influx';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics } from '@camfleet/shared';
import { createDatabase, startInflux, startMosquitto, waitFor, type InfluxHandle, type MosquittoHandle } from '../harness/index.ts';
import { startInProcess, type InProcessServer } from '../bench/ingest/inprocess.ts';
import { announce, connect, telemetry } from '../bench/ingest/sim-agents.ts';

const DB = 'camfleet_outage';
const SITES = Array.from({ length: 5 }, (_, i) => `outage-${i + 1}`);
const DEVICES = 10;

describe('InfluxDB outage of 60 s while telemetry flows', () => {
  let influxd: InfluxHandle;
  let mosquitto: MosquittoHandle;
  let server: InProcessServer;
  let agent: MqttClient;
  let influx: InfluxDB;

  beforeAll(async () => {
    [influxd, mosquitto] = await Promise.all([startInflux(), startMosquitto()]);
    server = await startInProcess({
      mqttUrl: mosquitto.url,
      influxUrl: `${influxd.url}/${DB}`,
      databaseUrl: await createDatabase(inject('postgresUrl'), DB),
      mqttShareGroup: 'outage',
      tsMemoryPoints: 10_000, // small, so the outage spills to disk
    }, 'outage');
    influx = new InfluxDB({ host: '127.0.0.1', port: influxd.port, database: DB });
    agent = await connect(mosquitto.url);
    await announce(agent, SITES, DEVICES);
    await waitFor(() => SITES.every((s) => server.app.core.fleet.hasSite(s)), { timeoutMs: 10_000, what: 'the inventories' });
  });

  afterAll(async () => {
    await agent?.endAsync();
    await server?.close();
    await Promise.all([influxd?.dispose(), mosquitto?.dispose()]);
  });

  it('buffers (memory, then disk), reports degraded, and stores every sample once after the restart', { timeout: 240_000 }, async () => {
    let seq = 0;
    let published = 0;
    let running = true;
    const start = Date.now();
    // 5 sites × 10 devices every 100 ms: 500 samples/s.
    const pump = (async () => {
      while (running) {
        seq++;
        const at = Date.now();
        for (const site of SITES) {
          await agent.publishAsync(topics.telemetry(site), JSON.stringify(telemetry(site, seq, at, DEVICES)), { qos: 1 });
          published += DEVICES;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    type Health = { status: string; components: { timeseries: { state: string; buffered: number; spilled: number } } };
    const health = async () => (await fetch(`${server.url}/healthz`)).json() as Promise<Health>;
    const spillFiles = () => readdirSync(path.join(server.dataDir, 'timeseries-spill'));
    try {
      await new Promise((r) => setTimeout(r, 5000));
      expect((await health()).status).toBe('ok');
      await influxd.stop();
      const stoppedAt = Date.now();
      await waitFor(async () => (await health()).status === 'degraded', { timeoutMs: 15_000, what: '/healthz to say degraded' });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // degraded is still ready
      await waitFor(() => Date.now() - stoppedAt >= 60_000, { timeoutMs: 70_000, intervalMs: 1000, what: '60 s of outage' });
      const during = await health();
      expect(during.components.timeseries.state).toBe('degraded');
      expect(during.components.timeseries.buffered).toBeGreaterThan(20_000);
      expect(during.components.timeseries.spilled).toBeGreaterThan(0);
      expect(spillFiles().length).toBeGreaterThan(0);
      await influxd.start();
      await new Promise((r) => setTimeout(r, 5000));
    } finally {
      running = false;
      await pump;
    }
    await server.app.core.dispatcher.drain();
    await waitFor(async () => (await health()).components.timeseries.buffered === 0, { timeoutMs: 90_000, intervalMs: 500, what: 'the buffer to drain' });
    expect((await health()).status).toBe('ok');

    const [row] = await influx.query<{ count: number }>(`SELECT count(reachable) FROM device_sample WHERE time >= ${start - 1000}ms`);
    expect(row?.count).toBe(published);
    // One point per (device, sample time): a device has exactly as many points as batches were sent.
    const perDevice = await influx.query<{ count: number }>(`SELECT count(reachable) FROM device_sample WHERE site = 'outage-1' AND device = 'gw' AND time >= ${start - 1000}ms`);
    expect(perDevice[0]?.count).toBe(seq);
    expect(server.metric('camfleet_ingest_rejected_total')).toBe(0);
    expect(server.metric('camfleet_ingest_samples_total')).toBe(published);
    expect(spillFiles()).toEqual([]);
  });
});
