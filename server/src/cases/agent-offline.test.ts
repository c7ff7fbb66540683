// The agent-offline case: causes in the order to check them, and the root cause found after the fact from the
// agent's buffered samples.
import { describe, expect, it } from 'vitest';
import type { SiteSpec } from '@camfleet/shared';
import { agentOfflineDraft, analyzeOutage, possibleCauses, type OutageSample } from './agent-offline.ts';

const SITE: SiteSpec = {
  id: 's1', contractId: 'ABC1234567',
  devices: [
    { id: 'gw', segment: 'gateway', model: 'TEK3-IMX6', serial: 'G1' },
    { id: 'sw', segment: 'switch', parent: 'gw' },
    { id: 'rt', segment: 'router', parent: 'sw' },
    { id: 'onu', segment: 'onu', parent: 'rt' },
    { id: 'cam1', segment: 'camera', parent: 'sw', vendor: 'AXIS' },
  ],
};
const FROM = Date.parse('2026-11-24T00:00:00Z');
const TO = FROM + 600_000;
const sample = (device: string, minute: number, reachable: boolean, behindParent = false): OutageSample =>
  ({ device, at: FROM + minute * 60_000, fields: { reachable: reachable ? 1 : 0, ...(behindParent ? { behindParent: 1 } : {}) } });

describe('agent offline', () => {
  it('lists line, router, power, gateway in that order with whom to call', () => {
    expect(possibleCauses(SITE).map((c) => [c.id, c.device, c.responsible])).toEqual([
      ['line', 'onu', 'line-carrier'], ['router', 'rt', 'purchase-vendor'], ['power', null, null], ['gateway', 'gw', 'support-center'],
    ]);
    const d = agentOfflineDraft(SITE, { agent: 'offline', since: new Date(FROM).toISOString(), lastTelemetry: null, uplink: [], lteSignal: [] });
    expect(d).toMatchObject({ rootCause: '@agent', fault: 'agent-offline', siteWide: true, side: 'customer', severity: 'critical' });
    expect(d.detail.actions).toEqual(['check-line', 'check-router', 'check-power', 'check-gateway']);
    expect(d.detail.ticket).toMatchObject({ contractId: 'ABC1234567', serial: 'G1' });
  });

  it('finds the ONU in the buffered samples, with a timeline', () => {
    const samples = [
      sample('gw', 1, true), sample('rt', 1, true), sample('onu', 1, true),
      sample('onu', 2, false), sample('onu', 3, false), sample('onu', 7, true), sample('rt', 7, true),
    ];
    const found = analyzeOutage(SITE, samples, { from: FROM, to: TO });
    expect(found).toMatchObject({ rootCause: 'onu', segment: 'onu', responsible: 'line-carrier', cause: 'line', samples: 7 });
    expect(found.timeline.map((e) => [e.event, e.device ?? null])).toEqual([
      ['agent-silent', null], ['device-down', 'onu'], ['device-up', 'onu'], ['agent-back', null],
    ]);
  });

  it('takes the nearest dead device: what lies behind it is only skipped', () => {
    const found = analyzeOutage(SITE, [sample('rt', 2, false), sample('onu', 2, false, true)], { from: FROM, to: TO });
    expect(found).toMatchObject({ rootCause: 'rt', responsible: 'purchase-vendor', cause: 'router' });
  });

  it('no samples at all: the gateway was not polling (power or gateway); all up: the link beyond the line', () => {
    expect(analyzeOutage(SITE, [], { from: FROM, to: TO })).toMatchObject({ cause: 'power', rootCause: 'gw', samples: 0 });
    expect(analyzeOutage(SITE, [sample('onu', 2, true)], { from: FROM, to: TO })).toMatchObject({ cause: 'agent-link', rootCause: null, responsible: 'line-carrier' });
  });
});
