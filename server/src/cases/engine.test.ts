// The case engine on synthetic polls with an injected clock: hold before opening, refresh, auto-resolve after the
// recovery hold, flapping (a camera alternating every poll for 10 minutes opens at most one case, marked flapping),
// maintenance silence, no-data, agent offline, ranking.
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CONTACTS, type SiteSpec } from '@camfleet/shared';
import type { Observation } from '../rules/index.ts';
import type { EngineConfig } from './config.ts';
import { CaseEngine, percentStateChange, type ActiveCase, type CaseCommand, type SiteInput } from './engine.ts';

const SITE: SiteSpec = {
  id: 'shop-1', region: 'east', contractId: 'ABC1234567', address: '東京都千代田区1-1',
  devices: [
    { id: 'gw', segment: 'gateway', model: 'TEK3-IMX6', serial: 'G1', shipDate: '2026-01-10' },
    { id: 'sw', segment: 'switch', parent: 'gw' },
    { id: 'rt', segment: 'router', parent: 'sw' },
    { id: 'onu', segment: 'onu', parent: 'rt' },
    { id: 'cam1', segment: 'camera', parent: 'sw', vendor: 'AXIS', serial: 'C1', shipDate: '2024-04-01', mountHeightM: 2.8 },
    { id: 'cam2', segment: 'camera', parent: 'sw', vendor: 'i-PRO', serial: 'C2', purchaseDate: '2025-01-01', maintenanceContract: 'nec-supportpack' },
  ],
};

const CONFIG: EngineConfig = {
  holdPolls: 2, resolveHoldMs: 60_000, flapWindow: 21, flapHighPct: 20, flapLowPct: 5, refreshMs: 60_000, agentOfflineHoldMs: 30_000,
};
const T0 = Date.parse('2026-11-24T01:00:00Z');
const POLL_MS = 5000;

/** A tiny harness: the engine plus the active cases as a store would keep them after applying the commands. */
function harness(config: EngineConfig = CONFIG) {
  const engine = new CaseEngine(config);
  const active = new Map<number, ActiveCase>();
  let nextId = 1;
  const opened: CaseCommand[] = [];
  const all: CaseCommand[] = [];
  const run = (at: number, observations: Observation[], extra: Partial<SiteInput> = {}) => {
    const cmds = engine.evaluate({
      at, site: SITE, agent: { state: 'online', sinceMs: T0 - 3_600_000 }, poll: true, observations, noData: new Set(),
      active: [...active.values()], maintenance: { site: false, devices: new Set() }, contacts: EXAMPLE_CONTACTS, ...extra,
    });
    for (const c of cmds) {
      all.push(c);
      if (c.kind === 'open') {
        opened.push(c);
        const id = nextId++;
        active.set(id, { id, rootCause: c.draft.rootCause, fault: c.draft.fault, flapping: c.flapping, lastSeenMs: at, signature: c.draft.signature });
      } else if (c.kind === 'refresh') {
        active.set(c.caseId, { ...active.get(c.caseId)!, lastSeenMs: at, signature: c.draft.signature, flapping: c.flapping });
      } else if (c.kind === 'flapping') {
        active.set(c.caseId, { ...active.get(c.caseId)!, flapping: c.flapping });
      } else if (c.kind === 'resolve') {
        active.delete(c.caseId);
      }
    }
    return cmds;
  };
  return { engine, active, opened, all, run };
}

const onuDown: Observation[] = [{ device: 'onu', conditions: ['unreachable'] }];
const camDown: Observation[] = [{ device: 'cam1', conditions: ['unreachable'] }];

