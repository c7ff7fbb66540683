// Live view on demand (docs/live-view.md), end to end: the server on its embedded defaults, the agent as its
// own process, the GStreamer RTSP simulator behind rtsp camera devices, and Chromium playing the live view
// with JSMpeg. Checks: a viewer socket gets MPEG-TS (whole 188-byte packets, starting at a keyframe, also
// for a late joiner); JSMpeg draws real pictures on the canvas; two viewers share ONE ffmpeg (children of
// the agent, read from /proc); closing the pages stops that ffmpeg within the idle timeout; a wrong
// password reaches the viewer as a refusal; the stream cap refuses one stream too many; the snapshot
// endpoint returns a JPEG.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort, waitFor } from '../harness/index.ts';
import { childProcesses, startRtspServer, type RtspServerHandle } from '../sim/rtsp/index.ts';
import { startTcpDevice, type TcpDeviceHandle } from '../sim/tcp-device.ts';
import { authHeaders, signedInContext } from '../support/auth.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'e2e-live-01';
const USER = 'camfleet';
const PASS = 'live-e2e-secret';
const IDLE_S = 3;
const TEST_TIMEOUT_MS = 120_000;
const TS = 188;

/** The agent's live ffmpeg processes (the periodic frame grabs are told apart by their arguments). */
function liveFfmpegs(agentPid: number): number[] {
  return childProcesses('ffmpeg', agentPid)
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('mpeg1video');
      } catch {
        return false;
      }
    })
    .map((p) => p.pid);
}

/** Whether the TS packet at `off` starts a video PES beginning with an MPEG-1 sequence header (a keyframe). */
function startsKeyframe(b: Buffer, off = 0): boolean {
  if (b[off] !== 0x47 || !(b[off + 1]! & 0x40)) return false;
  let p = off + 4;
  if (b[off + 3]! & 0x20) p += 1 + b[off + 4]!;
  if (b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1 || (b[p + 3]! & 0xf0) !== 0xe0) return false;
  const es = p + 9 + b[p + 8]!;
  return b.readUInt32BE(es) === 0x000001b3;
}

/** A raw viewer socket (what JSMpeg gets): JSON notes as text, MPEG-TS as binary messages. */
function rawViewer(url: string) {
  const ws = new WebSocket(url, { headers: authHeaders() });
  const video: Buffer[] = [];
  const notes: { type: string; state?: string; code?: string }[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) video.push(Buffer.from(data));
    else notes.push(JSON.parse(data.toString('utf8')) as { type: string });
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, video, notes, closed, bytes: () => video.reduce((n, b) => n + b.length, 0) };
}

