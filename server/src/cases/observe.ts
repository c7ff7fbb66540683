// What the case engine sees of a site, read from FleetState and the time-series store: the current observations
// (DOWN and UNREACHABLE devices → `unreachable`, plus each device's conditions), the devices with no current data,
// whether this evaluation carries a fresh poll, and — for the agent-offline case — the evidence and the buffered
// samples of the outage.
import {
  CONDITIONS, type Condition, type DeviceStatus, type SiteSpec, type SiteStatus,
} from '@camfleet/shared';
import type { Observation } from '../rules/index.ts';
import { buildTopology } from '../rules/index.ts';
import type { FleetState } from '../state/fleet-state.ts';
import type { TimeSeriesStore } from '../timeseries/types.ts';
import type { AgentOfflineEvidence, OutageSample } from './agent-offline.ts';
import { uplinkChain } from './impact.ts';

const KNOWN: ReadonlySet<string> = new Set(CONDITIONS);
/** Samples this close to the server's clock count as a live poll even if taken before the agent reconnected. */
export const LIVE_SAMPLE_AGE_MS = 30_000;
/** How far before the silence the evidence looks for the uplink's last samples. */
const EVIDENCE_LOOKBACK_MS = 15 * 60_000;

export interface SiteView {
  spec: SiteSpec;
  status: SiteStatus;
  observations: Observation[];
  noData: Set<string>;
  /** Newest sample time of the site's devices (agent clock), 0 when none. */
  newestSampleMs: number;
}

export function siteView(fleet: FleetState, site: string): SiteView | null {
  const spec = fleet.siteSpec(site);
  const status = fleet.siteStatus(site);
  if (!spec || !status) return null;
  const known = new Set(spec.devices.map((d) => d.id));
  const observations: Observation[] = [];
  const noData = new Set<string>();
  let newestSampleMs = 0;
  for (const d of fleet.siteDevices(site)) {
    if (!known.has(d.device)) continue;
    if (d.lastSample) newestSampleMs = Math.max(newestSampleMs, Date.parse(d.lastSample));
    const conditions = observedConditions(d);
    if (conditions === null) noData.add(d.device);
    else if (conditions.length) observations.push({ device: d.device, conditions });
  }
  for (const id of known) if (!fleet.deviceStatus(site, id)) noData.add(id);
  return { spec, status, observations, noData, newestSampleMs };
}

/** The device's conditions as the engine reads them; null when there is no current data (UNKNOWN, STALE). */
export function observedConditions(d: DeviceStatus): Condition[] | null {
  if (d.state === 'UNKNOWN' || d.state === 'STALE') return null;
  const set = new Set<Condition>(d.conditions.filter((c) => KNOWN.has(c)));
  if (d.state === 'DOWN' || d.state === 'UNREACHABLE') set.add('unreachable');
  else set.delete('unreachable');
  return CONDITIONS.filter((c) => set.has(c));
}

/**
 * A fresh poll: newer samples than the last poll evaluated, taken since the agent came online (or within
 * LIVE_SAMPLE_AGE_MS of now, in case the agent's clock lags). Replayed buffered batches are history, not polls.
 */
export function isFreshPoll(view: SiteView, lastPollMs: number, now: number): boolean {
  if (view.status.agent !== 'online' || view.newestSampleMs <= lastPollMs) return false;
  return view.newestSampleMs >= Date.parse(view.status.agentSince) || now - view.newestSampleMs <= LIVE_SAMPLE_AGE_MS;
}

/** The devices whose samples explain a silent agent: the line chain, LTE routers and the gateway. */
export function uplinkDevices(spec: SiteSpec): string[] {
  const chain = uplinkChain(buildTopology(spec));
  return spec.devices.filter((d) => chain.has(d.id) || d.segment === 'lte-router' || d.segment === 'gateway').map((d) => d.id);
}

/** Evidence at the moment the agent went silent: last telemetry, the uplink's last known state, LTE signal. */
export async function offlineEvidence(fleet: FleetState, ts: TimeSeriesStore, view: SiteView): Promise<AgentOfflineEvidence> {
  const since = Date.parse(view.status.agentSince);
  const uplink: AgentOfflineEvidence['uplink'] = [];
  const lteSignal: AgentOfflineEvidence['lteSignal'] = [];
  for (const id of uplinkDevices(view.spec)) {
    const device = view.spec.devices.find((d) => d.id === id)!;
    const status = fleet.deviceStatus(view.spec.id, id);
    const rows = await ts.query({ site: view.spec.id, device: id, from: since - EVIDENCE_LOOKBACK_MS, to: since }).catch(() => []);
    const last = rows.at(-1);
    const { reachable, behindParent: _b, ...metrics } = last?.fields ?? {};
    uplink.push({
      device: id,
      segment: device.segment,
      lastSample: last ? new Date(last.at).toISOString() : status?.lastSample ?? null,
      reachable: reachable === undefined ? null : reachable === 1,
      conditions: status?.conditions ?? [],
      metrics,
    });
    if (device.segment === 'lte-router') lteSignal.push({ device: id, weak: (status?.conditions ?? []).includes('lte-signal-weak'), metrics });
  }
  return {
    agent: view.status.agent === 'offline' ? 'offline' : 'unknown',
    since: view.status.agentSince,
    lastTelemetry: view.newestSampleMs ? new Date(view.newestSampleMs).toISOString() : null,
    uplink,
    lteSignal,
  };
}

/** The uplink devices' samples between `from` and `to` (what the agent buffered while it was silent). */
export async function outageSamples(ts: TimeSeriesStore, spec: SiteSpec, from: number, to: number): Promise<OutageSample[]> {
  const out: OutageSample[] = [];
  for (const id of uplinkDevices(spec)) {
    for (const r of await ts.query({ site: spec.id, device: id, from, to })) out.push({ device: id, at: r.at, fields: r.fields });
  }
  return out;
}
