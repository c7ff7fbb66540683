// Issue 8 §3: camera credentials stay on the agent. An agent polls simulated cameras that demand a distinctive
// password — ONVIF with WS-Security digest, RTSP with Digest (the password inside the rtsp:// URL on one camera,
// a wrong one on another so the failure paths run too) and an SNMP switch whose community is the same string —
// while the test records every MQTT message on camfleet/v1/#, both processes' logs and every GET the API
// offers (from its own OpenAPI description), and finds the password in none of them. The agent bin refuses the
// same config when group or others can read it, and `check` reports it as a problem naming the file.
import '../harness/provided.ts';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CommandResult, DeviceSample, TelemetryBatch } from '@camfleet/shared';
import { freePort, waitFor } from '../harness/index.ts';
import { SIM_CAMERA_USER, startSimSite, type SimSite } from '../sim/site.ts';
import { startRtspServer, type RtspServerHandle } from '../sim/rtsp/index.ts';
import { startSnmpDevice, type SnmpDeviceHandle } from '../sim/snmp/index.ts';
import { authHeaders } from '../support/auth.ts';
import { REPO, startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'e2e-secrets-01';
/** URL-safe, so its percent-encoded form is itself; long and odd enough never to occur by chance. */
const SECRET = 'Kx7q-canary-LEAK-9vWz2';
const BIN = path.join(REPO, 'agent/bin/camfleet-agent.js');

function bin(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: REPO, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('camera credentials stay on the agent', () => {
  let site: SimSite;
  let rtsp: RtspServerHandle;
  let rtspOther: RtspServerHandle;
  let snmpSwitch: SnmpDeviceHandle;
  let server: ServerProcess;
  let agent: AgentProcess;
  let observer: mqtt.MqttClient;
  let config: string;
  let agentLog: string;
  const messages: Array<{ topic: string; payload: Buffer }> = [];
  const samples: DeviceSample[] = [];

  beforeAll(async () => {
    const mqttUrl = inject('mosquittoUrl');
    site = await startSimSite({ id: SITE, cameras: 2, cameraPassword: SECRET, rebootDownS: 3 });
    rtsp = await startRtspServer({ username: SIM_CAMERA_USER, password: SECRET, mounts: ['/cam1'] });
    rtspOther = await startRtspServer({ username: SIM_CAMERA_USER, password: 'not-the-configured-one', mounts: ['/cam2'] });
    snmpSwitch = await startSnmpDevice({ kind: 'poe-switch', community: SECRET, ports: 2 });

    // The whole run on the broker: every message, every topic, retained ones included.
    observer = await mqtt.connectAsync(mqttUrl, { protocolVersion: 5 });
    observer.on('message', (topic, payload) => {
      messages.push({ topic, payload });
      if (topic === `camfleet/v1/${SITE}/telemetry`) samples.push(...(JSON.parse(payload.toString()) as TelemetryBatch).samples);
    });
    await observer.subscribeAsync('camfleet/v1/#', { qos: 1 });

    server = await startServer({ name: 'secrets', env: { CAMFLEET_MQTT_URL: mqttUrl, CAMFLEET_MQTT_SHARE_GROUP: 'secrets', CAMFLEET_MQTT_PORT: String(await freePort()), LOG_LEVEL: 'debug' } });

    const dir = tempDir('secrets');
    config = path.join(dir, 'site.yaml');
    agentLog = path.join(dir, 'agent.log');
    const cam1 = site.cameras.get('cam1')!;
    const cam2 = site.cameras.get('cam2')!;
    const tcp = (id: string) => site.devices.get(id)!.port;
    writeFileSync(config, [
      `site: { id: ${SITE}, name: Secrets shop }`,
      `mqtt: { url: "${mqttUrl}", keepaliveS: 5 }`,
      'poll: { intervalS: 3, timeoutS: 2.5, jitterS: 0.2 }',
      `stateDir: ${path.join(dir, 'state')}`,
      'outbox: { replayDelayS: 0 }',
      'reboot: { enabled: true, afterCycles: 1000, requireUplink: false }', // only the requested reboot below
      'devices:',
      `  - { id: gw, segment: gateway, address: 127.0.0.1, reachability: { method: tcp, port: ${tcp('gw')} } }`,
      `  - id: sw`,
      `    segment: switch`,
      `    parent: gw`,
      `    address: 127.0.0.1`,
      `    reachability: { method: tcp, port: ${tcp('sw')} }`,
      `    snmp: { port: ${snmpSwitch.port}, community: ${SECRET} }`,
      ...[[cam1, `rtsp: { url: "rtsp://${SIM_CAMERA_USER}:${SECRET}@127.0.0.1:${rtsp.port}/cam1" }`], [cam2, `rtsp: { url: "${rtspOther.url('/cam2')}", username: ${SIM_CAMERA_USER}, password: ${SECRET} }`]].flatMap(([cam, rtspBlock], i) => [
        `  - id: cam${i + 1}`,
        '    segment: camera',
        '    parent: sw',
        '    address: 127.0.0.1',
        `    reachability: { method: tcp, port: ${(cam as { port: number }).port} }`,
        `    onvif: { port: ${(cam as { port: number }).port}, username: ${SIM_CAMERA_USER}, password: ${SECRET} }`,
        `    ${rtspBlock as string}`,
      ]),
      '',
    ].join('\n'), { mode: 0o600 });
  }, 240_000);

  afterAll(async () => {
    await agent?.stop();
    await observer?.endAsync(true);
    await server?.stop();
    await Promise.all([site?.close(), rtsp?.close(), rtspOther?.close(), snmpSwitch?.close()]);
  });

  it('refuses the config while others can read it: run and check name the file, its mode and the fix', () => {
    chmodSync(config, 0o644);
    const expected = `${config}: holds credentials (devices[1].snmp.community, devices[2].onvif.password, …) but its mode 0644 lets others read it; run chmod 600 ${config}`;
    const run = bin('run', config);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expected]);
    const check = bin('check', config);
    expect(check.status).toBe(1);
    expect(check.stderr.trim().split('\n')).toEqual([expected]);
    chmodSync(config, 0o600);
    const ok = bin('check', config);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`${config}: ok — site ${SITE}`);
    for (const out of [run.stdout, run.stderr, check.stdout, check.stderr, ok.stdout, ok.stderr]) expect(out).not.toContain(SECRET);
  });

  it('uses the password with every protocol, and it appears in no MQTT message, log line or API response', async () => {
    chmodSync(config, 0o600); // whatever the test before left
    agent = startAgent(config, agentLog);
    const latest = (device: string, ok: (s: DeviceSample) => boolean) => samples.some((s) => s.device === device && ok(s));
    // The agent really authenticated: ONVIF answered (digest over the password), a frame came through RTSP Digest,
    // SNMP answered to the community; and the camera whose RTSP server wants another password failed.
    await waitFor(() => latest('cam1', (s) => s.metrics?.onvifMs !== undefined && s.info?.vendor === 'AXIS'), { timeoutMs: 60_000, what: 'cam1 ONVIF with the password' });
    await waitFor(() => latest('cam1', (s) => s.metrics?.frameMs !== undefined), { timeoutMs: 60_000, what: 'a cam1 frame over RTSP with the password in the URL' });
    await waitFor(() => latest('sw', (s) => s.metrics?.snmpMs !== undefined), { timeoutMs: 30_000, what: 'the switch answering SNMP to the community' });
    await waitFor(() => latest('cam2', (s) => s.error?.code === 'auth-failed' && s.conditions.includes('auth-failed')), { timeoutMs: 60_000, what: 'cam2 refused by its RTSP server' });

    // Commands: a reboot (ONVIF SystemReboot with the password) and a reload, answered over MQTT.
    const rebooted = await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1/reboot`, { method: 'POST', headers: { ...authHeaders(), 'content-type': 'application/json' }, body: '{}' });
    expect([200, 502]).toContain(rebooted.status);
    await observer.publishAsync(`camfleet/v1/${SITE}/cmd/reload`, JSON.stringify({ v: 1, id: 'secrets-reload', at: new Date().toISOString() }), { qos: 1 });
    await waitFor(() => messages.some((m) => m.topic === `camfleet/v1/${SITE}/cmd/reload/result` && (JSON.parse(m.payload.toString()) as CommandResult).id === 'secrets-reload'), { timeoutMs: 15_000, what: 'the reload answer' });
    await waitFor(async () => (await fetch(`${server.url}/api/v1/sites/${SITE}/devices/cam1/thumbnail`, { headers: authHeaders() })).status === 200, { timeoutMs: 60_000, what: 'a cam1 thumbnail at the server' });
    await new Promise((r) => setTimeout(r, 6000)); // two more cycles, the reboot's verification under way

    // Every GET route the server describes, with this site's ids filled in.
    const responses = await walkApi(server.url);
    expect(responses.length).toBeGreaterThan(10);
    const leaks = [
      ...messages.filter((m) => m.payload.includes(SECRET)).map((m) => `MQTT ${m.topic}`),
      ...responses.filter((r) => r.body.includes(SECRET)).map((r) => `API ${r.url}`),
      ...readFileSync(agentLog, 'utf8').split('\n').filter((l) => l.includes(SECRET)).map((l) => `agent log: ${l}`),
      ...readFileSync(path.join(server.dir, 'server.log'), 'utf8').split('\n').filter((l) => l.includes(SECRET)).map((l) => `server log: ${l}`),
    ];
    expect(leaks).toEqual([]);
    // The evidence was there to leak: messages of this site, log lines, API answers about it.
    expect(messages.filter((m) => m.topic.startsWith(`camfleet/v1/${SITE}/`)).length).toBeGreaterThan(10);
    expect(readFileSync(agentLog, 'utf8')).toContain('connected to');
    expect(responses.some((r) => r.url.includes(`/sites/${SITE}/devices/cam2`) && r.body.includes('auth-failed'))).toBe(true);
  }, 240_000);
});

/** GETs every path in /docs/json (plus /metrics and the spec itself) with this site's ids; bodies as text. */
async function walkApi(base: string): Promise<Array<{ url: string; status: number; body: Buffer }>> {
  const get = async (url: string) => {
    const res = await fetch(url, { headers: authHeaders() });
    return { url, status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };
  const spec = await get(`${base}/docs/json`);
  expect(spec.status).toBe(200);
  const paths = Object.entries((JSON.parse(spec.body.toString()) as { paths: Record<string, Record<string, unknown>> }).paths)
    .filter(([, ops]) => 'get' in ops)
    .map(([p]) => p)
    // Streams and on-demand grabs start work on the agent; what they expose is covered by the thumbnail.
    .filter((p) => !/\/live\b|snapshot|stream/.test(p));
  const cases = (JSON.parse((await get(`${base}/api/v1/cases`)).body.toString() || '{}') as { cases?: Array<{ id: string }> }).cases ?? [];
  const fill: Record<string, string[]> = { site: [SITE], device: ['gw', 'sw', 'cam1', 'cam2'], id: cases.slice(0, 3).map((c) => String(c.id)) };
  const urls = paths.flatMap((p) => {
    let out = [p];
    for (const [name, values] of Object.entries(fill)) {
      if (!p.includes(`{${name}}`)) continue;
      out = out.flatMap((u) => values.map((v) => u.replace(`{${name}}`, encodeURIComponent(v))));
    }
    return out.filter((u) => !u.includes('{'));
  });
  const results = [spec, await get(`${base}/metrics`), await get(`${base}/healthz`)];
  for (const u of urls) results.push(await get(`${base}${u}`));
  return results;
}
