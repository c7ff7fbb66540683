// The case engine (issue 5 §2): from a site's observations at time T and its active cases it returns commands —
// open, refresh, mark flapping, resolve — and nothing else. Deterministic: time comes only from the input, so a test
// drives it with synthetic polls and an injected clock. It remembers, per (root cause, fault), the last polls: the
// hold before opening (N consecutive polls), the flapping window and the recovery hold.
import { AGENT_ROOT, type AgentPresence, type ContactDirectory, type SiteSpec } from '@camfleet/shared';
import type { Observation } from '../rules/index.ts';
import type { EngineConfig } from './config.ts';
import { caseKey, draftsFor, type CaseDraft } from './draft.ts';

export interface ActiveCase {
  id: number;
  rootCause: string;
  fault: string;
  flapping: boolean;
  lastSeenMs: number;
  signature: string;
}

export interface SiteInput {
  at: number;
  site: SiteSpec;
  agent: { state: AgentPresence; sinceMs: number };
  /** This evaluation carries a fresh poll: telemetry taken while the agent is online (not a replay, not presence). */
  poll: boolean;
  observations: readonly Observation[];
  /** Devices with no current data (UNKNOWN, STALE): their faults are neither seen nor gone. */
  noData: ReadonlySet<string>;
  active: readonly ActiveCase[];
  maintenance: { site: boolean; devices: ReadonlySet<string> };
  contacts: ContactDirectory;
}

export type CaseCommand =
  | { kind: 'open'; draft: CaseDraft; flapping: boolean; firstSeen: number; at: number }
  | { kind: 'open-agent-offline'; site: string; since: number; at: number }
  | { kind: 'refresh'; caseId: number; draft: CaseDraft; flapping: boolean; repeat: boolean; at: number }
  | { kind: 'flapping'; caseId: number; flapping: boolean; at: number }
  | { kind: 'resolve'; caseId: number; at: number; reason: 'recovered' | 'agent-back' };

interface Tracker {
  /** Seen (true) or not (false) at each of the last polls, oldest first. */
  history: boolean[];
  streak: number;
  /** Start of the episode: first seen since the condition last recovered (absent for the hold, not flapping). */
  firstSeen: number | null;
  absentSince: number | null;
  flapping: boolean;
  draft: CaseDraft | null;
}

/**
 * Nagios-style percent state change over a window of `window` polls: each change between consecutive polls weighs
 * from 0.8 (oldest) to 1.2 (newest), and the sum is divided by the window's `window − 1` possible changes, so a short
 * history never looks like flapping.
 */
export function percentStateChange(history: readonly boolean[], window: number): number {
  const slots = Math.max(1, window - 1);
  let total = 0;
  for (let i = history.length - 1, age = 0; i > 0 && age < slots; i--, age++) {
    if (history[i] !== history[i - 1]) total += 1.2 - (0.4 * age) / Math.max(1, slots - 1);
  }
  return (total / slots) * 100;
}

export class CaseEngine {
  private readonly trackers = new Map<string, Map<string, Tracker>>();
  /** Site → the silence (agent `since`) an agent-offline case was opened for: one case per silence. */
  private readonly offlineOpened = new Map<string, number>();

  constructor(private readonly config: EngineConfig) {}

  forgetSite(site: string): void {
    this.trackers.delete(site);
    this.offlineOpened.delete(site);
  }

  /** Flapping percentage of a (site, root cause, fault) now, for evidence and tests. */
  flapPercent(site: string, rootCause: string, fault: string): number {
    const tr = this.trackers.get(site)?.get(caseKey(rootCause, fault));
    return tr ? percentStateChange(tr.history, this.config.flapWindow) : 0;
  }

