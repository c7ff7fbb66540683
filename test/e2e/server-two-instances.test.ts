// Issue 4 §8 acceptance: two server processes on one Mosquitto split the telemetry through the shared
// subscription; each batch is stored once (also when a replay lands on the other instance), and the
// socket.io clients of both instances see every device change (peer deltas over the PostgreSQL adapter).
import '../harness/provided.ts';
import { InfluxDB } from 'influx';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics, type ClientToServerEvents, type DeviceStatus, type ServerToClientEvents } from '@camfleet/shared';
import { createDatabase, startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { authHeaders, socketAuth } from '../support/auth.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';
import { announce, connect, telemetry } from '../bench/ingest/sim-agents.ts';
import { scrape } from '../bench/ingest/metrics.ts';

const DB = 'camfleet_two_instances';
const SITES = Array.from({ length: 10 }, (_, i) => `pair-${i + 1}`);
const DEVICES = 10;
const BASE = Date.now() - 3600_000;

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('two server instances', () => {
  let mosquitto: MosquittoHandle;
  const servers: ServerProcess[] = [];
  const sockets: Client[] = [];
  /** Per socket: every device update received, in order. */
  const seen: DeviceStatus[][] = [[], []];
  let agent: MqttClient;
  let influx: InfluxDB;
  let databaseUrl: string;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    databaseUrl = await createDatabase(inject('postgresUrl'), DB);
    const env = { CAMFLEET_MQTT_URL: mosquitto.url, CAMFLEET_INFLUX_URL: `${inject('influxUrl')}/${DB}`, CAMFLEET_DATABASE_URL: databaseUrl, CAMFLEET_MQTT_SHARE_GROUP: 'pair',
      // Samples are stamped up to an hour back (BASE): keep them from turning STALE mid-test, which is not the subject here.
      CAMFLEET_STALE_AFTER_S: '86400' };
    servers.push(...(await Promise.all([startServer({ name: 'pair-a', env }), startServer({ name: 'pair-b', env })])));
    servers.forEach((s, i) => {
      const socket: Client = ioClient(s.url, { transports: ['websocket'], ...socketAuth() });
      socket.on('devices:update', (list) => seen[i]!.push(...list));
      // A client that reconnects gets a snapshot, then deltas: both count as what it sees.
      socket.on('fleet:snapshot', (snap) => seen[i]!.push(...snap.devices));
      sockets.push(socket);
    });
    influx = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(inject('influxUrl')).port), database: DB });
    agent = await connect(mosquitto.url);
    await announce(agent, SITES, DEVICES);
    await waitFor(async () => {
      for (const s of servers) if (((await (await fetch(`${s.url}/api/v1/sites`, { headers: authHeaders() })).json()) as { sites: unknown[] }).sites.length !== SITES.length) return false;
      return true;
    }, { timeoutMs: 15_000, what: 'both instances to know every site' });
    // The adapter's heartbeats: each instance has seen the other before telemetry starts.
    await waitFor(async () => (await Promise.all(servers.map((s) => scrape(s.url, 'camfleet_peer_instances')))).every((n) => n === 1),
      { timeoutMs: 15_000, what: 'each instance to see its peer' });
  });

  afterAll(async () => {
    for (const s of sockets) s.close();
    await agent?.endAsync();
    await Promise.all(servers.map((s) => s.stop()));
    await mosquitto?.dispose();
  });

  const publish = (site: string, seq: number, down = new Set<string>()) =>
    agent.publishAsync(topics.telemetry(site), JSON.stringify(telemetry(site, seq, BASE + seq * 10_000, DEVICES, down)), { qos: 1 });
  const stored = async () => (await influx.query<{ count: number }>('SELECT count(reachable) FROM device_sample'))[0]?.count ?? 0;
  const accepted = (s: ServerProcess) => scrape(s.url, 'camfleet_ingest_messages_total', { kind: 'telemetry' });

  it('splits the telemetry and stores each batch once, replays included', { timeout: 120_000 }, async () => {
    for (let seq = 1; seq <= 30; seq++) for (const site of SITES) await publish(site, seq);
    await waitFor(async () => (await stored()) === 30 * SITES.length * DEVICES, { timeoutMs: 30_000, what: 'all samples in InfluxDB' });
    const [a, b] = await Promise.all(servers.map(accepted));
    expect(a! + b!).toBe(30 * SITES.length);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);

    // An outbox replay of every batch: whichever instance gets each copy, the claim table drops it.
    for (let seq = 1; seq <= 30; seq++) for (const site of SITES) await publish(site, seq);
    await waitFor(async () => {
      const dups = await Promise.all(servers.map((s) => scrape(s.url, 'camfleet_ingest_duplicates_total')));
      return dups[0]! + dups[1]! === 30 * SITES.length;
    }, { timeoutMs: 20_000, what: 'every replay dropped as a duplicate' });
    const [a2, b2] = await Promise.all(servers.map(accepted));
    expect(a2! + b2!).toBe(30 * SITES.length);
    expect(await stored()).toBe(30 * SITES.length * DEVICES);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS n FROM processed_batches');
    await client.end();
    expect(rows[0].n).toBe(30 * SITES.length);
  });

  it('shows every device change on the sockets of both instances', { timeout: 60_000 }, async () => {
    const last = (i: number, site: string, device: string) => seen[i]!.filter((d) => d.site === site && d.device === device).at(-1)?.state;
    for (const site of SITES) await publish(site, 100, new Set(['cam1']));
    for (const i of [0, 1]) {
      await waitFor(() => SITES.every((site) => last(i, site, 'cam1') === 'DOWN'), { timeoutMs: 30_000, what: `instance ${i + 1}'s socket to see every cam1 DOWN` });
    }
    for (const site of SITES) await publish(site, 101);
    for (const i of [0, 1]) {
      await waitFor(() => SITES.every((site) => last(i, site, 'cam1') === 'UP'), { timeoutMs: 30_000, what: `instance ${i + 1}'s socket to see every cam1 UP again` });
    }
    // And the REST view of both agrees.
    for (const s of servers) {
      const view = (await (await fetch(`${s.url}/api/v1/fleet`, { headers: authHeaders() })).json()) as { summary: { byState: Record<string, number> } };
      expect(view.summary.byState.UP).toBe(SITES.length * DEVICES);
    }
  });
});
