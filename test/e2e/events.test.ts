// Agent events reach the device history: stored once per (site, seq) even when the outbox replays them,
// pictures stripped, and served newest first per device and per site.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@camfleet/shared';
import { freePort } from '../harness/index.ts';
import { authHeaders, signedInContext } from '../support/auth.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';

const SITE = 'events-shop-01';

describe('agent events API', () => {
  let server: ServerProcess;
  let client: mqtt.MqttClient;

  beforeAll(async () => {
    const mqttPort = await freePort();
    server = await startServer({ name: 'events', env: { CAMFLEET_MQTT_PORT: String(mqttPort) } });
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { protocolVersion: 4 });
    const at = new Date().toISOString();
    await client.publishAsync(topics.inventory(SITE), JSON.stringify({
      v: 1, agent: 'gw', at,
      site: { id: SITE, devices: [{ id: 'gw', segment: 'gateway' }, { id: 'cam1', segment: 'camera', parent: 'gw' }] },
    }), { qos: 1, retain: true });
  });

  afterAll(async () => {
    await client?.endAsync();
    await server?.stop();
  });

  const event = (seq: number, kind: string, data: Record<string, unknown>, at: string) =>
    JSON.stringify({ v: 1, site: SITE, agent: 'gw', seq, at, kind, device: 'cam1', data });

  it('stores a replayed event once, without its picture, newest first', async () => {
    await expect.poll(async () => (await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1`, { headers: authHeaders() })).status, { timeout: 15_000 }).toBe(200);
    const t1 = '2026-11-22T01:00:00.000Z';
    const t2 = '2026-11-22T01:05:00.000Z';
    await client.publishAsync(topics.event(SITE), event(41, 'reboot', { outcome: 'verified', step: 'onvif' }, t1), { qos: 1 });
    await client.publishAsync(topics.event(SITE), event(41, 'reboot', { outcome: 'verified', step: 'onvif' }, t1), { qos: 1 }); // outbox replay
    await client.publishAsync(topics.event(SITE), event(42, 'analysis', { raised: ['blur'], thumbnail: { base64: 'AAAA' } }, t2), { qos: 1 });
    const list = async () => ((await (await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1/events`, { headers: authHeaders() })).json()) as { events: { at: string; kind: string; data: Record<string, unknown> }[] }).events;
    await expect.poll(async () => (await list()).length, { timeout: 10_000 }).toBe(2);
    const events = await list();
    expect(events.map((e) => e.kind)).toEqual(['analysis', 'reboot']);
    expect(events[0]!.data).toEqual({ raised: ['blur'] });
    expect(events[1]).toMatchObject({ at: t1, data: { outcome: 'verified', step: 'onvif' } });
    const site = (await (await fetch(`${server.url}/api/v1/sites/${SITE}/events?limit=1`, { headers: authHeaders() })).json()) as { events: unknown[] };
    expect(site.events).toHaveLength(1);
  });

  it('lists the events and reboots in the device view', async () => {
    const browser = await launchBrowser();
    try {
      const ctx = await signedInContext(browser, server.url, { viewport: { width: 1366, height: 768 } });
      const page = await ctx.newPage();
      await page.goto(`${server.url}/#/site/${SITE}/device/cam1`);
      const rows = page.locator('[data-testid="device-event"]');
      await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
      expect(await rows.nth(0).getAttribute('data-kind')).toBe('analysis');
      expect(await rows.nth(1).textContent()).toContain('outcome: verified');
      await screenshot(page, 'device-events');
    } finally {
      await browser.close();
    }
  });

  it('returns the site inventory (no credentials) with the site, for warranty judgements', async () => {
    const body = (await (await fetch(`${server.url}/api/v1/sites/${SITE}`, { headers: authHeaders() })).json()) as { spec?: { devices: { id: string }[] } };
    expect(body.spec?.devices.map((d) => d.id)).toEqual(['gw', 'cam1']);
  });

  it('answers an unknown device with a JSON 404 naming it', async () => {
    const res = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/nope/events`, { headers: authHeaders() });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'unknown-device', field: 'device' } });
  });
});
