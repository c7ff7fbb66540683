// SIGHUP reload (issue 3 §1) on the real agent process and a real Mosquitto: a broken new config is
// reported problem by problem and the running one kept (the agent keeps publishing); a valid changed config
// takes effect — also while the broker is down, without losing or reordering what is queued.
import '../harness/provided.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent, Inventory, TelemetryBatch } from '@camfleet/shared';
import { startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { startTcpDevice, type TcpDeviceHandle } from '../sim/tcp-device.ts';
import { startAgent, tempDir, type AgentProcess } from '../support/processes.ts';

const SITE = 'e2e-reload-01';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGHUP reload', () => {
  let broker: MosquittoHandle;
  let site: SimSite;
  let extra: TcpDeviceHandle;
  let agent: AgentProcess;
  let observer: mqtt.MqttClient;
  let config: string;
  let log: string;
  let yaml: string;
  const batches: TelemetryBatch[] = [];
  const events: AgentEvent[] = [];
  let inventory: Inventory | undefined;

  beforeAll(async () => {
    broker = await startMosquitto();
    site = await startSimSite({ id: SITE, cameras: 1 });
    extra = await startTcpDevice();
    const dir = tempDir('agent-reload');
    config = path.join(dir, 'site.yaml');
    log = path.join(dir, 'agent.log');
    yaml = site.yaml({ mqttUrl: broker.url, stateDir: path.join(dir, 'state'), intervalS: 1, timeoutS: 0.5, keepaliveS: 2, extra: 'outbox: { replayDelayS: 0 }' });
    writeFileSync(config, yaml, { mode: 0o600 });
    observer = await mqtt.connectAsync(broker.url, { clientId: 'reload-observer', clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 500 });
    await observer.subscribeAsync([`camfleet/v1/${SITE}/telemetry`, `camfleet/v1/${SITE}/event`, `camfleet/v1/${SITE}/inventory`], { qos: 1 });
    observer.on('message', (topic, payload) => {
      const body: unknown = JSON.parse(payload.toString());
      if (topic.endsWith('/telemetry')) batches.push(body as TelemetryBatch);
      else if (topic.endsWith('/event')) events.push(body as AgentEvent);
      else inventory = body as Inventory;
    });
    agent = startAgent(config, log);
    await waitFor(() => batches.length >= 2, { timeoutMs: 30_000, what: 'telemetry from the agent' });
  });

  afterAll(async () => {
    await agent?.stop();
    await observer?.endAsync(true);
    await site?.close();
    await extra?.stop();
    await broker?.dispose();
  });

  const hup = () => agent.proc.child.kill('SIGHUP'); // the agent only, like systemd's ExecReload
  const maxSeq = () => Math.max(0, ...batches.map((b) => b.seq));

  it('rejects a broken config, naming each problem, keeps the running one and keeps publishing', async () => {
    writeFileSync(config, yaml.replace('segment: switch', 'segment: swtich').replace('intervalS: 1', 'intervalS: "often"'));
    const before = maxSeq();
    hup();
    await waitFor(() => readFileSync(log, 'utf8').includes('the new config is invalid; keeping the running one'), { timeoutMs: 10_000, what: 'the agent to reject the config' });
    const text = readFileSync(log, 'utf8');
    expect(text).toMatch(/site\.yaml:\d+ devices\[1\]\.segment: unknown segment "swtich"/);
    expect(text).toMatch(/site\.yaml:\d+ poll\.intervalS: expected a number/);
    await waitFor(() => maxSeq() >= before + 3, { timeoutMs: 10_000, what: 'telemetry to go on' });
    expect(agent.proc.exitInfo).toBeUndefined();
    expect(batches.at(-1)!.samples.map((s) => s.device).sort()).toEqual(['cam1', 'gw', 'onu', 'rt', 'sw']);
  });

  it('applies a valid changed config, keeping what is queued while the broker is down', async () => {
    await broker.stop();
    await sleep(3000); // a few cycles go to the outbox
    const changed = yaml
      .replace('name: Demo shop', 'name: Renamed shop')
      .replace('devices:\n', `devices:\n  - { id: extra1, segment: switch, parent: gw, address: 127.0.0.1, reachability: { method: tcp, port: ${extra.port} } }\n`);
    writeFileSync(config, changed);
    hup();
    await waitFor(() => readFileSync(log, 'utf8').includes('config reloaded: 6 devices'), { timeoutMs: 10_000, what: 'the reload' });
    await sleep(2000);
    await broker.start();

    await waitFor(() => batches.some((b) => b.samples.some((s) => s.device === 'extra1')), { timeoutMs: 30_000, what: 'the new device in telemetry' });
    await waitFor(() => inventory?.site.name?.startsWith('Renamed shop'), { timeoutMs: 10_000, what: 'the new inventory' });
    expect(inventory?.site.devices.map((d) => d.id)).toContain('extra1');
    const reloaded = events.find((e) => e.kind === 'config-reloaded');
    expect(reloaded?.data).toMatchObject({ devices: 6 });
    // Nothing queued before the reload was lost, and it went out in order: telemetry and events together
    // use one sequence, so the seqs seen are contiguous from the first batch to the last.
    const seqs = [...new Set([...batches, ...events].map((m) => m.seq))].sort((a, b) => a - b);
    expect(seqs.at(-1)! - seqs[0]! + 1).toBe(seqs.length);
    const order = [...new Set(batches.map((b) => b.seq))];
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
