// Fault: Mosquitto stopped and started again (SIGTERM: it saves its sessions and queued QoS 1 messages) while a
// real agent polls a simulated site every second and the server (persistent session, shared subscription) takes its
// telemetry. In: the agent's one sequence of telemetry and events, contiguous from 1, as a persistent observer saw
// it at the broker. Out: InfluxDB holds every sample of every batch once; PostgreSQL one claim per batch and one
// row per event; the server wrote no sample twice.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';
import { faultMs, health, influxDb, metric, outboxEntries, report, serverEnv, sharedDatabase, sleep, sql, startSiteAgent, type SiteAgent, type Sql } from './support.ts';
import { expectStoredOnce, observe, samplesByDevice, type Observer } from './traffic.ts';

const SITE = 'res-broker-01';
const DB = 'camfleet_res_broker';
const DOWN_MS = faultMs(6, 60);

describe(`Mosquitto stopped for ${DOWN_MS / 1000} s and started again`, () => {
  let broker: MosquittoHandle;
  let server: ServerProcess;
  let agent: SiteAgent;
  let observer: Observer;
  let db: Sql;
  const influx = influxDb(inject('influxUrl'), DB);

  beforeAll(async () => {
    broker = await startMosquitto();
    const databaseUrl = await sharedDatabase(DB);
    db = sql(databaseUrl);
    // The product's default session (CAMFLEET_MQTT_SESSION_EXPIRY_S 3600, stable client id): the broker keeps
    // the server's subscription and its queued share across its own restart.
    server = await startServer({ name: 'res-broker', env: serverEnv({ mqttUrl: broker.url, influxUrl: `${inject('influxUrl')}/${DB}`, databaseUrl, group: 'res-broker' }) });
    observer = await observe(broker.url, SITE, 'res-broker-observer');
    agent = await startSiteAgent({ id: SITE, mqttUrl: broker.url });
  });

  afterAll(async () => {
    await agent?.close();
    await observer?.close();
    await server?.stop();
    await db?.close();
    await broker?.dispose();
  });

  // Found by this test (bug 1, docs/bench-resilience.md): after its restart Mosquitto 2.0.11 answers the server's
  // persistent session with "session present" but has lost its shared ($share/…) subscriptions; the server now
  // always resubscribes (server/src/ingest/mqtt-ingest.ts).
  it('loses nothing and stores nothing twice', { timeout: DOWN_MS + 120_000 }, async () => {
    const started = Date.now();
    await waitFor(async () => (await influx.count([SITE])) >= 5 * 6, { timeoutMs: 30_000, what: 'five cycles in InfluxDB' });

    await broker.stop();
    await waitFor(async () => (await health(server)).components.broker?.state === 'down', { timeoutMs: 10_000, what: '/healthz to see the broker gone' });
    await sleep(DOWN_MS);
    const queued = outboxEntries(agent.stateDir).length;
    expect(queued).toBeGreaterThan(0); // the agent kept polling into its outbox
    const storedBefore = await influx.count([SITE]);
    await broker.start();
    await waitFor(async () => (await health(server)).components.broker?.state === 'up', { timeoutMs: 15_000, what: 'the server to reconnect' });
    await waitFor(async () => (await influx.count([SITE])) > storedBefore, { timeoutMs: 20_000, what: 'telemetry to be stored again after the restart' });
    await waitFor(() => outboxEntries(agent.stateDir).length <= 1, { timeoutMs: 30_000, what: 'the agent to replay its outbox' });
    await sleep(5000); // a few more live cycles after the restart
    await agent.agent.stop();
    await sleep(1500);

    // In: one sequence from 1, telemetry and events together, with no hole.
    const distinct = observer.distinct();
    const seqs = distinct.map((a) => a.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const batches = distinct.filter((a) => a.kind === 'telemetry').map((a) => a.body);
    const events = distinct.filter((a) => a.kind === 'event');

    // Out: every sample once in InfluxDB, each batch claimed once, each event stored once.
    const stored = await expectStoredOnce(influx, SITE, samplesByDevice(batches), started - 60_000);
    expect(await influx.count([SITE])).toBe(stored);
    await waitFor(async () => (await metric(server, 'camfleet_timeseries_written_samples_total')) >= stored, { timeoutMs: 10_000, what: 'the write counter' });
    expect(await metric(server, 'camfleet_timeseries_written_samples_total')).toBe(stored);
    const [claims] = await db.rows<{ n: number }>('SELECT count(*)::int AS n FROM processed_batches WHERE site_id = $1', [SITE]);
    expect(claims?.n).toBe(batches.length);
    const [storedEvents] = await db.rows<{ n: number }>('SELECT count(*)::int AS n FROM agent_events WHERE site_id = $1', [SITE]);
    expect(storedEvents?.n).toBe(events.length);
    expect(await metric(server, 'camfleet_ingest_rejected_total')).toBe(0);
    report('broker restart', {
      downS: DOWN_MS / 1000, queuedByAgent: queued, batches: batches.length, events: events.length, samplesStored: stored,
      repeatsAtBroker: observer.arrivals.length - distinct.length, duplicatesDroppedByServer: await metric(server, 'camfleet_ingest_duplicates_total'),
    });
  });
});