describe('hold, refresh, resolve', () => {
  it('opens only after the condition is seen in 2 consecutive polls; one case to the line carrier for a dead ONU', () => {
    const h = harness();
    expect(h.run(T0, onuDown)).toEqual([]);
    const [open] = h.run(T0 + POLL_MS, onuDown);
    expect(open).toMatchObject({ kind: 'open', flapping: false, firstSeen: T0 });
    if (open?.kind !== 'open') throw new Error('expected open');
    expect(open.draft).toMatchObject({ rootCause: 'onu', fault: 'unreachable', responsible: 'line-carrier', side: 'customer', severity: 'critical', siteWide: true });
    // Seen from the cloud, everything at the site is behind the ONU.
    expect(open.draft.affected).toEqual(['gw', 'sw', 'rt', 'cam1', 'cam2']);
    expect(open.draft.detail.ticket).toMatchObject({ contractId: 'ABC1234567', siteAddress: '東京都千代田区1-1' });
    expect(open.draft.detail.notes.ja.length).toBe(open.draft.detail.notes.en.length);
    expect(h.run(T0 + 2 * POLL_MS, onuDown)).toEqual([]); // nothing changed: no write
  });

  it('a repeat before resolution refreshes the open case; it resolves only after recovery holds', () => {
    const h = harness();
    h.run(T0, camDown);
    h.run(T0 + 5000, camDown);
    expect(h.opened).toHaveLength(1);
    h.run(T0 + 10_000, []);
    const repeat = h.run(T0 + 15_000, camDown);
    expect(repeat).toEqual([expect.objectContaining({ kind: 'refresh', repeat: true })]);
    for (let t = T0 + 20_000; t < T0 + 20_000 + 60_000; t += 5000) expect(h.run(t, []).filter((c) => c.kind === 'resolve')).toEqual([]);
    expect(h.run(T0 + 80_000, [])).toEqual([expect.objectContaining({ kind: 'resolve', reason: 'recovered' })]);
    expect(h.opened).toHaveLength(1);
  });

  it('refreshes a case still seen at least once per refresh period, at once when what it affects changes', () => {
    const h = harness();
    h.run(T0, camDown);
    h.run(T0 + 5000, camDown);
    expect(h.run(T0 + 10_000, camDown)).toEqual([]);
    expect(h.run(T0 + 65_000, camDown)).toEqual([expect.objectContaining({ kind: 'refresh', repeat: false })]);
    h.run(T0 + 70_000, onuDown);
    expect(h.run(T0 + 75_000, [...onuDown, { device: 'cam2', conditions: ['blur'] }]).map((c) => c.kind)).toContain('open');
  });

  it('dates every open in an episode from its first poll, and starts a new episode only after recovery', () => {
    const h = harness();
    h.run(T0, camDown);
    h.run(T0 + 5000, camDown);
    h.run(T0 + 10_000, []);
    h.active.clear(); // resolved through the API while the fault comes and goes: the store refuses this episode
    h.run(T0 + 15_000, camDown);
    expect(h.run(T0 + 20_000, camDown)).toEqual([expect.objectContaining({ kind: 'open', firstSeen: T0 })]);
    h.active.clear();
    for (let t = T0 + 25_000; t <= T0 + 90_000; t += 5000) h.run(t, []); // absent for the recovery hold
    h.run(T0 + 95_000, camDown);
    expect(h.run(T0 + 100_000, camDown)).toEqual([expect.objectContaining({ kind: 'open', firstSeen: T0 + 95_000 })]);
  });

  it('devices without current data (UNKNOWN, STALE) neither open nor resolve', () => {
    const h = harness();
    h.run(T0, camDown);
    h.run(T0 + 5000, camDown);
    for (let t = T0 + 10_000; t < T0 + 300_000; t += 5000) expect(h.run(t, [], { noData: new Set(['cam1']) })).toEqual([]);
    expect(h.active.size).toBe(1);
  });
});

describe('flapping (Nagios percent state change)', () => {
  it('weighs recent changes more and never flags a short history', () => {
    expect(percentStateChange([false, true], 21)).toBeCloseTo(6, 0);
    expect(percentStateChange([true, false, true, false, true], 21)).toBeGreaterThan(20);
    expect(percentStateChange(Array.from({ length: 21 }, (_, i) => i % 2 === 0), 21)).toBeCloseTo(100, 5);
    expect(percentStateChange(Array(21).fill(true), 21)).toBe(0);
  });

  it('a camera alternating up/down every poll for 10 minutes opens at most one case, marked flapping', () => {
    const h = harness({ ...CONFIG, resolveHoldMs: 30_000 });
    for (let t = T0, i = 0; t <= T0 + 600_000; t += POLL_MS, i++) h.run(t, i % 2 === 0 ? camDown : []);
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]).toMatchObject({ kind: 'open', flapping: true });
    expect(h.all.filter((c) => c.kind === 'resolve')).toEqual([]);
    expect([...h.active.values()]).toEqual([expect.objectContaining({ rootCause: 'cam1', flapping: true })]);
    expect(h.engine.flapPercent('shop-1', 'cam1', 'unreachable')).toBeGreaterThan(CONFIG.flapHighPct);
  });

  it('once it settles, flapping clears and the case resolves after the recovery hold', () => {
    const h = harness({ ...CONFIG, resolveHoldMs: 30_000 });
    let t = T0;
    for (let i = 0; i < 40; i++, t += POLL_MS) h.run(t, i % 2 === 0 ? camDown : []);
    for (let i = 0; i < 60; i++, t += POLL_MS) h.run(t, []);
    expect(h.all.some((c) => c.kind === 'flapping' && !c.flapping)).toBe(true);
    expect(h.all.filter((c) => c.kind === 'resolve')).toHaveLength(1);
    expect(h.opened).toHaveLength(1);
  });
});

