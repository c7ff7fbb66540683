// Issue 4 §4–7 on real Mosquitto, InfluxDB and PostgreSQL, server built in process: inventory import
// checked by the agent's own checker, reboot commands with the agent's answer, OpenAPI, per-site socket
// rooms, /metrics, and history downsampled to the range.
import '../harness/provided.ts';
import type { MqttClient } from 'mqtt';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { topics, type ClientToServerEvents, type ServerToClientEvents, type SiteSnapshot, type SiteUpdate } from '@camfleet/shared';
import { createDatabase, startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startInProcess, type InProcessServer } from '../bench/ingest/inprocess.ts';
import { announce, connect, presence, telemetry } from '../bench/ingest/sim-agents.ts';
import { authHeaders, socketAuth } from '../support/auth.ts';

const DB = 'camfleet_server_api';
const SITE = 'api-shop-01';

const SITE_YAML = `site:
  id: import-shop-07
  name: Imported shop
  region: west
  contractId: ABC1234567
mqtt:
  url: mqtt://broker.example:1883
  username: import-shop-07
  password: broker-secret-123
devices:
  - id: gw
    segment: gateway
    address: 10.0.0.1
  - id: cam1
    segment: camera
    parent: gw
    address: 10.0.0.11
    vendor: AXIS
    model: M3085-V
    onvif: { username: admin, password: camera-secret-456 }
`;

