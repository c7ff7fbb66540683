// The benchmark's load: simulated agents publishing telemetry at a fixed rate over a few MQTT
// connections (QoS 1, pipelined), and a socket.io client (own process) measuring sample time → push delay.
import type { MqttClient } from 'mqtt';
import { fork } from 'node:child_process';
import path from 'node:path';
import { topics } from '@camfleet/shared';
import { connect, telemetry } from './sim-agents.ts';

export interface LoadOptions {
  url: string;
  sites: string[];
  devices: number;
  /** Each site publishes one batch this often. */
  intervalMs: number;
  connections?: number;
  /** Fraction of batches in which one device flips state (so pushes carry state changes too). */
  flipRate?: number;
}

export interface Load {
  published(): number;
  stop(): Promise<void>;
}

const MAX_INFLIGHT = 2000;

export async function startLoad(o: LoadOptions): Promise<Load> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < (o.connections ?? 4); i++) clients.push(await connect(o.url, { clientId: `bench-pub-${process.pid}-${i}` }));
  const seq = new Map<string, number>();
  const inflight = clients.map(() => 0);
  let published = 0;
  let next = 0;
  let running = true;
  const started = Date.now();
  const perMs = o.sites.length / o.intervalMs;
  const tick = async () => {
    while (running) {
      const due = Math.floor((Date.now() - started) * perMs);
      while (next < due && running) {
        const site = o.sites[next % o.sites.length]!;
        const c = next % clients.length;
        if (inflight[c]! >= MAX_INFLIGHT) break; // the broker is behind: do not queue without bound
        const s = (seq.get(site) ?? 0) + 1;
        seq.set(site, s);
        const down = o.flipRate && ((s + next) % Math.round(1 / o.flipRate)) === 0 ? new Set(['cam1']) : undefined;
        inflight[c]!++;
        clients[c]!.publish(topics.telemetry(site), JSON.stringify(telemetry(site, s, Date.now(), o.devices, down)), { qos: 1 }, () => {
          inflight[c]!--;
          published += o.devices;
        });
        next++;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const loop = tick();
  return {
    published: () => published,
    async stop() {
      running = false;
      await loop;
      while (inflight.some((n) => n > 0)) await new Promise((r) => setTimeout(r, 20));
      await Promise.all(clients.map((c) => c.endAsync()));
    },
  };
}

export interface DelayProbe {
  start(): void;
  stop(): Promise<{ p50: number; p99: number; sampled: number; updates: number }>;
}

/** A fleet-room socket.io client in its own process (probe.ts): sample time → push delay, as a client sees it. */
export async function delayProbe(url: string): Promise<DelayProbe> {
  const child = fork(path.join(path.dirname(new URL(import.meta.url).pathname), 'probe.ts'), [url], { execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  return {
    start: () => void child.send({ cmd: 'start' }),
    stop: () => new Promise((resolve) => {
      child.once('message', (m) => resolve(m as { p50: number; p99: number; sampled: number; updates: number }));
      child.send({ cmd: 'stop' });
    }),
  };
}
