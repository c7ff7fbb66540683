// Issue 6 acceptance, end to end with the simulator: a camera whose stream is switched to a blurred / fogged /
// black / frozen source is reported with the right verdict within the configured hysteresis, and cleared when
// the source is restored. Real processes throughout: the GStreamer RTSP simulator and the ONVIF simulator as
// the camera, the agent (its own process, grabbing a frame through ffmpeg every cycle), and the server on its
// embedded defaults (aedes, in-process time series, PGlite). The verdicts are read where an operator reads
// them — the device's state from the API — and the thumbnail from its endpoint.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, DeviceSample, DeviceStatus, TelemetryBatch } from '@camfleet/shared';
import { freePort, waitFor } from '../harness/index.ts';
import { startOnvifCamera, type OnvifCameraHandle } from '../sim/onvif/index.ts';
import { startRtspServer, type RtspServerHandle, type RtspSimMode } from '../sim/rtsp/index.ts';
import { startTcpDevice, type TcpDeviceHandle } from '../sim/tcp-device.ts';
import { authHeaders } from '../support/auth.ts';
import { startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'e2e-image-01';
const USER = 'camfleet';
const PASS = 'image-e2e-secret';
const IMAGE = { warmupFrames: 3, raiseAfter: 2, clearAfter: 2 };
const IMAGE_WORDS = ['blur', 'night-blur', 'fog', 'frozen', 'black'];
/** Grabs a switch may take beyond the hysteresis: one already under way when the source changed, and one
 *  skipped as `exposure-changing` (fog and black change the brightness; the day/night mode switches for black). */
const SLACK = 2;
/** Per test: the machine running the suite may be heavily loaded; the waits inside are bounded themselves. */
const TEST_TIMEOUT_MS = 300_000;

describe('image verdicts end to end (RTSP simulator → agent → server API)', () => {
  let server: ServerProcess;
  let agent: AgentProcess;
  let rtsp: RtspServerHandle;
  let cam: OnvifCameraHandle;
  let gw: TcpDeviceHandle;
  let client: mqtt.MqttClient;
  let agentLog: string;
  /** cam1's samples as the agent published them, in order. */
  const samples: DeviceSample[] = [];
  const events: AgentEvent[] = [];

  beforeAll(async () => {
    const mqttPort = await freePort();
    server = await startServer({ name: 'image-e2e', env: { CAMFLEET_MQTT_PORT: String(mqttPort) } });
    rtsp = await startRtspServer({ username: USER, password: PASS, mounts: [{ path: '/cam1', mode: 'normal' }] });
    cam = await startOnvifCamera({ username: USER, password: PASS, rtspUrl: rtsp.url('/cam1') });
    gw = await startTcpDevice();

    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    client = await mqtt.connectAsync(mqttUrl);
    await client.subscribeAsync([`camfleet/v1/${SITE}/telemetry`, `camfleet/v1/${SITE}/event`], { qos: 1 });
    client.on('message', (topic, payload) => {
      const body: unknown = JSON.parse(payload.toString());
      if (topic.endsWith('/event')) events.push(body as AgentEvent);
      else samples.push(...(body as TelemetryBatch).samples.filter((s) => s.device === 'cam1'));
    });

    const dir = tempDir('agent-image');
    const config = path.join(dir, 'site.yaml');
    agentLog = path.join(dir, 'agent.log');
    writeFileSync(
      config,
      [
        `site: { id: ${SITE} }`,
        `mqtt: { url: "${mqttUrl}", keepaliveS: 5 }`,
        // One grab every 3 s. The frozen gap is left at its default: half the grab interval here.
        'poll: { intervalS: 3, timeoutS: 2.5, jitterS: 0.2 }',
        `stateDir: ${path.join(dir, 'state')}`,
        'outbox: { replayDelayS: 0 }',
        'reboot: { enabled: false }', // a frozen picture would otherwise send the camera up the reboot ladder
        `image: { warmupFrames: ${IMAGE.warmupFrames}, raiseAfter: ${IMAGE.raiseAfter}, clearAfter: ${IMAGE.clearAfter} }`,
        'devices:',
        `  - { id: gw, segment: gateway, address: 127.0.0.1, reachability: { method: tcp, port: ${gw.port} } }`,
        '  - id: cam1',
        '    segment: camera',
        '    parent: gw',
        '    address: 127.0.0.1',
        `    reachability: { method: tcp, port: ${cam.port} }`,
        `    onvif: { port: ${cam.port}, username: ${USER}, password: ${PASS} }`,
        `    rtsp: { url: "${rtsp.url('/cam1')}", username: ${USER}, password: ${PASS} }`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    agent = startAgent(config, agentLog);
  }, 240_000);

  afterAll(async () => {
    await agent?.stop();
    await client?.endAsync(true);
    await server?.stop();
    await Promise.all([rtsp?.close(), cam?.close(), gw?.stop()]);
  });

  const status = async (device = 'cam1'): Promise<DeviceStatus | undefined> => {
    const res = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/${device}`, { headers: authHeaders() }).catch(() => undefined);
    return res?.ok ? ((await res.json()) as DeviceStatus) : undefined;
  };
  const imageWords = (conditions: readonly string[]) => conditions.filter((c) => IMAGE_WORDS.includes(c));
  const grabbed = (s: DeviceSample) => s.metrics?.frameMs !== undefined;

  /**
   * Switches the source and waits for the API to show `expected` as the camera's image verdicts (and nothing
   * else wrong with it: a failed grab would show stream-down). Returns how many frames the agent grabbed after
   * the switch up to the first sample that carried the new verdicts.
   */
  async function switchTo(mode: RtspSimMode, expected: string[]): Promise<number> {
    await rtsp.setMode('/cam1', mode);
    const from = samples.length;
    const reached = (conditions: readonly string[]) =>
      JSON.stringify(imageWords(conditions)) === JSON.stringify(expected) && conditions.every((c) => IMAGE_WORDS.includes(c));
    const seen = await waitFor(async () => {
      const s = await status();
      return s && reached(s.conditions) ? s : undefined;
    }, { timeoutMs: 120_000, intervalMs: 500, what: `cam1 to show ${JSON.stringify(expected)} after switching to ${mode} (agent log ${agentLog})` });
    expect(seen.state).toBe('UP');
    const after = samples.slice(from);
    const first = after.findIndex((s) => reached(s.conditions));
    expect(first).toBeGreaterThanOrEqual(0);
    return after.slice(0, first + 1).filter(grabbed).length;
  }

  it('learns the normal picture first (warm-up), raising nothing', async () => {
    await waitFor(() => samples.some((s) => s.metrics?.imageJudged === 1), { timeoutMs: 120_000, what: `cam1's baseline to warm up (agent log ${agentLog})` });
    const warm = samples.filter(grabbed);
    expect(warm.findIndex((s) => s.metrics?.imageJudged === 1)).toBe(IMAGE.warmupFrames); // judged from the frame after warm-up
    expect(samples.every((s) => imageWords(s.conditions).length === 0)).toBe(true);
    await waitFor(async () => (await status())?.conditions.length === 0, { timeoutMs: 30_000, what: 'the server to show cam1 without conditions' });
  }, TEST_TIMEOUT_MS);

  for (const [mode, verdict] of [['blur', 'blur'], ['fog', 'fog'], ['black', 'black'], ['frozen', 'frozen']] as const) {
    it(`reports ${verdict} when the source turns ${mode}, and clears it when it is restored`, async () => {
      const raiseGrabs = await switchTo(mode, [verdict]);
      expect(raiseGrabs).toBeGreaterThanOrEqual(IMAGE.raiseAfter);
      expect(raiseGrabs).toBeLessThanOrEqual(IMAGE.raiseAfter + SLACK);
      // The sample that raised it carries the metrics behind it.
      const raisedBy = samples.find((s) => s.conditions.includes(verdict))!;
      if (verdict === 'blur') expect(raisedBy.metrics?.sharpnessRatio).toBeLessThan(0.75);
      if (verdict === 'fog') expect(raisedBy.metrics?.clarityRatio).toBeLessThan(0.8);
      if (verdict === 'black') expect(raisedBy.metrics?.meanLuma).toBeLessThanOrEqual(12);
      if (verdict === 'frozen') expect(raisedBy.metrics?.fingerprintDistance).toBeLessThan(0.01);
      // An analysis event said so, with the recommended actions and a thumbnail.
      const raisedEvent = await waitFor(() => events.find((e) => e.kind === 'analysis' && (e.data?.raised as string[] | undefined)?.includes(verdict)), { timeoutMs: 10_000, what: `the analysis event raising ${verdict}` });
      expect(raisedEvent.data?.verdicts).toEqual(expect.arrayContaining([expect.objectContaining({ condition: verdict, actions: expect.any(Array) })]));
      expect(raisedEvent.data?.thumbnail).toMatchObject({ mime: 'image/jpeg' });

      const clearGrabs = await switchTo('normal', []);
      expect(clearGrabs).toBeGreaterThanOrEqual(IMAGE.clearAfter);
      expect(clearGrabs).toBeLessThanOrEqual(IMAGE.clearAfter + SLACK);
      await waitFor(() => events.find((e) => e.kind === 'analysis' && (e.data?.cleared as string[] | undefined)?.includes(verdict)), { timeoutMs: 10_000, what: `the analysis event clearing ${verdict}` });
    }, TEST_TIMEOUT_MS);
  }

  it('serves the latest thumbnail as a JPEG where the device status points, and keeps it out of the history', async () => {
    // The status points at the last thumbnail the agent sent (the frame at the latest verdict change, unless a
    // periodic one came since).
    const { s, lastSent } = await waitFor(async () => {
      const lastSent = samples.filter((x) => x.thumbnail).at(-1);
      const s = await status();
      return lastSent && s?.thumbnail?.at === lastSent.thumbnail!.at ? { s, lastSent } : undefined;
    }, { timeoutMs: 15_000, what: 'the device status to point at the last thumbnail sent' });
    expect(s.thumbnail).toMatchObject({ url: expect.stringMatching(new RegExp(`^/api/v1/sites/${SITE}/devices/cam1/thumbnail\\?at=\\d+$`)), at: expect.any(String) });
    const res = await fetch(`${server.url}${s.thumbnail!.url}`, { headers: authHeaders() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = Buffer.from(await res.arrayBuffer());
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(jpeg.equals(Buffer.from(lastSent.thumbnail!.base64, 'base64'))).toBe(true);

    // No thumbnail for a device that sends none, and none for a device that does not exist: JSON errors.
    const none = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/gw/thumbnail`, { headers: authHeaders() });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ error: { code: 'not-found' } });
    const unknown = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/nope/thumbnail`, { headers: authHeaders() });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown-device' } });

    // History holds the image metrics, never the picture.
    const history = (await (await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1/history`, { headers: authHeaders() })).json()) as { samples: Record<string, unknown>[] };
    expect(history.samples.some((x) => typeof x.sharpnessRatio === 'number')).toBe(true);
    expect(history.samples.every((x) => !('thumbnail' in x) && !Object.values(x).some((v) => typeof v === 'string' && v.length > 1000))).toBe(true);
  }, TEST_TIMEOUT_MS);
});
