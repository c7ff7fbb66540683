// Simulated site agents speaking the real MQTT contract (shared/src/mqtt.ts): retained presence and
// inventory, then telemetry batches with strictly increasing sequence numbers. Used by the ingest
// benchmark, the fuzz test and the server's end-to-end tests.
import mqtt, { type MqttClient } from 'mqtt';
import { topics, type AgentState, type DeviceSample, type Inventory, type TelemetryBatch } from '@camfleet/shared';

/** Devices of a simulated site: gw → sw → cam1..camN (plus rt → onu behind sw). */
export function deviceIds(count: number): string[] {
  const ids = ['gw', 'sw', 'rt', 'onu'];
  for (let i = 1; ids.length < count; i++) ids.push(`cam${i}`);
  return ids.slice(0, count);
}

export function inventory(site: string, devices: number): Inventory {
  const ids = deviceIds(devices);
  const parent: Record<string, string> = { sw: 'gw', rt: 'sw', onu: 'rt' };
  return {
    v: 1,
    agent: `${site}-agent`,
    at: new Date().toISOString(),
    site: {
      id: site,
      name: `Sim ${site}`,
      region: 'east',
      devices: ids.map((id) => ({
        id,
        segment: id === 'gw' ? 'gateway' : id === 'sw' ? 'switch' : id === 'rt' ? 'router' : id === 'onu' ? 'onu' : 'camera',
        ...(parent[id] ? { parent: parent[id] } : id.startsWith('cam') ? { parent: 'sw' } : {}),
      })),
    },
  };
}

export function presence(site: string, state: 'online' | 'offline' = 'online'): AgentState {
  return { v: 1, site, agent: `${site}-agent`, state, at: new Date().toISOString() };
}

/** One poll cycle's batch; `down` devices answer unreachable. Sample times are `at` + a few ms per device. */
export function telemetry(site: string, seq: number, at: number, devices: number, down: ReadonlySet<string> = new Set()): TelemetryBatch {
  const samples: DeviceSample[] = deviceIds(devices).map((device, i) => {
    const up = !down.has(device);
    return {
      device,
      at: new Date(at + i).toISOString(),
      reachable: up,
      conditions: up ? [] : ['unreachable'],
      metrics: (up ? { latencyMs: 1 + ((seq * 7 + i) % 50), lossPct: 0 } : { lossPct: 100 }) as Record<string, number>,
    };
  });
  return { v: 1, site, agent: `${site}-agent`, seq, at: new Date(at).toISOString(), samples };
}

/** Publishes presence and inventory (retained) for each site, QoS 1. */
export async function announce(client: MqttClient, sites: string[], devices: number): Promise<void> {
  for (const site of sites) {
    await client.publishAsync(topics.state(site), JSON.stringify(presence(site)), { qos: 1, retain: true });
    await client.publishAsync(topics.inventory(site), JSON.stringify(inventory(site, devices)), { qos: 1, retain: true });
  }
}

export async function connect(url: string, opts: { clientId?: string; username?: string; password?: string; protocolVersion?: 4 | 5 } = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: opts.protocolVersion ?? 5,
    reconnectPeriod: 500,
    ...(opts.clientId ? { clientId: opts.clientId } : {}),
    ...(opts.username ? { username: opts.username, password: opts.password ?? '' } : {}),
  });
}

/** Clears retained presence/inventory so a shared broker does not carry them into the next run. */
export async function forget(client: MqttClient, sites: string[]): Promise<void> {
  for (const site of sites) {
    await client.publishAsync(topics.state(site), '', { qos: 1, retain: true });
    await client.publishAsync(topics.inventory(site), '', { qos: 1, retain: true });
  }
}
