// Root-cause correlation over the topology (CONTRACTS §1, DOMAIN §6): a dead upstream device explains every device
// behind it, so one case goes to the right contact instead of twenty.
import { CONTEXT_CONDITIONS, type Condition } from '@camfleet/shared';
import { ancestors, descendants, type Topology } from './topology.ts';

export interface Finding {
  rootCause: string;
  fault: Condition;
  /** Every device behind the root cause that loses service: those whose symptoms it explains first, then the rest. */
  affected: string[];
  observed: Condition[];
  context: Condition[];
  explains: { device: string; conditions: Condition[] }[];
}

/** Symptoms an unreachable device on the path fully explains (no stream can arrive through a dead hop). */
const EXPLAINED_BY_UNREACHABLE: ReadonlySet<Condition> = new Set(['unreachable', 'stream-down']);
/** Faults that take down, or degrade, everything behind the device. */
const PROPAGATING: ReadonlySet<Condition> = new Set(['unreachable', 'lte-signal-weak']);

/**
 * One finding per (root cause, fault), ordered by the root cause's position in `site.devices`, then by the
 * CONDITIONS order. `power-cycled` is context only and opens nothing.
 */
export function correlate(topo: Topology, observed: ReadonlyMap<string, readonly Condition[]>): Finding[] {
  const unreachable = new Set([...observed].filter(([, cs]) => cs.includes('unreachable')).map(([id]) => id));
  /** The topmost unreachable ancestor explains the device; null when none is unreachable. */
  const explainer = (id: string) => ancestors(topo, id).filter((a) => unreachable.has(a)).at(-1) ?? null;

  const explainedBy = new Map<string, { device: string; conditions: Condition[] }[]>();
  const findings: Finding[] = [];
  for (const device of topo.devices) {
    const conditions = observed.get(device.id) ?? [];
    const context = conditions.filter((c) => CONTEXT_CONDITIONS.has(c));
    const faults = conditions.filter((c) => !CONTEXT_CONDITIONS.has(c));
    const root = explainer(device.id);
    const explained = faults.filter((c) =>
      root !== null ? EXPLAINED_BY_UNREACHABLE.has(c) : c === 'stream-down' && unreachable.has(device.id));
    if (root !== null && explained.length) {
      const list = explainedBy.get(root) ?? [];
      list.push({ device: device.id, conditions: explained });
      explainedBy.set(root, list);
    }
    for (const fault of faults) {
      if (explained.includes(fault)) continue;
      findings.push({ rootCause: device.id, fault, affected: [], observed: faults, context, explains: [] });
    }
  }
  for (const f of findings) {
    if (!PROPAGATING.has(f.fault)) continue;
    const behind = descendants(topo, f.rootCause);
    const explains = f.fault === 'unreachable' ? (explainedBy.get(f.rootCause) ?? []) : [];
    const first = new Set(explains.map((e) => e.device));
    f.explains = [...explains].sort((a, b) => behind.indexOf(a.device) - behind.indexOf(b.device));
    f.affected = [...behind.filter((d) => first.has(d)), ...behind.filter((d) => !first.has(d))];
  }
  return findings;
}

/** True when the device itself and every device on its path answer (CONTRACTS §1 "on a reachable device"). */
export function isReachable(topo: Topology, observed: ReadonlyMap<string, readonly Condition[]>, id: string): boolean {
  return [id, ...ancestors(topo, id)].every((d) => !(observed.get(d) ?? []).includes('unreachable'));
}
