// Current state of every device and site, derived from agent presence, inventory and telemetry.
// Emits only real changes; the realtime layer coalesces them and the store persists them.
import { EventEmitter } from 'node:events';
import {
  STATE_SEVERITY,
  type AgentPresence,
  type DeviceSample,
  type DeviceState,
  type DeviceStatus,
  type FleetSnapshot,
  type FleetSummary,
  type SiteSpec,
  type SiteStatus,
} from '@camfleet/shared';
import { thumbnailRef, withoutThumbnail } from '../thumbnails/store.ts';
import { resolveTopology, type TopoNode } from './topology.ts';

interface DeviceEntry {
  status: DeviceStatus;
  raw: DeviceState;
  lastSampleMs: number;
}

interface SiteEntry {
  status: SiteStatus;
  /** The site's inventory as last published by its agent or imported by an operator. */
  spec?: SiteSpec;
  devices: Map<string, DeviceEntry>;
  lastHeardMs: number;
}

export interface FleetStateEvents {
  device: [DeviceStatus];
  site: [SiteStatus];
  /** A site's telemetry batch or presence change has been applied (the rules evaluate the site once). */
  evaluated: [siteId: string];
}

const rawStateOf = (s: DeviceSample): DeviceState => (s.behindParent ? 'UNREACHABLE' : s.reachable ? 'UP' : 'DOWN');
const iso = (ms: number) => new Date(ms).toISOString();
const INFO_KEYS = ['vendor', 'model', 'firmware', 'serial', 'hardwareId'] as const;
/** The schema lets an agent add keys to `info`; state keeps only the known ones (bounded, no junk persisted). */
function knownInfo(info: NonNullable<DeviceSample['info']>): NonNullable<DeviceSample['info']> {
  const out: NonNullable<DeviceSample['info']> = {};
  for (const k of INFO_KEYS) if (typeof info[k] === 'string') out[k] = info[k];
  return out;
}

export class FleetState extends EventEmitter<FleetStateEvents> {
  private readonly sites = new Map<string, SiteEntry>();
  /** Devices per state, kept as states change: the summary is O(1), not a walk over the fleet. */
  private readonly counts: Record<DeviceState, number> = { DOWN: 0, UNREACHABLE: 0, UNKNOWN: 0, STALE: 0, UP: 0 };
  private deviceTotal = 0;

  constructor(private readonly staleAfterMs: number) {
    super();
  }

  private site(id: string, now: number): SiteEntry {
    let entry = this.sites.get(id);
    if (!entry) {
      entry = {
        status: { site: id, agent: 'unknown', agentSince: iso(now), worst: 'UNKNOWN', deviceCount: 0 },
        devices: new Map(),
        lastHeardMs: now,
      };
      this.sites.set(id, entry);
    }
    return entry;
  }

  private device(site: SiteEntry, id: string, now: number): DeviceEntry {
    let entry = site.devices.get(id);
    if (!entry) {
      entry = { status: { site: site.status.site, device: id, state: 'UNKNOWN', since: iso(now), conditions: [] }, raw: 'UNKNOWN', lastSampleMs: 0 };
      site.devices.set(id, entry);
      this.counts.UNKNOWN++;
      this.deviceTotal++;
    }
    return entry;
  }

  hasSite(id: string): boolean {
    return this.sites.has(id);
  }

  applyInventory(spec: SiteSpec, now = Date.now()): void {
    const site = this.site(spec.id, now);
    site.spec = spec;
    site.status = {
      ...site.status,
      ...(spec.name ? { name: spec.name } : {}),
      ...(spec.region ? { region: spec.region } : {}),
    };
    for (const d of spec.devices) {
      const entry = this.device(site, d.id, now);
      entry.status = {
        ...entry.status,
        segment: d.segment,
        ...(d.parent ? { parent: d.parent } : {}),
        ...(d.name ? { name: d.name } : {}),
      };
      if (!d.parent) delete entry.status.parent;
    }
    this.recompute(site, now, true);
  }

  applyPresence(siteId: string, presence: AgentPresence, now = Date.now()): void {
    const site = this.site(siteId, now);
    site.lastHeardMs = now;
    if (site.status.agent !== presence) {
      site.status = { ...site.status, agent: presence, agentSince: iso(now) };
      if (presence !== 'online') for (const d of site.devices.values()) d.raw = 'UNKNOWN';
      this.recompute(site, now, true);
      this.emit('evaluated', siteId);
    }
  }