describe('server API on real services', () => {
  let mosquitto: MosquittoHandle;
  let server: InProcessServer;
  let agent: MqttClient;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    server = await startInProcess({
      mqttUrl: mosquitto.url,
      influxUrl: `${inject('influxUrl')}/${DB}`,
      databaseUrl: await createDatabase(inject('postgresUrl'), DB),
      mqttShareGroup: 'api',
    }, 'api');
    agent = await connect(mosquitto.url);
    await announce(agent, [SITE], 6);
    await waitFor(async () => server.app.core.fleet.deviceStatus(SITE, 'cam1')?.segment === 'camera', { timeoutMs: 10_000, what: 'the inventory' });
  });

  afterAll(async () => {
    await agent?.endAsync();
    await server?.close();
    await mosquitto?.dispose();
  });

  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { ...authHeaders(), 'content-type': type }, body });

  describe('inventory import', () => {
    it('stores the inventory of a valid site YAML, without any credential', async () => {
      const res = await post('/api/v1/inventory/import', SITE_YAML, 'application/yaml');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ site: 'import-shop-07', devices: 2, created: true });
      const { rows } = await server.app.core.db.query<{ inventory: unknown }>('SELECT inventory FROM sites WHERE id = $1', ['import-shop-07']);
      const stored = JSON.stringify(rows[0]?.inventory);
      expect(stored).toContain('"model":"M3085-V"');
      expect(stored).not.toMatch(/secret|password|username|onvif|mqtt/);
      const site = (await (await fetch(`${server.url}/api/v1/sites/import-shop-07`, { headers: authHeaders() })).json()) as { site: { region: string }; devices: { device: string; parent?: string }[] };
      expect(site.site.region).toBe('west');
      expect(site.devices.find((d) => d.device === 'cam1')?.parent).toBe('gw');
      // The same text as JSON works too.
      const again = await post('/api/v1/inventory/import', JSON.stringify({ yaml: SITE_YAML }));
      expect(await again.json()).toMatchObject({ site: 'import-shop-07', created: false });
    });

    it('answers 400 with the checker\'s problems, naming file, line and field', async () => {
      const bad = SITE_YAML.replace('parent: gw', 'parent: gw9');
      const res = await post('/api/v1/inventory/import', JSON.stringify({ yaml: bad, fileName: 'shop7.yaml' }));
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; field: string; problems: { file: string; line: number; path: string; text: string }[] } };
      expect(body.error.code).toBe('invalid-site-config');
      expect(body.error.field).toBe('devices[1].parent');
      expect(body.error.problems[0]).toMatchObject({ file: 'shop7.yaml', line: 16, path: 'devices[1].parent' });
      expect(body.error.problems[0]!.text).toMatch(/^shop7\.yaml:16 devices\[1\]\.parent: /);
    });

    it('answers 400 naming the field for a malformed request', async () => {
      const res = await post('/api/v1/inventory/import', JSON.stringify({ yml: 'x' }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { field: string } }).error.field).toBe('yaml');
    });
  });

  describe('reboot command', () => {
    it('returns the agent\'s result: 200 on success, 502 on failure, 504 without an answer', async () => {
      let answer: 'ok' | 'fail' | 'none' = 'ok';
      await agent.subscribeAsync(topics.cmd(SITE, 'reboot'), { qos: 1 });
      agent.on('message', (topic, payload) => {
        if (topic !== topics.cmd(SITE, 'reboot') || answer === 'none') return;
        const cmd = JSON.parse(payload.toString()) as { id: string; device: string };
        const result = { v: 1, id: cmd.id, at: new Date().toISOString(), ok: answer === 'ok', ...(answer === 'ok' ? {} : { code: 'onvif-error', message: `cannot reboot ${cmd.device}` }) };
        void agent.publishAsync(topics.cmdResult(SITE, 'reboot'), JSON.stringify(result), { qos: 1 });
      });
      const reboot = (device: string, body = '{}') => post(`/api/v1/sites/${SITE}/devices/${device}/reboot`, body);
      const ok = await reboot('cam1');
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ site: SITE, device: 'cam1', result: { ok: true } });
      answer = 'fail';
      const failed = await reboot('cam1');
      expect(failed.status).toBe(502);
      expect(await failed.json()).toMatchObject({ error: { code: 'command-failed', result: { ok: false, code: 'onvif-error' } } });
      answer = 'none';
      const timeout = await reboot('cam1', JSON.stringify({ timeoutS: 1 }));
      expect(timeout.status).toBe(504);
      expect(((await timeout.json()) as { error: { code: string } }).error.code).toBe('command-timeout');
      expect((await reboot('nope')).status).toBe(404);
      await agent.publishAsync(topics.state(SITE), JSON.stringify(presence(SITE, 'offline')), { qos: 1, retain: true });
      await waitFor(() => server.app.core.fleet.siteStatus(SITE)?.agent === 'offline', { timeoutMs: 5000, what: 'the agent offline' });
      const offline = await reboot('cam1');
      expect(offline.status).toBe(409);
      expect(((await offline.json()) as { error: { code: string } }).error.code).toBe('agent-offline');
      await agent.publishAsync(topics.state(SITE), JSON.stringify(presence(SITE, 'online')), { qos: 1, retain: true });
      await waitFor(() => server.app.core.fleet.siteStatus(SITE)?.agent === 'online', { timeoutMs: 5000, what: 'the agent online' });
      const invalid = await reboot('cam1', JSON.stringify({ timeoutS: 'soon' }));
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as { error: { field: string } }).error.field).toBe('timeoutS');
    });
  });

  it('serves the OpenAPI spec at /docs', async () => {
    const spec = (await (await fetch(`${server.url}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    for (const p of ['/api/v1/sites', '/api/v1/sites/{site}/devices/{device}/history', '/api/v1/inventory/import', '/api/v1/sites/{site}/devices/{device}/reboot']) {
      expect(Object.keys(spec.paths)).toContain(p);
    }
    expect((await fetch(`${server.url}/docs`)).status).toBeLessThan(400);
  });

  it('pushes a subscribed site\'s snapshot, then its coalesced changes, to the site room', async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(server.url, { transports: ['websocket'], ...socketAuth() });
    try {
      const snapshots: SiteSnapshot[] = [];
      const updates: SiteUpdate[] = [];
      socket.on('site:snapshot', (s) => snapshots.push(s));
      socket.on('site:update', (u) => updates.push(u));
      socket.emit('site:subscribe', SITE);
      await expect.poll(() => snapshots.length, { timeout: 5000 }).toBe(1);
      expect(snapshots[0]!.devices.map((d) => d.device)).toContain('cam1');
      await agent.publishAsync(topics.telemetry(SITE), JSON.stringify(telemetry(SITE, 1, Date.now(), 6, new Set(['cam1']))), { qos: 1 });
      await expect.poll(() => updates.flatMap((u) => u.devices).filter((d) => d.device === 'cam1').at(-1)?.state, { timeout: 15_000 }).toBe('DOWN');
      expect(updates.every((u) => u.site === SITE)).toBe(true);
      socket.emit('site:unsubscribe', SITE);
    } finally {
      socket.close();
    }
  });

  it('exposes the ingest metrics in Prometheus format', async () => {
    await expect.poll(async () => (await fetch(`${server.url}/metrics`, { headers: authHeaders() })).text(), { timeout: 10_000 }).toContain('camfleet_timeseries_write_batches_total');
    const text = await (await fetch(`${server.url}/metrics`, { headers: authHeaders() })).text();
    for (const name of ['camfleet_ingest_messages_total', 'camfleet_ingest_samples_total', 'camfleet_timeseries_buffered_samples', 'camfleet_ingest_lag_seconds_bucket', 'camfleet_socket_clients']) {
      expect(text).toContain(name);
    }
  });

  it('answers history downsampled to the range', async () => {
    const base = Date.now() - 3 * 3600_000;
    for (let i = 0; i < 60; i++) {
      await agent.publishAsync(topics.telemetry(SITE), JSON.stringify(telemetry(SITE, 100 + i, base + i * 120_000, 6)), { qos: 1 });
    }
    await waitFor(() => server.metric('camfleet_ingest_messages_total', { kind: 'telemetry' }) === 61, { timeoutMs: 10_000, what: 'the 60 batches' });
    await server.app.core.timeseries.flush();
    const q = (from: number, to: number) => fetch(`${server.url}/api/v1/sites/${SITE}/devices/gw/history?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`, { headers: authHeaders() }).then((r) => r.json() as Promise<{ source: string; stepMs: number; samples: { at: string; reachable: number }[] }>);
    const short = await q(base, base + 20 * 60_000);
    expect(short).toMatchObject({ source: 'raw', stepMs: 0 });
    expect(short.samples).toHaveLength(11);
    const long = await q(base - 21 * 3600_000, base + 3 * 3600_000);
    expect(long.source).toBe('raw');
    expect(long.stepMs).toBeGreaterThanOrEqual(60_000);
    expect(long.samples.length).toBeLessThan(60);
    expect(long.samples.every((s) => s.reachable === 1)).toBe(true);
    const bad = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/gw/history?from=yesterday`, { headers: authHeaders() });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('from');
  });
});
