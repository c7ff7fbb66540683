// Issue 4 §1 + §3 acceptance: a server killed with SIGKILL and restarted restores fleet state (states and
// their since-when, site worst state and root cause) from PostgreSQL, takes the telemetry the broker kept
// for its session meanwhile, and drops the agent's replays as duplicates — nothing stored twice.
import '../harness/provided.ts';
import { InfluxDB } from 'influx';
import type { MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics, type DeviceStatus, type SiteStatus } from '@camfleet/shared';
import { createDatabase, startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { authHeaders } from '../support/auth.ts';
import { startServer, tempDir, type ServerProcess } from '../support/processes.ts';
import { announce, connect, telemetry } from '../bench/ingest/sim-agents.ts';
import { scrape } from '../bench/ingest/metrics.ts';

const DB = 'camfleet_restart';
const SITES = ['restart-1', 'restart-2', 'restart-3'];
const DEVICES = 8;
const BASE = Date.now() - 3600_000;

describe('SIGKILL and restart', () => {
  let mosquitto: MosquittoHandle;
  let server: ServerProcess | undefined;
  let agent: MqttClient;
  let influx: InfluxDB;
  let databaseUrl: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    databaseUrl = await createDatabase(inject('postgresUrl'), DB);
    env = {
      CAMFLEET_MQTT_URL: mosquitto.url,
      CAMFLEET_INFLUX_URL: `${inject('influxUrl')}/${DB}`,
      CAMFLEET_DATABASE_URL: databaseUrl,
      CAMFLEET_MQTT_CLIENT_ID: 'restart-server-1', // the same session after the restart
      CAMFLEET_DATA_DIR: tempDir('restart-data'),
    };
    influx = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(inject('influxUrl')).port), database: DB });
    agent = await connect(mosquitto.url);
  });

  afterAll(async () => {
    await agent?.endAsync();
    await server?.stop();
    await mosquitto?.dispose();
  });

  const publish = async (site: string, seq: number, down: Set<string>) =>
    agent.publishAsync(topics.telemetry(site), JSON.stringify(telemetry(site, seq, BASE + seq * 10_000, DEVICES, down)), { qos: 1 });
  const stored = async () => (await influx.query<{ count: number }>('SELECT count(reachable) FROM device_sample'))[0]?.count ?? 0;
  const siteView = async (s: ServerProcess, site: string) =>
    (await (await fetch(`${s.url}/api/v1/sites/${site}`, { headers: authHeaders() })).json()) as { site: SiteStatus; devices: DeviceStatus[] };

  it('restores fleet state, takes what the broker kept, and stores each sample once', { timeout: 180_000 }, async () => {
    server = await startServer({ name: 'restart', env });
    await announce(agent, SITES, DEVICES);
    await waitFor(async () => (await siteView(server!, 'restart-3')).devices.length === DEVICES, { timeoutMs: 10_000, what: 'inventories' });
    // The switch of restart-1 is down, so everything behind it is UNREACHABLE and sw is the root cause.
    const down = new Set(['sw', 'rt', 'onu', 'cam1', 'cam2', 'cam3', 'cam4']);
    for (let seq = 1; seq <= 20; seq++) for (const site of SITES) await publish(site, seq, site === 'restart-1' ? down : new Set());
    await waitFor(async () => (await stored()) === 20 * SITES.length * DEVICES, { timeoutMs: 20_000, what: 'the first 20 batches in InfluxDB' });
    const before = await siteView(server, 'restart-1');
    expect(before.site).toMatchObject({ worst: 'DOWN', rootCause: 'sw' });
    expect(before.devices.find((d) => d.device === 'cam1')?.state).toBe('UNREACHABLE');
    // Wait until the state is in PostgreSQL (persisted once a second), then kill without warning.
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await waitFor(async () => (await client.query("SELECT count(*)::int AS n FROM devices WHERE site_id = 'restart-1' AND state = 'UNREACHABLE'")).rows[0].n === 6,
        { timeoutMs: 10_000, what: 'state persisted' });
      await server.kill();
      expect(server.proc.exitInfo?.signal).toBe('SIGKILL');

      // While it is down: five more batches per site, which the broker keeps for the server's session.
      for (let seq = 21; seq <= 25; seq++) for (const site of SITES) await publish(site, seq, site === 'restart-1' ? down : new Set());
      server = await startServer({ name: 'restart', env });
      const after = await siteView(server, 'restart-1');
      expect(after.site).toMatchObject({ worst: 'DOWN', rootCause: 'sw' });
      for (const d of before.devices) {
        expect(after.devices.find((x) => x.device === d.device), d.device).toMatchObject({ state: d.state, since: d.since });
      }
      await waitFor(async () => (await stored()) === 25 * SITES.length * DEVICES, { timeoutMs: 20_000, what: 'the batches sent while the server was down' });

      // The agent's outbox replays 15..25 after a reconnect: all of them are duplicates now.
      for (let seq = 15; seq <= 25; seq++) for (const site of SITES) await publish(site, seq, site === 'restart-1' ? down : new Set());
      await waitFor(async () => (await scrape(server!.url, 'camfleet_ingest_duplicates_total')) === 11 * SITES.length, { timeoutMs: 10_000, what: 'the replays counted as duplicates' });
      expect(await scrape(server.url, 'camfleet_ingest_rejected_total')).toBe(0);
      expect(await stored()).toBe(25 * SITES.length * DEVICES);
      const claims = await client.query('SELECT site_id, count(*)::int AS n, max(seq)::int AS hi FROM processed_batches GROUP BY site_id ORDER BY site_id');
      expect(claims.rows).toEqual(SITES.map((s) => ({ site_id: s, n: 25, hi: 25 })));

      // An agent whose state dir was wiped starts again at seq 1: new batches (new times), not replays.
      await agent.publishAsync(topics.telemetry('restart-2'), JSON.stringify(telemetry('restart-2', 1, BASE + 1_000_000, DEVICES)), { qos: 1 });
      await waitFor(async () => (await stored()) === 25 * SITES.length * DEVICES + DEVICES, { timeoutMs: 10_000, what: 'the restarted sequence stored' });
      expect(await scrape(server.url, 'camfleet_ingest_duplicates_total')).toBe(11 * SITES.length);
    } finally {
      await client.end();
    }
  });

  it('loses nothing it took when killed in the middle of a stream (ingest journal + broker session)', { timeout: 120_000 }, async () => {
    const before = await stored();
    let published = 0;
    let running = true;
    const pump = (async () => {
      for (let seq = 1000; running; seq++) {
        for (const site of SITES) await publish(site, seq, new Set());
        published += SITES.length * DEVICES;
        await new Promise((r) => setTimeout(r, 5)); // about 500 batches/s
      }
    })();
    try {
      await waitFor(async () => (await stored()) > before + 2000, { timeoutMs: 20_000, what: 'the stream to flow' });
      await server!.kill();
      await new Promise((r) => setTimeout(r, 1000));
      server = await startServer({ name: 'restart', env });
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      running = false;
      await pump;
    }
    await waitFor(async () => (await stored()) === before + published, { timeoutMs: 60_000, intervalMs: 500, what: `all ${published} samples of the stream stored` });
    expect(await scrape(server!.url, 'camfleet_ingest_rejected_total')).toBe(0);
  });
});
