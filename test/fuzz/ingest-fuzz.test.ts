// Issue 4 acceptance, fuzz: 10,000 random and mutated payloads on the telemetry topics (truncated JSON,
// wrong types, huge arrays, deep nesting, 1 MB strings, wrong site in the topic, random bytes) through a
// real Mosquitto into the server, with valid telemetry in between. The server stays up, its memory stays
// bounded, every reject is counted, and every valid batch is stored. Then 10,000 more straight into the
// dispatcher with random topics.
import '../harness/provided.ts';
import { InfluxDB } from 'influx';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics } from '@camfleet/shared';
import { createDatabase, startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startInProcess, type InProcessServer } from '../bench/ingest/inprocess.ts';
import { announce, connect, telemetry } from '../bench/ingest/sim-agents.ts';
import { fuzzCase, rng } from './payloads.ts';

const DB = 'camfleet_fuzz';
const SITES = ['fuzz-1', 'fuzz-2', 'fuzz-3'];
const CASES = 10_000;
const VALID_EVERY = 25;
const SEED = Number(process.env.CAMFLEET_FUZZ_SEED ?? 20261122);

describe('ingest fuzz', () => {
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
      mqttShareGroup: 'fuzz',
    }, 'fuzz');
    influx = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(inject('influxUrl')).port), database: DB });
    agent = await connect(mosquitto.url);
    await announce(agent, SITES, 5);
    await waitFor(() => SITES.every((s) => server.app.core.fleet.hasSite(s)), { timeoutMs: 10_000, what: 'inventories' });
  });

  afterAll(async () => {
    await agent?.endAsync();
    await server?.close();
    await mosquitto?.dispose();
  });

  it(`survives ${CASES} bad payloads over MQTT, counts each, and stores the valid traffic in between`, { timeout: 300_000 }, async () => {
    const r = rng(SEED);
    const heapBefore = process.memoryUsage().heapUsed;
    const kinds = new Map<string, number>();
    let heapPeak = 0;
    let valid = 0;
    const base = Date.now() - 3600_000;
    for (let i = 0; i < CASES; i++) {
      const f = fuzzCase(i, r, SITES);
      kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
      const topic = f.topicKind === 'event' ? topics.event(f.topicSite) : topics.telemetry(f.topicSite);
      await agent.publishAsync(topic, f.payload, { qos: 1 });
      if (i % VALID_EVERY === 0) {
        valid++;
        const site = SITES[valid % SITES.length]!;
        await agent.publishAsync(topics.telemetry(site), JSON.stringify(telemetry(site, valid, base + valid * 1000, 5)), { qos: 1 });
      }
      if (i % 500 === 0) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    await waitFor(() => server.metric('camfleet_ingest_rejected_total') >= CASES, { timeoutMs: 60_000, what: 'every bad payload to be counted' });
    await server.app.core.dispatcher.drain();
    await server.app.core.timeseries.flush();
    console.log(`fuzz seed ${SEED}: ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; heap ${Math.round(heapBefore / 1e6)} → peak ${Math.round(heapPeak / 1e6)} MB`);

    expect(server.metric('camfleet_ingest_rejected_total')).toBe(CASES);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(server.metric('camfleet_ingest_messages_total', { kind: 'telemetry' })).toBe(valid);
    const [row] = await influx.query<{ count: number }>('SELECT count(reachable) FROM device_sample');
    expect(row?.count).toBe(valid * 5);
    // Bounded: nothing of the rejected traffic is kept (server and test share this process).
    expect(heapPeak - heapBefore).toBeLessThan(300 * 1024 * 1024);
    for (const k of ['random-bytes', 'truncated', 'wrong-type', 'huge-array', 'deep-nesting', '1mb-string', 'wrong-site', 'mutated']) expect(kinds.get(k)).toBeGreaterThan(0);
    for (const reason of ['bad-json', 'schema', 'too-large', 'site-mismatch', 'unknown-site']) {
      expect(server.metric('camfleet_ingest_rejected_total', { reason })).toBeGreaterThan(0);
    }
  });

  it('never throws on random topics and bytes handed straight to the dispatcher', async () => {
    const r = rng(SEED + 1);
    const before = server.metric('camfleet_ingest_rejected_total');
    const alphabet = ['camfleet', 'v1', 'fuzz-1', 'telemetry', 'event', 'cmd', 'result', 'agent', 'state', '', '+', '#', '\u0000', 'ü', '..', 'a'.repeat(100)];
    for (let i = 0; i < CASES; i++) {
      const parts = Array.from({ length: 1 + Math.floor(r() * 7) }, () => alphabet[Math.floor(r() * alphabet.length)]!);
      const topic = i % 3 === 0 ? `camfleet/v1/fuzz-1/${parts.join('/')}` : parts.join('/');
      const payload = Buffer.alloc(Math.floor(r() * 300));
      for (let k = 0; k < payload.length; k++) payload[k] = Math.floor(r() * 256);
      await server.app.core.dispatcher.dispatch(topic, payload);
    }
    expect(server.metric('camfleet_ingest_rejected_total') - before).toBe(CASES);
  });
});
