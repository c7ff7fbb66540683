// The agent's publisher against a broker that speaks only MQTT 3.1.1 (aedes, the server's embedded broker):
// it falls back from MQTT 5, sends its birth and queued telemetry, and still takes commands.
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { Outbox } from '../../agent/src/runtime/outbox.ts';
import { Publisher } from '../../agent/src/runtime/publisher.ts';
import { waitFor } from '../harness/index.ts';

describe('MQTT 3.1.1 fallback', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('connects to an MQTT 3.1.1-only broker, publishes the outbox in order and answers commands', async () => {
    const aedes = await Aedes.createBroker({});
    const server = net.createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => aedes.close(() => server.close(() => r()))));
    const url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

    const seen: string[] = [];
    const watcher = await mqtt.connectAsync(url, { protocolVersion: 4 });
    closers.push(() => watcher.endAsync(true));
    await watcher.subscribeAsync('camfleet/v1/s311/#', { qos: 1 });
    watcher.on('message', (topic, payload) => seen.push(`${topic.split('/').slice(3).join('/')}:${payload.toString().slice(0, 200)}`));

    const outbox = new Outbox(mkdtempSync(path.join(tmpdir(), 'camfleet-311-')));
    for (let i = 1; i <= 3; i++) outbox.add('camfleet/v1/s311/telemetry', `batch-${i}`);
    const logs: string[] = [];
    const publisher = new Publisher({
      url,
      keepaliveS: 5,
      site: 's311',
      agentId: 's311-gw',
      version: 'test',
      outbox,
      inventory: () => '{"inventory":true}',
      log: (m) => logs.push(m),
      replayDelayMs: 0,
      onCommand: async (name) => ({ v: 1, id: 'c1', at: new Date().toISOString(), ok: true, code: name }),
    });
    publisher.start();
    closers.push(() => publisher.stop());

    await waitFor(() => outbox.depth === 0 && publisher.protocolVersion === 4, { timeoutMs: 15_000, what: 'the outbox to drain over MQTT 3.1.1' });
    expect(logs).toContain('the broker does not speak MQTT 5; using MQTT 3.1.1');
    expect(seen.filter((s) => s.startsWith('telemetry'))).toEqual(['telemetry:batch-1', 'telemetry:batch-2', 'telemetry:batch-3']);
    expect(seen.some((s) => s.startsWith('agent/state:') && s.includes('"online"'))).toBe(true);

    await watcher.publishAsync('camfleet/v1/s311/cmd/reload', JSON.stringify({ v: 1, id: 'c1', at: new Date().toISOString() }), { qos: 1 });
    await waitFor(() => seen.find((s) => s.startsWith('cmd/reload/result:')), { timeoutMs: 10_000, what: 'the command result' });
  });
});