describe('live view on demand (agent ffmpeg → server hub → browser)', () => {
  let server: ServerProcess;
  let agent: AgentProcess;
  let rtsp: RtspServerHandle;
  let gw: TcpDeviceHandle;
  let browser: Browser;
  let agentLog: string;

  beforeAll(async () => {
    const mqttPort = await freePort();
    server = await startServer({ name: 'live-e2e', env: { CAMFLEET_MQTT_PORT: String(mqttPort), CAMFLEET_LIVE_IDLE_S: String(IDLE_S), CAMFLEET_LIVE_MAX_STREAMS: '2' } });
    rtsp = await startRtspServer({ username: USER, password: PASS, mounts: [{ path: '/cam1', mode: 'normal' }, { path: '/cam3', mode: 'normal' }] });
    gw = await startTcpDevice();
    const dir = tempDir('agent-live');
    const config = path.join(dir, 'site.yaml');
    agentLog = path.join(dir, 'agent.log');
    const cam = (id: string, mount: string, password: string) => [
      `  - id: ${id}`,
      '    segment: camera',
      '    parent: gw',
      '    address: 127.0.0.1',
      `    reachability: { method: tcp, port: ${rtsp.port} }`,
      `    rtsp: { url: "${rtsp.url(mount)}", username: ${USER}, password: ${password} }`,
    ];
    writeFileSync(config, [
      `site: { id: ${SITE} }`,
      `mqtt: { url: "mqtt://127.0.0.1:${mqttPort}", keepaliveS: 5 }`,
      'poll: { intervalS: 60, timeoutS: 5, jitterS: 0.2 }',
      `stateDir: ${path.join(dir, 'state')}`,
      'outbox: { replayDelayS: 0 }',
      'reboot: { enabled: false }',
      'devices:',
      `  - { id: gw, segment: gateway, address: 127.0.0.1, reachability: { method: tcp, port: ${gw.port} } }`,
      ...cam('cam1', '/cam1', PASS),
      ...cam('cam2', '/cam1', 'wrong-password'),
      ...cam('cam3', '/cam3', PASS),
      '',
    ].join('\n'), { mode: 0o600 }); // it holds camera passwords: the agent refuses a file others can read
    agent = startAgent(config, agentLog);
    await waitFor(async () => (await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam3`, { headers: authHeaders() }).catch(() => undefined))?.ok, { timeoutMs: 90_000, what: `the agent to report (log ${agentLog})` });
    browser = await launchBrowser();
    ctx = await signedInContext(browser, server.url, { viewport: { width: 1280, height: 900 } });
  }, 180_000);

  let ctx: BrowserContext;
  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await Promise.all([rtsp?.close(), gw?.stop()]);
  });

  /** Script errors and console errors of the pages (a CSP refusal or a JSMpeg exception shows up here). */
  const pageErrors: string[] = [];
  async function openLive(device: string): Promise<Page> {
    const page = await ctx.newPage();
    page.on('pageerror', (err) => pageErrors.push(`${device}: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(`${device}: ${msg.text()}`); });
    await page.goto(`${server.url}/#/site/${SITE}/device/${device}`);
    await page.getByTestId('live-open').click();
    return page;
  }
  const framesOf = async (page: Page) => Number(await page.getByTestId('live-canvas').getAttribute('data-frames'));
  /** Distinct grey levels on JSMpeg's canvas (2D, so readable): a blank or one-colour canvas has 1. */
  const canvasLevels = (page: Page) => page.getByTestId('live-canvas').evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const px = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data;
    const levels = new Set<number>();
    if (px) for (let i = 0; i < px.length; i += 4 * 97) levels.add((px[i]! + px[i + 1]! + px[i + 2]!) >> 4);
    return { width: c.width, height: c.height, levels: levels.size };
  });

  it('refuses a viewer socket without a login, or opened by another site\'s page, before any stream starts', async () => {
    const url = `${server.url.replace(/^http/, 'ws')}/live/${SITE}/cam3`;
    const refusal = (headers: Record<string, string>) => new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('unexpected-response', (_req, res) => {
        resolve(res.statusCode ?? 0);
        ws.terminate();
      });
      ws.once('open', () => reject(new Error('the socket was accepted')));
      ws.once('error', () => {}); // terminate() after a refused upgrade reports an error; the status is the answer
    });
    expect(await refusal({})).toBe(401);
    expect(await refusal({ authorization: 'Bearer cft_not-a-real-token-0000000000000000000' })).toBe(401);
    expect(await refusal({ ...authHeaders(), origin: 'https://evil.example' })).toBe(403);
    expect(liveFfmpegs(agent.proc.child.pid!)).toHaveLength(0);
  }, TEST_TIMEOUT_MS);

  it('sends a viewer socket MPEG-TS in whole packets from a keyframe on, also to a late joiner', async () => {
    const url = `${server.url.replace(/^http/, 'ws')}/live/${SITE}/cam3`;
    const first = rawViewer(url);
    await waitFor(() => first.bytes() >= 50 * TS, { timeoutMs: 30_000, what: `MPEG-TS at the first viewer (agent log ${agentLog})` });
    const late = rawViewer(url);
    await waitFor(() => late.video.length >= 3, { timeoutMs: 10_000, what: 'MPEG-TS at the late viewer' });
    expect(liveFfmpegs(agent.proc.child.pid!)).toHaveLength(1);
    for (const v of [first, late]) {
      expect(v.notes.some((n) => n.type === 'status' && n.state === 'live')).toBe(true);
      for (const msg of v.video) {
        expect(msg.length % TS).toBe(0);
        for (let off = 0; off < msg.length; off += TS) expect(msg[off]).toBe(0x47);
      }
      expect(startsKeyframe(v.video[0]!)).toBe(true);
      const all = Buffer.concat(v.video);
      let keyframes = 0;
      for (let off = 0; off < all.length; off += TS) if (startsKeyframe(all, off)) keyframes++;
      expect(keyframes).toBeGreaterThanOrEqual(1);
    }
    first.ws.close();
    late.ws.close();
    await Promise.all([first.closed, late.closed]);
    await waitFor(() => liveFfmpegs(agent.proc.child.pid!).length === 0, { timeoutMs: IDLE_S * 1000 + 2000, intervalMs: 200, what: 'the live ffmpeg to stop after the raw viewers left' });
  }, TEST_TIMEOUT_MS);

  it('plays the camera, two viewers share one ffmpeg, and it stops when they leave', async () => {
    const pid = agent.proc.child.pid!;
    const a = await openLive('cam1');
    await waitFor(async () => (await framesOf(a)) >= 3, { timeoutMs: 30_000, what: `frames decoded in viewer A (agent log ${agentLog})` });
    // JSMpeg sized the canvas to the video and drew a picture (the simulator's scene, not one colour).
    const drawn = await canvasLevels(a);
    expect(drawn).toMatchObject({ width: 640, height: 360 });
    expect(drawn.levels).toBeGreaterThan(4);
    const b = await openLive('cam1');
    await waitFor(async () => (await framesOf(b)) >= 3, { timeoutMs: 30_000, what: 'frames decoded in viewer B' });
    expect((await canvasLevels(b)).levels).toBeGreaterThan(4);
    const before = await framesOf(a);
    await waitFor(async () => (await framesOf(a)) > before + 2, { timeoutMs: 10_000, what: 'viewer A to keep decoding' });
    expect(liveFfmpegs(pid)).toHaveLength(1);
    expect(pageErrors).toEqual([]);
    await screenshot(a, 'live-view');
    await a.close();
    await new Promise((r) => setTimeout(r, 1000));
    expect(liveFfmpegs(pid)).toHaveLength(1); // B still watches
    await b.close();
    await waitFor(() => liveFfmpegs(pid).length === 0, { timeoutMs: IDLE_S * 1000 + 2000, intervalMs: 200, what: 'the live ffmpeg to be stopped after the last viewer left' });
  }, TEST_TIMEOUT_MS);

  it('shows the camera refusing a wrong password', async () => {
    const page = await openLive('cam2');
    const err = page.getByTestId('live-error');
    await err.waitFor({ timeout: 40_000 });
    expect(await err.textContent()).toMatch(/wrong user name or password/i);
    expect(await err.textContent()).not.toContain('wrong-password');
    await page.close();
    expect(liveFfmpegs(agent.proc.child.pid!)).toHaveLength(0);
  }, TEST_TIMEOUT_MS);

  it('refuses one stream too many with a clear message', async () => {
    const p1 = await openLive('cam1');
    const p3 = await openLive('cam3');
    await waitFor(async () => (await framesOf(p1)) >= 1 && (await framesOf(p3)) >= 1, { timeoutMs: 30_000, what: 'two streams playing' });
    const p2 = await openLive('cam2');
    const err = p2.getByTestId('live-error');
    await err.waitFor({ timeout: 10_000 });
    expect(await err.textContent()).toMatch(/limit of concurrent live views/i);
    await Promise.all([p1.close(), p2.close(), p3.close()]);
    await waitFor(() => liveFfmpegs(agent.proc.child.pid!).length === 0, { timeoutMs: IDLE_S * 1000 + 2000, intervalMs: 200, what: 'both live ffmpegs to stop' });
  }, TEST_TIMEOUT_MS);

  it('refreshes snapshots instead in low-bandwidth mode', async () => {
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/site/${SITE}/device/cam1`);
    await page.getByTestId('snapshot-mode').check();
    await page.getByTestId('live-open').click();
    const img = page.getByTestId('live-snapshot');
    await img.waitFor({ timeout: 30_000 });
    await waitFor(async () => Number(await img.getAttribute('data-frames')) >= 2, { timeoutMs: 20_000, what: 'a second snapshot after 5 s' });
    expect(liveFfmpegs(agent.proc.child.pid!)).toHaveLength(0);
    await page.getByTestId('live-close').click();
    await page.close();
  }, TEST_TIMEOUT_MS);

  it('serves a snapshot as a small JPEG', async () => {
    const res = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1/snapshot`, { headers: authHeaders() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg[0]).toBe(0xff);
    expect(jpeg[1]).toBe(0xd8);
    expect(jpeg.length).toBeLessThanOrEqual(120 * 1024);
    const bad = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam2/snapshot`, { headers: authHeaders() });
    expect(bad.status).toBe(502);
    // The credentials stay on the agent: nothing the server logged or answered names them.
    const body = await bad.text();
    expect(body).not.toContain('wrong-password');
    expect(readFileSync(path.join(server.dir, 'server.log'), 'utf8')).not.toContain(PASS);
  }, TEST_TIMEOUT_MS);
});
