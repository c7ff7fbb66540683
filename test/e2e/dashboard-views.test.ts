// Issue 7 (dashboard views) end to end on the embedded defaults: server + agent + simulated fixed-line site, in
// Debian's Chromium. The switch fails → the site view highlights it as the root cause and shows the cameras as
// unreachable behind it; the camera's device view draws its history charts; the site view reads in Japanese.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { signedInContext } from '../support/auth.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'views-shop-01';

describe('dashboard views: site topology, device charts, Japanese', () => {
  let site: SimSite;
  let server: ServerProcess;
  let agent: AgentProcess;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const mqttPort = await freePort();
    server = await startServer({ name: 'dashboard-views', env: { CAMFLEET_MQTT_PORT: String(mqttPort) } });
    site = await startSimSite({ id: SITE, cameras: 2 });
    const dir = tempDir('agent-views');
    const config = path.join(dir, 'site.yaml');
    writeFileSync(config, site.yaml({ mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, stateDir: path.join(dir, 'state'), intervalS: 2, timeoutS: 1, keepaliveS: 2 }), { mode: 0o600 });
    agent = startAgent(config, path.join(dir, 'agent.log'));
    browser = await launchBrowser();
    ctx = await signedInContext(browser, server.url, { viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    page = await ctx.newPage();
    // Start in English whatever the machine's locale (the language is remembered in localStorage).
    await page.addInitScript(() => {
      if (!sessionStorage.getItem('views-test')) {
        sessionStorage.setItem('views-test', '1');
        localStorage.setItem('camfleet.lang', 'en');
      }
    });
    page.setDefaultTimeout(2000);
  });

  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await site?.close();
  });

  const node = (device: string) => page.locator(`[data-testid="topology-node"][data-device="${device}"]`);
  const attr = (device: string, name: string) => () => node(device).first().getAttribute(name);

  it('shows the site topology, and a failed switch as the root cause with the cameras unreachable behind it', async () => {
    await page.goto(`${server.url}/#/site/${SITE}`);
    await expect.poll(() => page.locator('[data-testid="site-view"]').count(), { timeout: 30_000 }).toBe(1);
    for (const d of ['gw', 'sw', 'cam1', 'cam2']) await expect.poll(attr(d, 'data-state'), { timeout: 30_000 }).toBe('UP');
    // The tree follows the parent links: the cameras hang under the switch, the switch under the gateway.
    expect(await node('sw').locator('[data-testid="topology-node"][data-device="cam1"]').count()).toBe(1);
    expect(await node('gw').locator('[data-testid="topology-node"][data-device="sw"]').count()).toBe(1);
    expect(await page.locator('[data-testid="site-uplink"]').getAttribute('data-uplink')).toBe('fixed');
    expect(await page.locator('[data-testid="site-agent"]').getAttribute('data-agent')).toBe('online');
    await screenshot(page, 'dashboard-site-up');

    await site.devices.get('sw')!.stop();
    await expect.poll(attr('sw', 'data-root-cause'), { timeout: 30_000, interval: 250 }).toBe('true');
    // The site's root cause and the device's state travel in separate socket messages: wait for both.
    await expect.poll(attr('sw', 'data-state'), { timeout: 10_000, interval: 250 }).toBe('DOWN');
    for (const cam of ['cam1', 'cam2']) {
      await expect.poll(attr(cam, 'data-state'), { timeout: 10_000 }).toBe('UNREACHABLE');
      expect(await attr(cam, 'data-root-cause')()).toBe('false');
      expect(await attr(cam, 'data-behind')()).toBe('sw');
      expect(await node(cam).locator('.behind-tag').first().textContent()).toContain('sw');
    }
    expect(await attr('gw', 'data-root-cause')()).toBe('false');
    expect(await page.locator('[data-testid="root-cause-tag"]').count()).toBe(1);
    expect(await node('sw').locator('[data-testid="root-cause-tag"]').first().isVisible()).toBe(true);
    // The switch sits in the customer network: that group carries the fault and names whom to contact.
    const group = page.locator('[data-testid="responsibility-group"][data-fault="true"]');
    expect(await group.getAttribute('data-group')).toBe('customer-network');
    expect(await page.locator('[data-testid="site-root-cause"]').getAttribute('data-device')).toBe('sw');
    expect(await page.locator('[data-testid="site-responsible"]').textContent()).toContain('Seller');
    await screenshot(page, 'dashboard-site-switch-down');
  });

  it('opens a camera from the tree with the keyboard and draws its history charts with data', async () => {
    await node('cam1').locator('a').first().focus();
    await page.keyboard.press('Enter');
    const view = page.locator(`[data-testid="device-view"][data-device="cam1"]`);
    await expect.poll(() => view.count(), { timeout: 10_000 }).toBe(1);
    expect(page.url()).toContain(`#/site/${SITE}/device/cam1`);
    expect(await view.locator('[data-field="vendor"]').textContent()).toBe('AXIS');
    for (const metric of ['reachability', 'latency']) {
      const chart = page.locator(`[data-testid="chart"][data-metric="${metric}"]`);
      await expect.poll(() => chart.locator('canvas').count(), { timeout: 15_000 }).toBeGreaterThan(0);
      expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    }
    // The camera answered before the switch failed and was skipped after: both show in the reachability data.
    expect(await page.locator('[data-testid="chart"][data-metric="reachability"]').getAttribute('data-series')).toContain('behindParent');
    await screenshot(page, 'dashboard-device');

    await page.locator('[data-testid="range"][data-range="6h"]').click();
    await expect.poll(() => page.url()).toContain('range=6h');
    expect(await page.locator('[data-testid="range"][data-range="6h"]').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('[data-testid="chart"][data-metric="reachability"] canvas').count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  it('shows the site view in Japanese after switching the language', async () => {
    await page.goto(`${server.url}/#/site/${SITE}`);
    await expect.poll(() => page.locator('[data-testid="site-view"]').count(), { timeout: 10_000 }).toBe(1);
    await page.locator('[data-testid="lang-switch"]').selectOption('ja');
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ja');
    const text = (await page.locator('[data-testid="site-view"]').textContent()) ?? '';
    for (const label of ['接続構成', '責任分界', '上位回線', '原因機器', 'お客様ネットワーク', '購入元', '到達不能']) {
      expect(text).toContain(label);
    }
    expect(await node('sw').locator('[data-testid="root-cause-tag"]').first().textContent()).toContain('原因機器');
    expect(text).not.toContain('Topology');
    await screenshot(page, 'dashboard-site-ja');
    await page.setViewportSize({ width: 3840, height: 2160 });
    await screenshot(page, 'dashboard-site-ja-4k');
  });

  it('cycles the wallboard through the sites with problems', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${server.url}/#/wall`);
    const focus = page.locator('[data-testid="wallboard"] [data-testid="wall-focus"]');
    await expect.poll(() => focus.getAttribute('data-site'), { timeout: 10_000 }).toBe(SITE);
    await screenshot(page, 'dashboard-wall-ja');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('[data-testid="site-row"]').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    expect(await page.locator(`[data-testid="site-row"][data-site="${SITE}"] [data-testid="site-party"]`).getAttribute('data-party')).toBe('purchase-vendor');
  });
});