describe('maintenance, agent presence, ranking', () => {
  it('a maintenance window on the device or site silences new cases; after it the case opens', () => {
    const h = harness();
    const quiet = { maintenance: { site: false, devices: new Set(['cam1']) } };
    for (let t = T0; t < T0 + 30_000; t += POLL_MS) expect(h.run(t, camDown, quiet)).toEqual([]);
    expect(h.run(T0 + 30_000, [...onuDown, ...camDown], { maintenance: { site: true, devices: new Set() } })).toEqual([]);
    const after = h.run(T0 + 35_000, camDown);
    expect(after.map((c) => c.kind === 'open' && c.draft.rootCause)).toEqual(['cam1']);
  });

  it('a silent agent opens one site-level case after the hold; devices are frozen; back online it resolves', () => {
    const h = harness();
    h.run(T0, camDown);
    h.run(T0 + 5000, camDown);
    const offline = { agent: { state: 'offline' as const, sinceMs: T0 + 10_000 }, poll: false, noData: new Set(SITE.devices.map((d) => d.id)) };
    expect(h.run(T0 + 20_000, [], offline)).toEqual([]);
    expect(h.run(T0 + 40_000, [], offline)).toEqual([{ kind: 'open-agent-offline', site: 'shop-1', since: T0 + 10_000, at: T0 + 40_000 }]);
    h.active.set(99, { id: 99, rootCause: '@agent', fault: 'agent-offline', flapping: false, lastSeenMs: T0 + 40_000, signature: 'x' });
    expect(h.run(T0 + 45_000, [], offline)).toEqual([]);
    const back = { agent: { state: 'online' as const, sinceMs: T0 + 100_000 } };
    expect(h.run(T0 + 105_000, camDown, back).filter((c) => c.kind === 'resolve')).toEqual([]);
    expect(h.run(T0 + 160_000, camDown, back).filter((c) => c.kind === 'resolve')).toEqual([{ kind: 'resolve', caseId: 99, at: T0 + 160_000, reason: 'agent-back' }]);
    expect(h.active.size).toBe(1); // the camera case stayed open throughout
  });

  it('one agent-offline case per silence: resolving it by hand does not reopen it', () => {
    const h = harness();
    const offline = { agent: { state: 'unknown' as const, sinceMs: T0 }, poll: false };
    expect(h.run(T0 + 40_000, [], offline).map((c) => c.kind)).toEqual(['open-agent-offline']);
    h.active.clear();
    expect(h.run(T0 + 45_000, [], offline)).toEqual([]);
    h.run(T0 + 50_000, [], { agent: { state: 'online', sinceMs: T0 + 50_000 } });
    expect(h.run(T0 + 100_000, [], { agent: { state: 'offline', sinceMs: T0 + 60_000 }, poll: false }).map((c) => c.kind)).toEqual(['open-agent-offline']);
  });

  it('a dead line outranks one blurred camera; maintenance terms travel with the case', () => {
    const h = harness();
    h.run(T0, [...onuDown, { device: 'cam2', conditions: ['blur'] }]);
    const opens = h.run(T0 + 5000, [...onuDown, { device: 'cam2', conditions: ['blur'] }]).flatMap((c) => (c.kind === 'open' ? [c.draft] : []));
    const line = opens.find((d) => d.rootCause === 'onu')!;
    const blur = opens.find((d) => d.rootCause === 'cam2')!;
    expect(line.priority).toBeGreaterThan(blur.priority);
    expect(blur.severity).toBe('minor');
    expect(blur.detail.maintenance).toMatchObject({ contract: 'nec-supportpack', active: null, start: '2025-01-01' });
  });
});
