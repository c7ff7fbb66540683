// How instance B learns device state from telemetry instance A consumed (issue 4 §8, docs/scaling.md):
// each instance applies the batches it consumes and sends its peers a compact, coalesced delta — the
// latest sample per device, four times a second — which they apply to their own FleetState. Presence and
// inventory reach every instance straight from the broker (plain subscriptions); an operator's inventory
// import is forwarded here. The transport is socket.io's inter-server channel (the PostgreSQL adapter).
import type { DeviceSample, SiteSpec } from '@camfleet/shared';
import type { FleetState } from './fleet-state.ts';

export type PeerMessage =
  | { kind: 'samples'; from: string; sites: [site: string, samples: DeviceSample[]][] }
  | { kind: 'inventory'; from: string; spec: SiteSpec };

export interface PeerTransport {
  send(msg: PeerMessage): void;
  onMessage(cb: (msg: PeerMessage) => void): void;
  /** Other live instances (0 with one server: nothing is sent). */
  peers(): number;
}

const FLUSH_MS = 250;

/** What a peer needs for state: no metrics but the latency the status shows. */
function compact(s: DeviceSample): DeviceSample {
  const latencyMs = s.metrics?.latencyMs;
  return {
    device: s.device,
    at: s.at,
    reachable: s.reachable,
    conditions: s.conditions,
    ...(s.behindParent ? { behindParent: true } : {}),
    ...(latencyMs !== undefined ? { metrics: { latencyMs } } : {}),
    ...(s.info ? { info: s.info } : {}),
    ...(s.error ? { error: s.error } : {}),
  };
}

export class PeerSync {
  private readonly pending = new Map<string, Map<string, DeviceSample>>();
  private readonly timer: NodeJS.Timeout;
  sent = 0;
  received = 0;

  constructor(private readonly fleet: FleetState, private readonly transport: PeerTransport, readonly instanceId: string) {
    transport.onMessage((msg) => this.receive(msg));
    this.timer = setInterval(() => this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  /** Samples this instance consumed from the broker (and applied itself). */
  consumed(site: string, samples: DeviceSample[]): void {
    // Queued even while no peer is seen: a heartbeat missed under load must not lose a state change. The queue
    // holds one sample per device, so it is bounded by the fleet; peers ignore samples older than they have.
    let bySite = this.pending.get(site);
    if (!bySite) this.pending.set(site, (bySite = new Map()));
    for (const s of samples) bySite.set(s.device, compact(s));
  }

  inventory(spec: SiteSpec): void {
    if (this.transport.peers() > 0) this.transport.send({ kind: 'inventory', from: this.instanceId, spec });
  }

  flush(): void {
    if (this.pending.size === 0 || this.transport.peers() === 0) return;
    const sites: [string, DeviceSample[]][] = [];
    for (const [site, devices] of this.pending) sites.push([site, [...devices.values()]]);
    this.pending.clear();
    this.transport.send({ kind: 'samples', from: this.instanceId, sites });
    this.sent++;
  }

  private receive(msg: PeerMessage): void {
    if (msg.from === this.instanceId) return;
    this.received++;
    if (msg.kind === 'inventory') return this.fleet.applyInventory(msg.spec);
    for (const [site, samples] of msg.sites) this.fleet.applySamples(site, samples);
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
