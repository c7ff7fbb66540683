// Issue 2 acceptance, end to end on real Mosquitto + InfluxDB + PostgreSQL: simulated camera → agent (its
// own process) → broker → server (its own process) → InfluxDB and the dashboard in Debian's Chromium.
import '../harness/provided.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { InfluxDB } from 'influx';
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { authHeaders, signedInContext } from '../support/auth.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'e2e-shop-01';
const DB = 'camfleet_e2e_skeleton';

describe('walking skeleton on real services', () => {
  let site: SimSite;
  let server: ServerProcess;
  let agent: AgentProcess;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;
  let influx: InfluxDB;

  beforeAll(async () => {
    const influxUrl = `${inject('influxUrl')}/${DB}`;
    const databaseUrl = await createDatabase(inject('postgresUrl'), DB);
    site = await startSimSite({ id: SITE, cameras: 1 });
    server = await startServer({
      name: 'skeleton',
      env: {
        CAMFLEET_MQTT_URL: inject('mosquittoUrl'),
        CAMFLEET_INFLUX_URL: influxUrl,
        CAMFLEET_DATABASE_URL: databaseUrl,
        CAMFLEET_MQTT_SHARE_GROUP: 'skeleton',
      },
    });
    const dir = tempDir('agent');
    const config = path.join(dir, 'site.yaml');
    writeFileSync(config, site.yaml({ mqttUrl: inject('mosquittoUrl'), stateDir: path.join(dir, 'state'), intervalS: 2, timeoutS: 1, keepaliveS: 2 }), { mode: 0o600 });
    agent = startAgent(config, path.join(dir, 'agent.log'));
    influx = new InfluxDB({ host: '127.0.0.1', port: Number(new URL(influxUrl).port), database: DB });
    browser = await launchBrowser();
    ctx = await signedInContext(browser, server.url, { viewport: { width: 1366, height: 768 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(2000); // expect.poll retries; one attribute read must not wait long
    await page.goto(server.url);
  });

  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await site?.close();
  });

  const row = (device: string) => page.locator(`[data-testid="device-row"][data-site="${SITE}"][data-device="${device}"]`);

  it('shows the camera UP, DOWN within 30 s of the camera going away, and UP again; InfluxDB holds both periods', async () => {
    await expect.poll(() => row('cam1').getAttribute('data-state'), { timeout: 30_000 }).toBe('UP');
    await screenshot(page, 'skeleton-up');
    const upSince = Date.now();
    await new Promise((r) => setTimeout(r, 3000));

    const cam = site.cameras.get('cam1')!;
    await cam.stop();
    const downAt = Date.now();
    await expect.poll(() => row('cam1').getAttribute('data-state'), { timeout: 30_000, interval: 250 }).toBe('DOWN');
    expect(Date.now() - downAt).toBeLessThan(30_000);
    await screenshot(page, 'skeleton-down');
    await new Promise((r) => setTimeout(r, 3000));

    await cam.start();
    const backAt = Date.now();
    await expect.poll(() => row('cam1').getAttribute('data-state'), { timeout: 30_000, interval: 250 }).toBe('UP');
    await new Promise((r) => setTimeout(r, 3000));

    const count = async (from: number, to: number, reachable: 0 | 1) => {
      const rows = await influx.query<{ count: number }>(
        `SELECT count(reachable) FROM device_sample WHERE site = '${SITE}' AND device = 'cam1' AND reachable = ${reachable} AND time >= ${from}ms AND time <= ${to}ms`,
      );
      return rows[0]?.count ?? 0;
    };
    await expect.poll(() => count(upSince, downAt, 1), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await count(downAt, backAt, 0)).toBeGreaterThan(0);
    await expect.poll(() => count(backAt, Date.now(), 1), { timeout: 10_000 }).toBeGreaterThan(0);
    // Every sample stored once per poll: no device has more samples than cycles that ran.
    expect(await count(upSince, downAt, 0)).toBe(0);
  });

  it('rejects malformed telemetry, counts it, keeps serving and stores the next valid message', async () => {
    const client = await mqtt.connectAsync(inject('mosquittoUrl'), { protocolVersion: 5 });
    const topic = `camfleet/v1/${SITE}/telemetry`;
    const metric = async (reason: string) => {
      const text = await (await fetch(`${server.url}/metrics`, { headers: authHeaders() })).text();
      const m = new RegExp(`camfleet_ingest_rejected_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
      return m ? Number(m[1]) : 0;
    };
    const before = { json: await metric('bad-json'), schema: await metric('schema'), unknown: await metric('unknown-site') };
    await client.publishAsync(topic, '{"v":1,"site":', { qos: 1 });
    await client.publishAsync(topic, JSON.stringify({ v: 1, site: SITE, agent: 'x', seq: 'one', at: 'now', samples: {} }), { qos: 1 });
    await client.publishAsync('camfleet/v1/no-such-site/telemetry', JSON.stringify({ v: 1, site: 'no-such-site', agent: 'x', seq: 1, at: new Date().toISOString(), samples: [] }), { qos: 1 });
    await expect.poll(() => metric('bad-json'), { timeout: 10_000 }).toBe(before.json + 1);
    await expect.poll(() => metric('schema')).toBe(before.schema + 1);
    await expect.poll(() => metric('unknown-site')).toBe(before.unknown + 1);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const at = new Date().toISOString();
    const valid = { v: 1, site: SITE, agent: 'manual', seq: 2_000_000_000, at, samples: [{ device: 'extra-cam', at, reachable: true, conditions: [], metrics: { latencyMs: 4.5 } }] };
    await client.publishAsync(topic, JSON.stringify(valid), { qos: 1 });
    await client.endAsync();
    await expect.poll(async () => (await fetch(`${server.url}/api/v1/sites/${SITE}/devices/extra-cam`, { headers: authHeaders() })).status, { timeout: 10_000 }).toBe(200);
    await expect.poll(async () => (await influx.query(`SELECT latencyMs FROM device_sample WHERE device = 'extra-cam'`)).length, { timeout: 10_000 }).toBe(1);
  });

  it('marks the site offline through the last will when the agent is killed, and the dashboard shows it', async () => {
    const siteRow = page.locator(`[data-testid="site-row"][data-site="${SITE}"]`);
    await expect.poll(() => siteRow.getAttribute('data-agent'), { timeout: 15_000 }).toBe('online');
    await agent.kill();
    // keepalive 2 s: the broker gives up after 1.5 × keepalive and publishes the will.
    await expect.poll(() => siteRow.getAttribute('data-agent'), { timeout: 15_000, interval: 250 }).toBe('offline');
    await expect.poll(() => row('cam1').getAttribute('data-state')).toBe('UNKNOWN');
    await screenshot(page, 'skeleton-agent-offline');
  });

  it('shuts down cleanly on SIGTERM with exit code 0, flushing what it holds', async () => {
    server.proc.signal('SIGTERM');
    await server.proc.exited;
    expect(server.proc.exitInfo?.code).toBe(0);
  });
});
