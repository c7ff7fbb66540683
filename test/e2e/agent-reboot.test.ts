// Issue 3 §6 acceptance with real peers: the agent (its own process) → Mosquitto; cameras are the ONVIF
// simulator (SystemReboot takes the camera away for rebootDownS and brings it back with uptime reset) and a
// GStreamer RTSP server whose `dead` mount answers DESCRIBE with 503 (stream-down). The test plays the
// camera's insides: a dead stream stays dead until the camera reboots. A camera with a dead stream is
// rebooted once, verified, and not again inside the cap (also across an agent restart); a camera whose
// switch is down is never rebooted, whoever asks.
import '../harness/provided.ts';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AgentEvent, CommandResult, TelemetryBatch } from '@camfleet/shared';
import { waitFor } from '../harness/index.ts';
import { startOnvifCamera, type OnvifCameraHandle } from '../sim/onvif/index.ts';
import { startRtspServer, type RtspServerHandle } from '../sim/rtsp/server.ts';
import { startTcpDevice, type TcpDeviceHandle } from '../sim/tcp-device.ts';
import { startAgent, tempDir, type AgentProcess } from '../support/processes.ts';

const SITE = 'e2e-reboot-01';
const USER = 'camfleet';
const PASS = 'reboot-e2e-secret';

describe('reboot ladder with the ONVIF and RTSP simulators', () => {
  const tcp: Record<string, TcpDeviceHandle> = {};
  const cams: Record<string, OnvifCameraHandle> = {};
  const rtsp: Record<string, RtspServerHandle> = {};
  let agent: AgentProcess;
  let client: mqtt.MqttClient;
  let config: string;
  let log: string;
  const events: AgentEvent[] = [];
  const results: CommandResult[] = [];
  const cam1Conditions: string[][] = [];
  let watcher: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    for (const id of ['gw', 'sw1', 'sw2']) tcp[id] = await startTcpDevice();
    for (const id of ['cam1', 'cam2']) cams[id] = await startOnvifCamera({ username: USER, password: PASS, rebootDownS: 3 });
    // Each camera's own RTSP server (a real camera serves its stream itself), both streams dead.
    for (const id of ['cam1', 'cam2']) rtsp[id] = await startRtspServer({ username: USER, password: PASS, mounts: [{ path: `/${id}`, mode: 'dead' }] });
    // The camera's insides: its RTSP server goes down with it, and comes back healthy when it has booted.
    let seen = 0;
    let booting = false;
    watcher = setInterval(() => {
      const cam = cams.cam1!;
      if (cam.rebootCount > seen && !booting) {
        seen = cam.rebootCount;
        booting = true;
        void (async () => {
          await rtsp.cam1!.stop();
          await rtsp.cam1!.setMode('/cam1', 'normal');
          while (cam.uptimeS() === 0) await new Promise((r) => setTimeout(r, 100));
          await rtsp.cam1!.start();
          booting = false;
        })();
      }
    }, 100);

    const dir = tempDir('agent-reboot');
    config = path.join(dir, 'site.yaml');
    log = path.join(dir, 'agent.log');
    const tcpDev = (id: string, segment: string, parent?: string) =>
      `  - { id: ${id}, segment: ${segment}, ${parent ? `parent: ${parent}, ` : ''}address: 127.0.0.1, reachability: { method: tcp, port: ${tcp[id]!.port} } }`;
    const cam = (id: string, parent: string) =>
      [
        `  - id: ${id}\n    segment: camera\n    parent: ${parent}\n    address: 127.0.0.1`,
        `    reachability: { method: tcp, port: ${cams[id]!.port} }`,
        `    onvif: { port: ${cams[id]!.port}, username: ${USER}, password: ${PASS} }`,
        `    rtsp: { url: "${rtsp[id]!.url(`/${id}`)}", username: ${USER}, password: ${PASS}, grabFrame: false }`,
      ].join('\n');
    writeFileSync(
      config,
      [
        `site: { id: ${SITE} }`,
        `mqtt: { url: "${inject('mosquittoUrl')}", keepaliveS: 5 }`,
        'poll: { intervalS: 2, timeoutS: 1.5, jitterS: 0.1 }',
        `stateDir: ${path.join(dir, 'state')}`,
        'outbox: { replayDelayS: 0 }',
        'reboot: { afterCycles: 2, stepPauseS: 0.5, dropTimeoutS: 20, verifyTimeoutS: 40 }',
        'devices:',
        tcpDev('gw', 'gateway'),
        tcpDev('sw1', 'switch', 'gw'),
        tcpDev('sw2', 'switch', 'gw'),
        cam('cam1', 'sw1'),
        cam('cam2', 'sw2'),
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    await tcp.sw2!.stop(); // cam2's switch is down for the whole test

    client = await mqtt.connectAsync(inject('mosquittoUrl'), { protocolVersion: 5 });
    await client.subscribeAsync([`camfleet/v1/${SITE}/event`, `camfleet/v1/${SITE}/cmd/+/result`, `camfleet/v1/${SITE}/telemetry`], { qos: 1 });
    client.on('message', (topic, payload) => {
      const body: unknown = JSON.parse(payload.toString());
      if (topic.endsWith('/event')) events.push(body as AgentEvent);
      else if (topic.endsWith('/result')) results.push(body as CommandResult);
      else for (const s of (body as TelemetryBatch).samples) if (s.device === 'cam1') cam1Conditions.push(s.conditions);
    });
    agent = startAgent(config, log);
  });

  afterAll(async () => {
    clearInterval(watcher);
    await agent?.stop();
    await client?.endAsync(true);
    await Promise.all([...Object.values(rtsp).map((r) => r.close()), ...Object.values(cams).map((c) => c.close()), ...Object.values(tcp).map((t) => t.stop())]);
  });

  const rebootEvents = (device: string) => events.filter((e) => e.kind === 'reboot' && e.device === device).map((e) => e.data ?? {});
  const ask = async (device: string, id: string): Promise<CommandResult> => {
    await client.publishAsync(`camfleet/v1/${SITE}/cmd/reboot`, JSON.stringify({ v: 1, id, at: new Date().toISOString(), device, requestedBy: 'e2e' }), { qos: 1 });
    return waitFor(() => results.find((r) => r.id === id), { timeoutMs: 15_000, what: `the answer to ${id}` });
  };

  it('reboots the camera with the dead stream once and verifies it', async () => {
    const verified = await waitFor(() => rebootEvents('cam1').find((d) => d.outcome === 'verified'), { timeoutMs: 90_000, what: 'a verified reboot of cam1' });
    expect(cams.cam1!.rebootCount).toBe(1);
    expect(rebootEvents('cam1').map((d) => `${String(d.step)}:${String(d.outcome)}`)).toEqual(['onvif-reboot:issued', 'onvif-reboot:verified']);
    expect(verified).toMatchObject({ source: 'auto', method: 'onvif', droppedAfterS: expect.any(Number), backAfterS: expect.any(Number), healthyAfterS: expect.any(Number) });
    // The uptime really reset: the camera has been up for less time than since the reboot was issued.
    expect(cams.cam1!.uptimeS()).toBeLessThan(Number(verified.healthyAfterS) + 10);
    // Its samples carry the power-cycled context once it rebooted.
    await waitFor(() => cam1Conditions.some((c) => c.includes('power-cycled')), { timeoutMs: 10_000, what: 'power-cycled on cam1' });
  });

  it('does not reboot it again inside the cap, even when its stream dies again', async () => {
    await rtsp.cam1!.setMode('/cam1', 'dead');
    const refused = await waitFor(() => rebootEvents('cam1').find((d) => d.outcome === 'refused'), { timeoutMs: 60_000, what: 'the ladder to be refused' });
    expect(refused).toMatchObject({ code: 'camera-interval', step: 'onvif-reboot' });
    expect(await ask('cam1', 'e2e-cam1-1')).toMatchObject({ ok: false, code: 'camera-interval' });
    expect(cams.cam1!.rebootCount).toBe(1);
  });

  it('never reboots the camera whose switch is down, automatically or on request', async () => {
    expect(await ask('cam2', 'e2e-cam2-1')).toMatchObject({ ok: false, code: 'parent-down' });
    expect(rebootEvents('cam2')).toEqual([]);
    expect(cams.cam2!.rebootCount).toBe(0);
  });

  it('keeps the cap across an agent restart (history in the state dir)', async () => {
    await agent.stop();
    agent = startAgent(config, log);
    await waitFor(async () => (await ask('cam1', `e2e-cam1-${Date.now()}`)).code === 'camera-interval', { timeoutMs: 30_000, intervalMs: 1000, what: 'the restarted agent to refuse cam1' });
    expect(cams.cam1!.rebootCount).toBe(1);
    expect(cams.cam2!.rebootCount).toBe(0);
  });
});
