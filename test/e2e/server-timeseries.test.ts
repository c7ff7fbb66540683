// Issue 4 §2 on a real InfluxDB: retention policies and continuous queries created at start, rollups
// filled (and refilled after a replay), and history past raw retention answered from the rollups.
import '../harness/provided.ts';
import { InfluxDB } from 'influx';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics } from '@camfleet/shared';
import { createDatabase, startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startInProcess, type InProcessServer } from '../bench/ingest/inprocess.ts';
import { announce, connect, telemetry } from '../bench/ingest/sim-agents.ts';
import { authHeaders } from '../support/auth.ts';
import { backfillRollups } from '../../server/src/timeseries/influx-schema.ts';

const DB = 'camfleet_rollups';
const SITE = 'rollup-shop';

describe('InfluxDB retention and rollups', () => {
  let mosquitto: MosquittoHandle;
  let server: InProcessServer;
  let agent: MqttClient;
  let influx: InfluxDB;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    server = await startInProcess({
      mqttUrl: mosquitto.url,
      influxUrl: `${inject('influxUrl')}/${DB}`,
      databaseUrl: await createDatabase(inject('postgresUrl'), DB),
      mqttShareGroup: 'rollups',
      influxRetention: { raw: '2h', rollup5m: '30d', rollup1h: '104w' }, // raw kept 2 h (1 h is InfluxDB's minimum)
    }, 'rollups');
    influx = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(inject('influxUrl')).port), database: DB });
    agent = await connect(mosquitto.url);
    await announce(agent, [SITE], 5);
    await waitFor(() => server.app.core.fleet.hasSite(SITE), { timeoutMs: 10_000, what: 'inventory' });
  });

  afterAll(async () => {
    await agent?.endAsync();
    await server?.close();
    await mosquitto?.dispose();
  });

  it('creates the retention policies and continuous queries', async () => {
    const rps = await influx.showRetentionPolicies(DB);
    expect(rps.find((r) => r.name === 'raw')).toMatchObject({ duration: '2h0m0s', default: true });
    expect(rps.find((r) => r.name === 'rollup_5m')).toMatchObject({ duration: '720h0m0s' });
    expect(rps.find((r) => r.name === 'rollup_1h')).toMatchObject({ duration: '17472h0m0s' });
    const cqs = (await influx.showContinousQueries(DB)).map((c) => c.name);
    expect(cqs).toEqual(expect.arrayContaining(['cq_device_sample_5m', 'cq_device_sample_1h']));
  });

  it('rolls samples up to 5 minutes and an hour, and answers long ranges from the rollups', async () => {
    const now = Date.now();
    const start = now - 100 * 60_000; // within the 2 h of raw retention
    for (let i = 0; i < 100; i++) {
      // cam1 down every other minute: availability 0.5
      const down = i % 2 === 0 ? new Set(['cam1']) : new Set<string>();
      await agent.publishAsync(topics.telemetry(SITE), JSON.stringify(telemetry(SITE, i + 1, start + i * 60_000, 5, down)), { qos: 1 });
    }
    await waitFor(() => server.metric('camfleet_ingest_messages_total', { kind: 'telemetry' }) === 100, { timeoutMs: 10_000, what: 'the 100 batches' });
    await server.app.core.timeseries.flush();
    await backfillRollups(influx, DB, start);
    const five = await influx.query<{ mean_reachable: number }>(`SELECT mean_reachable FROM rollup_5m.device_sample_5m WHERE device = 'cam1' AND site = '${SITE}'`);
    expect(five.length).toBeGreaterThanOrEqual(20);
    const hourly = await influx.query<{ mean_reachable: number }>(`SELECT mean_reachable FROM rollup_1h.device_sample_1h WHERE device = 'gw'`);
    expect(hourly.length).toBeGreaterThanOrEqual(2);
    expect(hourly.every((h) => h.mean_reachable === 1)).toBe(true);

    // A range that starts before raw retention is answered from the 5-minute rollup.
    const from = new Date(now - 3 * 3600_000).toISOString();
    const res = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1/history?from=${from}&to=${new Date(now).toISOString()}`, { headers: authHeaders() });
    const body = (await res.json()) as { source: string; stepMs: number; samples: { at: string; reachable: number; latencyMs?: number }[] };
    expect(body.source).toBe('5m');
    expect(body.stepMs).toBe(300_000);
    expect(body.samples.length).toBeGreaterThanOrEqual(19);
    const inner = body.samples.slice(1, -1); // whole buckets: 5 samples, 2 or 3 of them down
    expect(inner.every((s) => s.reachable >= 0.4 && s.reachable <= 0.6)).toBe(true);
  });
});
