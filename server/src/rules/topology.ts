// Site topology: validates the device list (ids, segments, dates, parent references, cycles) and answers tree
// questions. `parent` is the device through which the agent reaches a device (CONTRACTS §1), so a device's
// descendants are everything the agent reaches only through it.
import { SEGMENTS, isValidDate, type DeviceSpec, type SiteSpec } from '@camfleet/shared';
import type { InputIssue } from './types.ts';

export interface Topology {
  devices: readonly DeviceSpec[];
  byId: ReadonlyMap<string, DeviceSpec>;
  /** Position in `site.devices`: the tie-break for every ordering, so output is stable. */
  position: ReadonlyMap<string, number>;
  children: ReadonlyMap<string, readonly string[]>;
}

const SEGMENT_SET: ReadonlySet<string> = new Set(SEGMENTS);
const DATE_FIELDS = ['purchaseDate', 'shipDate'] as const;

/** Every problem with the site, each naming its field (`site.devices[3].parent`); empty when valid. */
export function siteIssues(site: SiteSpec): InputIssue[] {
  if (typeof site !== 'object' || site === null) return [{ field: 'site', message: 'must be an object' }];
  if (!Array.isArray(site.devices)) return [{ field: 'site.devices', message: 'must be an array' }];
  if (site.region !== undefined && site.region !== 'east' && site.region !== 'west') {
    return [{ field: 'site.region', message: 'must be "east" or "west"' }];
  }
  const issues: InputIssue[] = [];
  const first = new Map<string, number>();
  site.devices.forEach((d, i) => {
    const at = `site.devices[${i}]`;
    if (typeof d?.id !== 'string' || d.id === '') return void issues.push({ field: `${at}.id`, message: 'is required' });
    const seen = first.get(d.id);
    if (seen !== undefined) issues.push({ field: `${at}.id`, message: `duplicate device id "${d.id}" (also site.devices[${seen}])` });
    else first.set(d.id, i);
    if (!SEGMENT_SET.has(d.segment)) {
      issues.push({ field: `${at}.segment`, message: `unknown segment "${String(d.segment)}"; expected one of ${SEGMENTS.join(', ')}` });
    }
    for (const f of DATE_FIELDS) {
      const v = d[f];
      if (v !== undefined && !isValidDate(v)) issues.push({ field: `${at}.${f}`, message: `"${v}" is not a calendar date (YYYY-MM-DD)` });
    }
  });
  site.devices.forEach((d, i) => {
    if (d?.parent !== undefined && !first.has(d.parent)) {
      issues.push({ field: `site.devices[${i}].parent`, message: `no device "${d.parent}"` });
    }
  });
  return issues.length ? issues : cycleIssues(site.devices, first);
}

/** One issue per parent cycle, on the cycle's first device in input order. */
function cycleIssues(devices: readonly DeviceSpec[], position: ReadonlyMap<string, number>): InputIssue[] {
  const parent = new Map(devices.map((d) => [d.id, d.parent]));
  const state = new Map<string, 'walking' | 'done'>();
  const issues: InputIssue[] = [];
  for (const d of devices) {
    const path: string[] = [];
    let cur: string | undefined = d.id;
    while (cur !== undefined && !state.has(cur)) {
      state.set(cur, 'walking');
      path.push(cur);
      cur = parent.get(cur);
    }
    if (cur !== undefined && state.get(cur) === 'walking') {
      const cycle = path.slice(path.indexOf(cur));
      const lead = cycle.reduce((a, b) => ((position.get(a) ?? 0) <= (position.get(b) ?? 0) ? a : b));
      const k = cycle.indexOf(lead);
      const ring = [...cycle.slice(k), ...cycle.slice(0, k), lead];
      issues.push({ field: `site.devices[${position.get(lead)}].parent`, message: `parent cycle: ${ring.join(' → ')}` });
    }
    for (const id of path) state.set(id, 'done');
  }
  return issues;
}

/** Builds the topology of a site that `siteIssues` found valid. */
export function buildTopology(site: SiteSpec): Topology {
  const byId = new Map(site.devices.map((d) => [d.id, d]));
  const position = new Map(site.devices.map((d, i) => [d.id, i]));
  const children = new Map<string, string[]>();
  for (const d of site.devices) {
    if (d.parent === undefined) continue;
    const list = children.get(d.parent) ?? [];
    list.push(d.id);
    children.set(d.parent, list);
  }
  return { devices: site.devices, byId, position, children };
}

/** Ancestors, nearest first. */
export function ancestors(topo: Topology, id: string): string[] {
  const out: string[] = [];
  for (let p = topo.byId.get(id)?.parent; p !== undefined; p = topo.byId.get(p)?.parent) out.push(p);
  return out;
}

/** Every device behind `id`, breadth-first: nearest first, siblings in input order. */
export function descendants(topo: Topology, id: string): string[] {
  const out: string[] = [];
  for (let queue = [...(topo.children.get(id) ?? [])]; queue.length; ) {
    const next: string[] = [];
    for (const c of queue) {
      out.push(c);
      next.push(...(topo.children.get(c) ?? []));
    }
    queue = next;
  }
  return out;
}
