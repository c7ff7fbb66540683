// The Agent with fake probes and no broker: a full outbox drops its oldest messages and says so — an
// `outbox-dropped` event with a summary, and outboxDepth / outboxDropped on the gateway's sample.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentEvent, TelemetryBatch } from '@camfleet/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../config/types.ts';
import type { Probe } from '../probes/types.ts';
import { Agent } from './agent.ts';

const up: Probe = { appliesTo: (d) => Boolean(d.address), run: async () => ({ reachable: true, conditions: [], metrics: { latencyMs: 1 } }) };
const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

function config(stateDir: string, maxMB?: number): SiteConfig {
  return {
    site: { id: 'unit-01' },
    agentId: 'unit-01-gw',
    agentDevice: 'gw',
    devices: [
      { id: 'gw', segment: 'gateway' },
      ...Array.from({ length: 20 }, (_, i) => ({ id: `cam${i}`, segment: 'camera' as const, parent: 'gw', address: `10.0.0.${i + 1}` })),
    ],
    poll: { intervalS: 30, timeoutS: 5 },
    mqtt: { url: 'mqtt://127.0.0.1:1', keepaliveS: 30 },
    stateDir,
    ...(maxMB ? { outbox: { maxMB } } : {}),
  };
}

function queued(stateDir: string): Array<{ topic: string; body: TelemetryBatch | AgentEvent }> {
  const dir = path.join(stateDir, 'outbox');
  return readdirSync(dir)
    .sort()
    .map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { topic: string; payload: string })
    .map((e) => ({ topic: e.topic, body: JSON.parse(e.payload) as TelemetryBatch | AgentEvent }));
}

describe('Agent', () => {
  it('puts its own health on the gateway sample', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'camfleet-agent-'));
    const agent = new Agent(config(stateDir), { probes: { reachability: up }, log: () => {} });
    agents.push(agent);
    await agent.cycle();
    const [first] = queued(stateDir);
    const gw = (first?.body as TelemetryBatch).samples.find((s) => s.device === 'gw');
    expect(gw).toMatchObject({ reachable: true, metrics: { outboxDepth: 0, outboxDropped: 0, probesRun: 20, probesTimedOut: 0 } });
    expect((first?.body as TelemetryBatch).samples).toHaveLength(21);
  });

  it('when the outbox is full, drops the oldest and reports it: event and telemetry, never silently', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'camfleet-agent-'));
    const logs: string[] = [];
    // 40 KiB: ten 4 KiB blocks, so the eleventh message pushes the oldest out.
    const agent = new Agent(config(stateDir, 40 / 1024), { probes: { reachability: up }, log: (m) => logs.push(m) });
    agents.push(agent);
    for (let i = 0; i < 14; i++) await agent.cycle();
    const all = queued(stateDir);
    expect(all.length).toBeLessThanOrEqual(10);
    const events = all.filter((e) => e.topic.endsWith('/event')).map((e) => e.body as AgentEvent);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toMatchObject({ kind: 'outbox-dropped', device: 'gw', data: { messages: expect.any(Number), samples: expect.any(Number), droppedTotal: expect.any(Number), capBytes: 40960 } });
    const last = all.filter((e) => e.topic.endsWith('/telemetry')).at(-1)!.body as TelemetryBatch;
    const gw = last.samples.find((s) => s.device === 'gw');
    expect(gw?.metrics?.outboxDropped).toBeGreaterThan(0);
    expect(gw?.metrics?.outboxDepth).toBeGreaterThan(0);
    expect(logs.some((l) => l.startsWith('outbox full'))).toBe(true);
    // Sequence numbers stay strictly increasing across telemetry and events.
    const seqs = all.map((e) => e.body.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });
});
