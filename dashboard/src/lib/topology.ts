// A site's devices as a tree over their parent links (O(n)); cycles and unknown parents become roots.
import { STATE_SEVERITY, type DeviceStatus } from '@camfleet/shared';

export interface TopoNode {
  device: DeviceStatus;
  children: TopoNode[];
  depth: number;
  /** The root-cause device this one is hidden behind (an ancestor), when it is UNREACHABLE because of it. */
  behind?: string;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
const byWorstThenId = (a: TopoNode, b: TopoNode): number =>
  STATE_SEVERITY[b.device.state] - STATE_SEVERITY[a.device.state] || collator.compare(a.device.device, b.device.device);

export function buildTopology(devices: readonly DeviceStatus[], rootCause?: string): TopoNode[] {
  const nodes = new Map<string, TopoNode>();
  for (const d of devices) nodes.set(d.device, { device: d, children: [], depth: 0 });
  const roots: TopoNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.device.parent ? nodes.get(node.device.parent) : undefined;
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  // Nodes on a parent cycle are reachable from no root: lift one node of each cycle to a root.
  const placed = new Set<TopoNode>();
  const walk = (start: TopoNode[]): void => {
    const stack: { node: TopoNode; depth: number; behind?: string }[] = start.map((node) => ({ node, depth: 0 }));
    while (stack.length) {
      const { node, depth, behind } = stack.pop()!;
      if (placed.has(node)) continue;
      placed.add(node);
      node.depth = depth;
      if (behind && node.device.state === 'UNREACHABLE') node.behind = behind;
      else delete node.behind;
      const below = node.device.device === rootCause ? node.device.device : behind;
      for (const c of node.children) stack.push({ node: c, depth: depth + 1, ...(below ? { behind: below } : {}) });
    }
  };
  walk(roots);
  for (const node of nodes.values()) {
    if (placed.has(node)) continue;
    roots.push(node);
    walk([node]);
  }
  for (const node of nodes.values()) {
    node.children = node.children.filter((c) => c.depth === node.depth + 1);
    node.children.sort(byWorstThenId);
  }
  return roots.sort(byWorstThenId);
}
