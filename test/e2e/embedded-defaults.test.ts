// Issue 2 acceptance on the embedded defaults, started exactly as `npm start` starts them: aedes broker,
// in-process time series and PGlite; plus the start-up failures an operator must read as one line.
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnLogged } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { authHeaders, signedInContext, testAuthEnv } from '../support/auth.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { REPO, startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'embedded-shop-01';

/**
 * Runs `npm start` expecting it to fail; returns its exit code and output lines. The admin login is given, as to
 * every test server: without it a first start prints the admin password it generated (once) before it fails.
 */
async function failingStart(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const dir = tempDir('failstart');
  const logFile = path.join(dir, 'out.log');
  const cleanEnv: NodeJS.ProcessEnv = { ...process.env, ...testAuthEnv(), CAMFLEET_DATA_DIR: path.join(dir, 'data'), ...env };
  for (const k of Object.keys(cleanEnv)) if (k.startsWith('npm_')) delete cleanEnv[k];
  const proc = spawnLogged('npm-start', 'npm', ['start', '--silent'], { logFile, cwd: REPO, env: cleanEnv, group: true });
  await proc.exited;
  const lines = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.trim() && !l.includes('npm warn') && !l.includes('accepts any client without a login'));
  return { code: proc.exitInfo?.code ?? null, lines };
}

describe('embedded defaults (npm start)', () => {
  let site: SimSite;
  let server: ServerProcess;
  let agent: AgentProcess;
  let browser: Browser;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const mqttPort = await freePort();
    server = await startServer({ name: 'embedded', viaNpmStart: true, env: { CAMFLEET_MQTT_PORT: String(mqttPort) } });
    site = await startSimSite({ id: SITE, cameras: 1 });
    const dir = tempDir('agent-embedded');
    const config = path.join(dir, 'site.yaml');
    writeFileSync(config, site.yaml({ mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, stateDir: path.join(dir, 'state'), intervalS: 2, timeoutS: 1, keepaliveS: 2 }), { mode: 0o600 });
    agent = startAgent(config, path.join(dir, 'agent.log'));
    browser = await launchBrowser();
    ctx = await signedInContext(browser, server.url, { viewport: { width: 1366, height: 768 } });
    page = await ctx.newPage();
    page.setDefaultTimeout(2000);
    await page.goto(server.url);
  });

  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await site?.close();
  });

  const state = () => page.locator(`[data-testid="device-row"][data-site="${SITE}"][data-device="cam1"]`).getAttribute('data-state');

  it('turns the camera DOWN and UP again in the dashboard, with history from the embedded store', async () => {
    await expect.poll(state, { timeout: 30_000 }).toBe('UP');
    const cam = site.cameras.get('cam1')!;
    await cam.stop();
    const downAt = Date.now();
    await expect.poll(state, { timeout: 30_000, interval: 250 }).toBe('DOWN');
    expect(Date.now() - downAt).toBeLessThan(30_000);
    await screenshot(page, 'embedded-down');
    await cam.start();
    await expect.poll(state, { timeout: 30_000, interval: 250 }).toBe('UP');
    const res = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1/history`, { headers: authHeaders() });
    const body = (await res.json()) as { samples: { reachable: number }[] };
    expect(body.samples.some((s) => s.reachable === 0)).toBe(true);
    expect(body.samples.some((s) => s.reachable === 1)).toBe(true);
  });

  it('reports the embedded components in /healthz', async () => {
    const body = (await (await fetch(`${server.url}/healthz`)).json()) as { status: string; components: Record<string, { state: string; kind: string }> };
    expect(body.status).toBe('ok');
    expect(body.components.database).toMatchObject({ state: 'up', kind: 'pglite' });
    expect(body.components.timeseries).toMatchObject({ state: 'up', kind: 'embedded' });
    expect(body.components.broker).toMatchObject({ state: 'up', kind: 'embedded' });
  });
});

describe('npm start refuses to start with one clear line', () => {
  const holdPort = async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '0.0.0.0', r));
    return { port: (s.address() as net.AddressInfo).port, close: () => new Promise<void>((r) => s.close(() => r())) };
  };

  it('names the HTTP port and PORT when the port is taken', async () => {
    const held = await holdPort();
    try {
      const { code, lines } = await failingStart({ PORT: String(held.port), CAMFLEET_MQTT_PORT: String(await freePort()) });
      expect(code).toBe(1);
      expect(lines).toEqual([`camfleet: port ${held.port} is already in use (set PORT to move the HTTP server)`]);
    } finally {
      await held.close();
    }
  });

  it('names the broker port and CAMFLEET_MQTT_PORT when that port is taken', async () => {
    const held = await holdPort();
    try {
      const { code, lines } = await failingStart({ PORT: String(await freePort()), CAMFLEET_MQTT_PORT: String(held.port) });
      expect(code).toBe(1);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${held.port}`);
      expect(lines[0]).toContain('CAMFLEET_MQTT_PORT');
    } finally {
      await held.close();
    }
  });

  it('says which service is unreachable, without a stack trace', async () => {
    const dead = await freePort();
    const { code, lines } = await failingStart({ PORT: String(await freePort()), CAMFLEET_DATABASE_URL: `postgres://postgres@127.0.0.1:${dead}/x` });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^camfleet: cannot open PostgreSQL \(CAMFLEET_DATABASE_URL\): /);
  });
});
