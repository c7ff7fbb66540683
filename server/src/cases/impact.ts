// Service impact of a root cause beyond its topology descendants, whether it makes the site completely unusable
// (DOMAIN §5), and the case ranking. `parent` is the agent's path (CONTRACTS §1), but the cameras reach the cloud
// through the line: seen from the cloud, every device of the site is behind the ONU, and behind the router that
// leads to it — "a dead ONU or router explains every device behind it" (DOMAIN §6).
import type { CaseSeverity, DeviceSpec, Segment } from '@camfleet/shared';
import { ancestors, descendants, type Topology } from '../rules/index.ts';

const CAMERA_SEGMENTS: ReadonlySet<Segment> = new Set(['camera', 'third-party-camera']);

/** Each ONU and the devices on the agent's way to it: the site's fixed-line uplink. */
export function uplinkChain(topo: Topology): Set<string> {
  const chain = new Set<string>();
  for (const d of topo.devices) {
    if (d.segment !== 'onu') continue;
    chain.add(d.id);
    for (const a of ancestors(topo, d.id)) chain.add(a);
  }
  return chain;
}

/** Devices that use an LTE router as their uplink instead of the line. */
function behindLte(topo: Topology): Set<string> {
  const out = new Set<string>();
  for (const d of topo.devices) if (d.segment === 'lte-router') for (const x of descendants(topo, d.id)) out.add(x);
  return out;
}

/**
 * Every device that loses service when `root` is unreachable: triage's own list (descendants) first, then — for a
 * line device on the uplink, or the cloud — the rest of the site in inventory order.
 */
export function serviceImpact(topo: Topology, root: DeviceSpec, affected: readonly string[]): string[] {
  const out = [...affected];
  const seen = new Set([root.id, ...affected]);
  let extra: DeviceSpec[] = [];
  if (root.segment === 'cloud') {
    extra = [...topo.devices];
  } else if ((root.segment === 'onu' || root.segment === 'router') && uplinkChain(topo).has(root.id)) {
    const lte = behindLte(topo);
    // The cloud lies beyond the line, not behind it.
    extra = topo.devices.filter((d) => !lte.has(d.id) && !(root.segment === 'onu' && d.segment === 'cloud'));
  }
  for (const d of extra) {
    if (seen.has(d.id)) continue;
    seen.add(d.id);
    out.push(d.id);
  }
  return out;
}

/** The site is completely unusable: every camera is down with it, or the line / cloud itself is (DOMAIN §5). */
export function isSiteWide(topo: Topology, root: DeviceSpec, fault: string, affected: readonly string[]): boolean {
  if (fault !== 'unreachable') return false;
  if (root.segment === 'cloud') return true;
  const cameras = topo.devices.filter((d) => CAMERA_SEGMENTS.has(d.segment)).map((d) => d.id);
  if (cameras.length === 0) return uplinkChain(topo).has(root.id);
  const down = new Set([root.id, ...affected]);
  return cameras.every((c) => down.has(c));
}

const SEVERITY_RANK: Record<CaseSeverity, number> = { critical: 3, major: 2, minor: 1 };
/** The line and the cloud carry the whole site; one camera carries itself. */
const SEGMENT_WEIGHT: Record<Segment, number> = {
  cloud: 7, onu: 6, router: 5, 'lte-router': 4, switch: 4, gateway: 3, camera: 2, 'third-party-camera': 1,
};
/** The agent-offline case ranks with the line: the line is the first cause to check. */
export const AGENT_OFFLINE_WEIGHT = 6;

/** Higher first: severity, then segment, then devices affected (capped so a big site never outranks severity). */
export function priorityOf(severity: CaseSeverity, segment: Segment | null, affected: number): number {
  const weight = segment ? SEGMENT_WEIGHT[segment] : AGENT_OFFLINE_WEIGHT;
  return SEVERITY_RANK[severity] * 100 + weight * 10 + Math.min(9, affected);
}
