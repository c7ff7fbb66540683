// Observed conditions per device (CONTRACTS §1 `observations`): checked against the site and merged, so a
// device named twice counts once and conditions keep one canonical order (the CONDITIONS list).
import { CONDITIONS, type Condition } from '@camfleet/shared';
import type { Topology } from './topology.ts';
import type { InputIssue, Observation } from './types.ts';

const CONDITION_SET: ReadonlySet<string> = new Set(CONDITIONS);

export function observationIssues(observations: unknown, topo: Topology): InputIssue[] {
  if (observations === undefined) return [];
  if (!Array.isArray(observations)) return [{ field: 'observations', message: 'must be an array' }];
  const issues: InputIssue[] = [];
  (observations as Observation[]).forEach((o, i) => {
    const at = `observations[${i}]`;
    if (typeof o?.device !== 'string') return void issues.push({ field: `${at}.device`, message: 'is required' });
    if (!topo.byId.has(o.device)) issues.push({ field: `${at}.device`, message: `no device "${o.device}" in site.devices` });
    if (!Array.isArray(o.conditions)) return void issues.push({ field: `${at}.conditions`, message: 'must be an array' });
    o.conditions.forEach((c, j) => {
      if (!CONDITION_SET.has(c)) {
        issues.push({ field: `${at}.conditions[${j}]`, message: `unknown condition "${String(c)}"; expected one of ${CONDITIONS.join(', ')}` });
      }
    });
  });
  return issues;
}

/** Conditions observed on each device, merged and in CONDITIONS order. Call after `observationIssues` is empty. */
export function conditionsByDevice(observations: readonly Observation[] = []): Map<string, Condition[]> {
  const sets = new Map<string, Set<string>>();
  for (const o of observations) {
    const set = sets.get(o.device) ?? new Set<string>();
    for (const c of o.conditions) set.add(c);
    sets.set(o.device, set);
  }
  return new Map([...sets].map(([id, set]) => [id, CONDITIONS.filter((c) => set.has(c))]));
}