  evaluate(input: SiteInput): CaseCommand[] {
    const { at, site } = input;
    const cfg = this.config;
    const cmds: CaseCommand[] = [];
    const agentCase = input.active.find((a) => a.rootCause === AGENT_ROOT);
    if (input.agent.state !== 'online') {
      // Nothing about the devices is known now: every other case stays as it is.
      const handled = agentCase !== undefined || this.offlineOpened.get(site.id) === input.agent.sinceMs;
      if (!handled && !input.maintenance.site && at - input.agent.sinceMs >= cfg.agentOfflineHoldMs) {
        this.offlineOpened.set(site.id, input.agent.sinceMs);
        cmds.push({ kind: 'open-agent-offline', site: site.id, since: input.agent.sinceMs, at });
      }
      return cmds;
    }
    this.offlineOpened.delete(site.id);
    if (!input.poll) return cmds;
    if (agentCase && at - input.agent.sinceMs >= cfg.resolveHoldMs) cmds.push({ kind: 'resolve', caseId: agentCase.id, at, reason: 'agent-back' });

    const { drafts } = draftsFor(site, input.observations, new Date(at), input.contacts);
    const seen = new Map(drafts.map((d) => [caseKey(d.rootCause, d.fault), d]));
    const active = new Map(input.active.filter((a) => a.rootCause !== AGENT_ROOT).map((a) => [caseKey(a.rootCause, a.fault), a]));
    let trackers = this.trackers.get(site.id);
    if (!trackers) this.trackers.set(site.id, (trackers = new Map()));
    const silenced = (device: string) => input.maintenance.site || input.maintenance.devices.has(device);

    for (const key of new Set([...seen.keys(), ...trackers.keys(), ...active.keys()])) {
      const draft = seen.get(key);
      const rootCause = key.slice(0, key.indexOf('|'));
      if (!draft && input.noData.has(rootCause)) continue; // no data is not a recovery
      const tr = trackers.get(key)
        ?? { history: [], streak: 0, firstSeen: null, absentSince: null, flapping: false, draft: null };
      trackers.set(key, tr);
      tr.history.push(draft !== undefined);
      if (tr.history.length > cfg.flapWindow) tr.history.splice(0, tr.history.length - cfg.flapWindow);
      const pct = percentStateChange(tr.history, cfg.flapWindow);
      if (!tr.flapping && pct >= cfg.flapHighPct && cfg.flapHighPct > 0) tr.flapping = true;
      else if (tr.flapping && pct < cfg.flapLowPct) tr.flapping = false;
      const current = active.get(key);

      if (draft) {
        tr.firstSeen ??= at;
        tr.streak++;
        tr.absentSince = null;
        tr.draft = draft;
        if (current) {
          // A repeat: seen again after at least one poll without it, before the case resolved.
          const repeat = tr.streak === 1 && tr.history.length > 1;
          const stale = at - current.lastSeenMs >= cfg.refreshMs;
          if (repeat || stale || current.signature !== draft.signature || current.flapping !== tr.flapping) {
            cmds.push({ kind: 'refresh', caseId: current.id, draft, flapping: tr.flapping, repeat, at });
          }
        } else if (!silenced(draft.rootCause) && (tr.flapping || tr.streak >= cfg.holdPolls)) {
          cmds.push({ kind: 'open', draft, flapping: tr.flapping, firstSeen: tr.firstSeen ?? at, at });
        }
        continue;
      }
      tr.streak = 0;
      tr.absentSince ??= at;
      const recovered = !tr.flapping && at - tr.absentSince >= cfg.resolveHoldMs;
      if (recovered) tr.firstSeen = null;
      if (current) {
        if (current.flapping !== tr.flapping) cmds.push({ kind: 'flapping', caseId: current.id, flapping: tr.flapping, at });
        // A flapping condition keeps its case: it is marked, never opened and closed at each change.
        if (recovered) cmds.push({ kind: 'resolve', caseId: current.id, at, reason: 'recovered' });
      } else if (tr.flapping && tr.draft && !silenced(tr.draft.rootCause)) {
        cmds.push({ kind: 'open', draft: tr.draft, flapping: true, firstSeen: tr.firstSeen ?? at, at });
      } else if (tr.firstSeen === null && !tr.history.includes(true)) {
        trackers.delete(key);
      }
    }
    return cmds;
  }
}
