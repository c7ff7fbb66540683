// What goes in, counted: an observer that records every message an agent got to the broker (its own persistent
// session, so it misses nothing across a reconnect or a broker restart), and a pump of simulated agents whose
// every PUBACKed batch is remembered. Both answer "which samples must history hold, per device" — the figure
// each test compares with InfluxDB.
import mqtt, { type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { topics, type TelemetryBatch } from '@camfleet/shared';
import { announce, connect, telemetry } from '../bench/ingest/sim-agents.ts';
import { sleep, type InfluxDb } from './support.ts';

export interface Observed {
  kind: 'telemetry' | 'event';
  seq: number;
  body: { seq: number; kind?: string; data?: Record<string, unknown>; samples?: Array<{ device: string; at: string }> };
}

export interface Observer {
  /** Every message in arrival order, repeats (QoS 1 redeliveries, replays) included. */
  readonly arrivals: Observed[];
  /** The first arrival of each seq, in arrival order. */
  distinct(): Observed[];
  close(): Promise<void>;
}

/** Subscribes to one site's telemetry and events with a persistent session (QoS 1, kept 1 h by the broker). */
export async function observe(brokerUrl: string, site: string, clientId: string): Promise<Observer> {
  const client = await mqtt.connectAsync(brokerUrl, { clientId, clean: false, protocolVersion: 5, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 500 });
  client.on('error', () => {});
  const arrivals: Observed[] = [];
  client.on('message', (topic, payload) => {
    const body = JSON.parse(payload.toString()) as Observed['body'];
    arrivals.push({ kind: topic.endsWith('/telemetry') ? 'telemetry' : 'event', seq: body.seq, body });
  });
  await client.subscribeAsync([topics.telemetry(site), topics.event(site)], { qos: 1 });
  return {
    arrivals,
    distinct() {
      const seen = new Set<number>();
      return arrivals.filter((a) => !seen.has(a.seq) && seen.add(a.seq));
    },
    close: () => client.endAsync(true),
  };
}

/** Sample times per device (oldest first) of a set of telemetry batches. */
export function samplesByDevice(batches: ReadonlyArray<{ samples?: ReadonlyArray<{ device: string; at: string }> }>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const b of batches) for (const s of b.samples ?? []) (out.get(s.device) ?? out.set(s.device, []).get(s.device)!).push(Date.parse(s.at));
  for (const times of out.values()) times.sort((a, b) => a - b);
  return out;
}

/**
 * History must hold exactly these samples: per device, the same times, each once. Waits (up to `timeoutMs`) for
 * history to catch up, then compares; returns the number of samples checked.
 */
export async function expectStoredOnce(influx: InfluxDb, site: string, expected: Map<string, number[]>, fromMs: number, timeoutMs = 30_000): Promise<number> {
  let checked = 0;
  for (const [device, times] of expected) {
    let stored: number[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      stored = await influx.times(site, device, fromMs);
      if (stored.length >= times.length) break;
      await sleep(250);
    }
    expect({ site, device, stored }).toEqual({ site, device, stored: times });
    checked += times.length;
  }
  return checked;
}

// ---- simulated agents ---------------------------------------------------------------------------------------

export interface Pump {
  /** Samples PUBACKed by the broker so far. */
  published(): number;
  /** Batches PUBACKed so far, per site. */
  batches(site: string): TelemetryBatch[];
  /** Makes these devices of a site answer unreachable from the next batch on. */
  setDown(site: string, devices: readonly string[]): void;
  stop(): Promise<void>;
}

/**
 * Simulated agents (the ingest benchmark's, test/bench/ingest/sim-agents.ts): presence and inventory for each site,
 * then one batch per site every `intervalMs` with strictly increasing seqs. A batch counts as published once the
 * broker PUBACKed it — from then on the system owes it to history.
 */
export async function startPump(o: { mqttUrl: string; sites: readonly string[]; devices: number; intervalMs: number; clientId: string }): Promise<Pump> {
  const client: MqttClient = await connect(o.mqttUrl, { clientId: o.clientId });
  client.on('error', () => {});
  await announce(client, [...o.sites], o.devices);
  const sent = new Map<string, TelemetryBatch[]>(o.sites.map((s) => [s, []]));
  const down = new Map<string, Set<string>>();
  let published = 0;
  let running = true;
  let seq = 0;
  const loop = (async () => {
    while (running) {
      seq++;
      const at = Date.now();
      await Promise.all(o.sites.map(async (site) => {
        const batch = telemetry(site, seq, at, o.devices, down.get(site));
        // QoS 1: MQTT.js keeps it and sends it again after a reconnect, so this resolves once the broker has it.
        await client.publishAsync(topics.telemetry(site), JSON.stringify(batch), { qos: 1 });
        sent.get(site)!.push(batch);
        published += batch.samples.length;
      }));
      await sleep(Math.max(0, at + o.intervalMs - Date.now()));
    }
  })();
  return {
    published: () => published,
    batches: (site) => sent.get(site) ?? [],
    setDown: (site, devices) => void down.set(site, new Set(devices)),
    async stop() {
      running = false;
      await loop;
      await client.endAsync();
    },
  };
}