  applySamples(siteId: string, samples: DeviceSample[], now = Date.now()): void {
    const site = this.site(siteId, now);
    site.lastHeardMs = now;
    if (site.status.agent !== 'online') site.status = { ...site.status, agent: 'online', agentSince: iso(now) };
    const dirty = new Set<string>();
    for (const s of samples) {
      const entry = this.device(site, s.device, now);
      const at = Date.parse(s.at);
      if (at < entry.lastSampleMs) continue; // a replayed older sample is history, not current state
      entry.lastSampleMs = at;
      entry.raw = rawStateOf(s);
      const { latencyMs } = s.metrics ?? {};
      entry.status = {
        ...entry.status,
        lastSample: s.at,
        conditions: s.conditions,
        ...(s.info ? { info: knownInfo(s.info) } : {}),
      };
      if (latencyMs !== undefined) entry.status.latencyMs = latencyMs;
      else delete entry.status.latencyMs;
      if (s.thumbnail) entry.status.thumbnail = thumbnailRef(siteId, s);
      if (s.error) entry.status.error = s.error.message;
      else delete entry.status.error;
      dirty.add(s.device);
    }
    this.recompute(site, now, false, dirty);
    this.emit('evaluated', siteId);
  }

  /** Turns silent devices STALE and silent agents UNKNOWN. Call periodically. */
  tick(now = Date.now()): void {
    for (const site of this.sites.values()) {
      let changed = false;
      if (site.status.agent === 'online' && now - site.lastHeardMs > this.staleAfterMs * 3) {
        site.status = { ...site.status, agent: 'unknown', agentSince: iso(now) };
        for (const d of site.devices.values()) d.raw = 'UNKNOWN';
        changed = true;
      }
      for (const d of site.devices.values()) {
        if (d.raw !== 'UNKNOWN' && d.raw !== 'STALE' && d.lastSampleMs > 0 && now - d.lastSampleMs > this.staleAfterMs) {
          d.raw = 'STALE';
          changed = true;
        }
      }
      if (changed) this.recompute(site, now, true);
    }
  }

  private recompute(site: SiteEntry, now: number, siteChanged: boolean, dirty?: Set<string>): void {
    const nodes = new Map<string, TopoNode>();
    for (const [id, d] of site.devices) nodes.set(id, { id, parent: d.status.parent, raw: d.raw });
    const { states, rootCause } = resolveTopology(nodes);
    let worst: DeviceState = 'UP';
    for (const [id, d] of site.devices) {
      const state = states.get(id) ?? 'UNKNOWN';
      if (STATE_SEVERITY[state] > STATE_SEVERITY[worst]) worst = state;
      if (state !== d.status.state) {
        this.counts[d.status.state]--;
        this.counts[state]++;
        d.status = { ...d.status, state, since: iso(now) };
        this.emit('device', d.status);
      } else if (siteChanged || dirty?.has(id)) {
        this.emit('device', d.status);
      }
    }
    if (site.devices.size === 0) worst = 'UNKNOWN';
    const next: SiteStatus = { ...site.status, worst, deviceCount: site.devices.size };
    if (rootCause) next.rootCause = rootCause;
    else delete next.rootCause;
    if (siteChanged || JSON.stringify(next) !== JSON.stringify(site.status)) {
      site.status = next;
      this.emit('site', next);
    }
  }

  /** Restores persisted state after a restart (devices keep their since-when). */
  restore(sites: SiteStatus[], devices: (DeviceStatus & { raw?: DeviceState })[]): void {
    const now = Date.now();
    for (const s of sites) {
      const entry = this.site(s.site, now);
      entry.status = s;
    }
    for (const d of devices) {
      const site = this.site(d.site, now);
      const old = site.devices.get(d.device);
      if (old) this.counts[old.status.state]--;
      else this.deviceTotal++;
      this.counts[d.state]++;
      site.devices.set(d.device, { status: withoutThumbnail(d), raw: d.raw ?? d.state, lastSampleMs: d.lastSample ? Date.parse(d.lastSample) : 0 });
    }
  }

  /** After a restart: the inventory comes back without touching device state. */
  restoreSpec(spec: SiteSpec): void {
    const site = this.sites.get(spec.id);
    if (site) site.spec = spec;
  }

  deviceStatus(site: string, device: string): DeviceStatus | undefined {
    return this.sites.get(site)?.devices.get(device)?.status;
  }

  siteSpec(site: string): SiteSpec | undefined {
    return this.sites.get(site)?.spec;
  }

  siteIds(): string[] {
    return [...this.sites.keys()];
  }

  siteStatus(site: string): SiteStatus | undefined {
    return this.sites.get(site)?.status;
  }

  siteDevices(site: string): DeviceStatus[] {
    return [...(this.sites.get(site)?.devices.values() ?? [])].map((d) => d.status);
  }

  summary(now = Date.now()): FleetSummary {
    return { sites: this.sites.size, devices: this.deviceTotal, byState: { ...this.counts }, at: iso(now) };
  }

  snapshot(): FleetSnapshot {
    const sites: SiteStatus[] = [];
    const devices: DeviceStatus[] = [];
    for (const s of this.sites.values()) {
      sites.push(s.status);
      for (const d of s.devices.values()) devices.push(d.status);
    }
    return { sites, devices, summary: this.summary() };
  }
}
