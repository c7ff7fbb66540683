// Topology-aware state: a device that does not answer while a device it is reached through is also down
// is UNREACHABLE (behind its parent), not DOWN — DESIGN §1, DOMAIN §6 ("a dead ONU explains every device behind it").
import type { DeviceState } from '@camfleet/shared';

export interface TopoNode {
  id: string;
  parent?: string | undefined;
  /** What the agent measured: UP, DOWN, or UNREACHABLE when the agent skipped it behind a dead parent. */
  raw: DeviceState;
}

/** Returns each device's effective state and the site's root-cause device (the topmost DOWN one). */
export function resolveTopology(nodes: Map<string, TopoNode>): { states: Map<string, DeviceState>; rootCause?: string } {
  const states = new Map<string, DeviceState>();
  const failed = (s: DeviceState | undefined) => s === 'DOWN' || s === 'UNREACHABLE';
  const resolve = (id: string, seen: Set<string>): DeviceState => {
    const done = states.get(id);
    if (done) return done;
    const node = nodes.get(id);
    if (!node) return 'UNKNOWN';
    let state = node.raw;
    if (node.parent && !seen.has(node.parent) && nodes.has(node.parent)) {
      seen.add(id);
      const parentState = resolve(node.parent, seen);
      if (failed(state) && failed(parentState)) state = 'UNREACHABLE';
    }
    states.set(id, state);
    return state;
  };
  for (const id of nodes.keys()) resolve(id, new Set());
  let rootCause: string | undefined;
  let rootDepth = Infinity;
  for (const [id, s] of states) {
    if (s !== 'DOWN') continue;
    const depth = depthOf(nodes, id);
    if (depth < rootDepth) [rootCause, rootDepth] = [id, depth];
  }
  return { states, ...(rootCause ? { rootCause } : {}) };
}

function depthOf(nodes: Map<string, TopoNode>, id: string): number {
  let depth = 0;
  const seen = new Set<string>();
  for (let cur = nodes.get(id); cur?.parent && !seen.has(cur.parent); cur = nodes.get(cur.parent)) {
    seen.add(cur.parent);
    depth++;
  }
  return depth;
}
