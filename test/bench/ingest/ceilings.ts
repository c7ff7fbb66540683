// The two ceilings of BENCHMARKS.md, measured in the same run: InfluxDB alone writing the benchmark's
// point shape, and the broker passing the benchmark's message shape to a bare mosquitto_sub.
import { spawn } from 'node:child_process';
import { toChunk } from '../../../server/src/timeseries/line-protocol.ts';
import { connect, inventory, telemetry } from './sim-agents.ts';
import { topics } from '@camfleet/shared';

/** Points/s InfluxDB takes for device_sample points (5,000-point batches, 2 concurrent writers). */
export async function influxCeiling(influxUrl: string, db: string, devices: number, seconds: number): Promise<number> {
  await fetch(`${influxUrl}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${db}` }) });
  const segment = Object.fromEntries(inventory('x', devices).site.devices.map((d) => [d.id, d.segment]));
  let site = 0;
  const batch = () => {
    const rows = [];
    for (let i = 0; i < 5000 / devices; i++) {
      const id = `ceil-${site++ % 10_000}`;
      const b = telemetry(id, site, Date.now() - 60_000 + (site % 60_000), devices);
      for (const s of b.samples) rows.push({ site: id, device: s.device, segment: segment[s.device]!, at: Date.parse(s.at), fields: { reachable: s.reachable ? 1 : 0, ...s.metrics } });
    }
    return toChunk(rows)!.lines;
  };
  let points = 0;
  const end = Date.now() + seconds * 1000;
  const writer = async () => {
    while (Date.now() < end) {
      const body = batch();
      const res = await fetch(`${influxUrl}/write?db=${db}&precision=ms`, { method: 'POST', body });
      if (res.status !== 204) throw new Error(`InfluxDB ceiling write: ${res.status} ${await res.text()}`);
      points += 5000;
    }
  };
  const start = Date.now();
  await Promise.all([writer(), writer()]);
  return points / ((Date.now() - start) / 1000);
}

/** Samples/s through the broker to a bare `mosquitto_sub` (QoS 1), same message shape. */
export async function brokerCeiling(mqttUrl: string, sites: number, devices: number, messages: number): Promise<number> {
  const url = new URL(mqttUrl);
  const sub = spawn('mosquitto_sub', ['-h', url.hostname, '-p', url.port, '-q', '1', '-t', 'ceiling/v1/+/telemetry', '-C', String(messages), '-i', `bench-ceiling-${process.pid}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((r) => sub.once('exit', () => r()));
  await new Promise((r) => setTimeout(r, 500));
  const client = await connect(mqttUrl, { clientId: `bench-ceiling-pub-${process.pid}` });
  const payloads = Array.from({ length: 100 }, (_, i) => JSON.stringify(telemetry(`ceil-${i}`, i + 1, Date.now(), devices)));
  const start = Date.now();
  let inflight = 0;
  for (let i = 0; i < messages; i++) {
    while (inflight > 2000) await new Promise((r) => setTimeout(r, 1));
    inflight++;
    client.publish(topics.telemetry(`ceil-${i % sites}`).replace(/^camfleet/, 'ceiling'), payloads[i % payloads.length]!, { qos: 1 }, () => inflight--);
  }
  await exited;
  const rate = (messages * devices) / ((Date.now() - start) / 1000);
  await client.endAsync();
  return rate;
}
