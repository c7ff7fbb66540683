import { InfluxDB } from 'influx';
import { connect, type MqttClient } from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import './provided.ts';
import { createDatabase, startInflux, startMosquitto, type ServiceHandle } from './index.ts';

// More than Mosquitto's default max_queued_messages (1000): with the default the broker would
// silently drop the rest, so these counts catch a harness that forgot to lift the limit.
const N = 2500;

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function connected(url: string, opts: Parameters<typeof connect>[1] = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = connect(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}

/** Collect distinct payloads on `client` until `count` arrived or `timeoutMs` passed. */
function collect(client: MqttClient, count: number, timeoutMs: number): Promise<Set<string>> {
  const seen = new Set<string>();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(seen), timeoutMs);
    client.on('message', (_topic, payload) => {
      seen.add(payload.toString());
      if (seen.size === count) {
        clearTimeout(timer);
        resolve(seen);
      }
    });
  });
}

async function publishAll(url: string, topic: string, prefix: string): Promise<void> {
  const pub = await connected(url, { clientId: `pub-${prefix}-${process.pid}` });
  // QoS 1: each promise resolves on the broker's PUBACK, i.e. once the broker has taken the message.
  await Promise.all(Array.from({ length: N }, (_, i) => pub.publishAsync(topic, `${prefix}-${i}`, { qos: 1 })));
  await pub.endAsync();
}

const extra: ServiceHandle[] = [];
afterAll(async () => {
  await Promise.all(extra.map((s) => s.dispose()));
});

describe('harness Mosquitto', () => {
  it('is a private broker on a free port and delivers every QoS 1 message', async () => {
    const url = inject('mosquittoUrl');
    expect(url).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(portOf(url)).not.toBe(1883); // never the machine's own broker

    const topic = `harness/roundtrip/${process.pid}/${Date.now()}`;
    const sub = await connected(url, { clientId: `sub-rt-${process.pid}` });
    await sub.subscribeAsync(topic, { qos: 1 });
    const got = collect(sub, N, 20_000);
    // Stop reading (so no PUBACKs) while the stream is published: the subscriber "falls behind" and
    // the broker must hold everything beyond its in-flight window instead of dropping it.
    sub.stream.pause();
    await publishAll(url, topic, 'rt');
    sub.stream.resume();
    const seen = await got;
    await sub.endAsync();
    expect(seen.size).toBe(N);
    expect(seen.has('rt-0') && seen.has(`rt-${N - 1}`)).toBe(true);
  });

  it('keeps a persistent session and its queued QoS 1 messages across a broker restart', async () => {
    const broker = await startMosquitto();
    extra.push(broker);
    const topic = 'harness/offline';
    const clientId = `persistent-sub-${process.pid}`;

    // Register a persistent session (clean: false) with a QoS 1 subscription, then go offline.
    const first = await connected(broker.url, { clientId, clean: false });
    await first.subscribeAsync(topic, { qos: 1 });
    await first.endAsync();

    await publishAll(broker.url, topic, 'off'); // queued for the offline subscriber

    await broker.stop();
    await broker.start();
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`); // same port after restart

    // Reconnect without subscribing again: only the restored session can route messages here.
    const client = connect(broker.url, { clientId, clean: false, reconnectPeriod: 0 });
    const sessionPresent = new Promise<boolean>((resolve, reject) => {
      client.once('connect', (connack) => resolve(connack.sessionPresent));
      client.once('error', reject);
    });
    const seen = await collect(client, N, 20_000);
    expect(await sessionPresent).toBe(true);
    await client.endAsync();
    expect(seen.size).toBe(N);
  });

  it('fails to start with an error naming the service and quoting its log', async () => {
    await expect(startMosquitto({ extraConfig: ['no_such_option 1'] })).rejects.toThrow(
      /mosquitto \(port \d+, dir .*\) failed to start[\s\S]*no_such_option/,
    );
  });
});

describe('harness InfluxDB', () => {
  it('writes points and queries them back', async () => {
    const url = new URL(inject('influxUrl'));
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).not.toBe(8086);

    const database = `harness_${process.pid}`;
    const influx = new InfluxDB({ host: url.hostname, port: Number(url.port), database });
    await influx.createDatabase(database);
    await influx.writePoints([
      { measurement: 'probe', tags: { camera: 'cam-1' }, fields: { latency_ms: 12.5 }, timestamp: new Date(1_000) },
      { measurement: 'probe', tags: { camera: 'cam-2' }, fields: { latency_ms: 40 }, timestamp: new Date(2_000) },
    ]);
    const rows = await influx.query<{ camera: string; latency_ms: number }>(
      'SELECT latency_ms, camera FROM probe ORDER BY time',
    );
    expect(rows.map((r) => [r.camera, r.latency_ms])).toEqual([
      ['cam-1', 12.5],
      ['cam-2', 40],
    ]);
  });

  it('keeps its data across stop/start', async () => {
    const server = await startInflux();
    extra.push(server);
    const influx = new InfluxDB({ host: '127.0.0.1', port: server.port, database: 'keep' });
    await influx.createDatabase('keep');
    await influx.writePoints([{ measurement: 'm', fields: { v: 7 }, timestamp: new Date(5_000) }]);
    await server.stop();
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow(); // really down
    await server.start();
    const rows = await influx.query<{ v: number }>('SELECT v FROM m');
    expect(rows.map((r) => r.v)).toEqual([7]);
  });
});

describe('harness PostgreSQL', () => {
  it('creates a database and round-trips a table', async () => {
    const adminUrl = inject('postgresUrl');
    expect(portOf(adminUrl)).not.toBe(5432); // never the machine's own server

    const name = `harness_rt_${process.pid}`;
    const dbUrl = await createDatabase(adminUrl, name);
    expect(dbUrl).toBe(`postgres://postgres@127.0.0.1:${portOf(adminUrl)}/${name}`);

    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      const db = await client.query<{ db: string; fsync: string }>(
        "SELECT current_database() AS db, current_setting('fsync') AS fsync",
      );
      expect(db.rows[0]).toEqual({ db: name, fsync: 'off' });
      await client.query('CREATE TABLE camera (id text PRIMARY KEY, up boolean NOT NULL)');
      await client.query('INSERT INTO camera VALUES ($1, $2), ($3, $4)', ['cam-1', true, 'cam-2', false]);
      const rows = await client.query<{ id: string; up: boolean }>('SELECT id, up FROM camera ORDER BY id');
      expect(rows.rows).toEqual([
        { id: 'cam-1', up: true },
        { id: 'cam-2', up: false },
      ]);
    } finally {
      await client.end();
    }
  });
});
