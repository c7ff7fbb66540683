// The rule pipeline against CONTRACTS §1: example, responsibility table, correlation, actions, warranty, reinstall.
import { describe, expect, it } from 'vitest';
import type { DeviceSpec, SiteSpec } from '@camfleet/shared';
import { CONTRACT_EXAMPLE_REQUEST, CONTRACT_EXAMPLE_RESPONSE, contractFields } from './contract-example.ts';
import { triage } from './triage.ts';
import { TriageInputError, type Observation, type TriageCase } from './types.ts';

const AT = '2026-11-22T10:00:00+09:00';
type Dev = Partial<DeviceSpec> & { id: string; segment: DeviceSpec['segment'] };
const run = (devices: Dev[], observations: Observation[], extra: Partial<SiteSpec> = {}) =>
  triage({ at: AT, site: { id: 's1', region: 'east', contractId: 'ABC1234567', devices, ...extra }, observations }).cases;
const only = (cases: TriageCase[]) => {
  expect(cases).toHaveLength(1);
  return cases[0] as TriageCase;
};

describe('CONTRACTS §1 example', () => {
  it('gives exactly the example response fields', () => {
    const { cases } = triage(CONTRACT_EXAMPLE_REQUEST);
    expect({ cases: cases.map((c) => contractFields({ ...c })) }).toEqual(CONTRACT_EXAMPLE_RESPONSE);
  });

  it('carries the extras: boundary side, contact, evidence, ticket', () => {
    const c = only(triage(CONTRACT_EXAMPLE_REQUEST).cases);
    expect(c).toMatchObject({ side: 'customer', severity: 'critical', ticket: { siteId: 'tokyo-shop-01', contractId: 'ABC1234567' } });
    expect(c.contact.party).toBe('purchase-vendor');
    expect(c.evidence.explains).toEqual([{ device: 'cam1', conditions: ['unreachable'] }]);
    expect(c.notes.en.length).toBe(c.notes.ja.length);
  });

  it('is deterministic and independent of observation order', () => {
    const reordered = { ...CONTRACT_EXAMPLE_REQUEST, observations: [...CONTRACT_EXAMPLE_REQUEST.observations].reverse() };
    expect(triage(reordered)).toEqual(triage(CONTRACT_EXAMPLE_REQUEST));
  });
});

describe('responsibility table (CONTRACTS §1, DOMAIN §1)', () => {
  it.each<[string, Dev, string, string]>([
    ['onu', { id: 'd', segment: 'onu' }, 'line-carrier', 'contact-line-carrier'],
    ['router', { id: 'd', segment: 'router' }, 'purchase-vendor', 'contact-purchase-vendor'],
    ['switch', { id: 'd', segment: 'switch' }, 'purchase-vendor', 'contact-purchase-vendor'],
    ['camera in the table', { id: 'd', segment: 'camera', vendor: 'AXIS', model: 'P3245' }, 'support-center', 'contact-support-center'],
    ['gateway in the table', { id: 'd', segment: 'gateway', model: 'TEK3-IMX6(SF)' }, 'support-center', 'contact-support-center'],
    ['lte-router in the table', { id: 'd', segment: 'lte-router', model: 'SCR1800v4' }, 'support-center', 'contact-support-center'],
    ['camera of another model', { id: 'd', segment: 'camera', vendor: 'Hanwha', model: 'XNV-6080' }, 'purchase-vendor', 'contact-purchase-vendor'],
    ['gateway of another model', { id: 'd', segment: 'gateway', vendor: 'Raspberry', model: 'Pi 5' }, 'purchase-vendor', 'contact-purchase-vendor'],
    ['lte-router of another model', { id: 'd', segment: 'lte-router', model: 'SCR1800v3' }, 'purchase-vendor', 'contact-purchase-vendor'],
    ['third-party camera (even an AXIS)', { id: 'd', segment: 'third-party-camera', vendor: 'AXIS' }, 'purchase-vendor', 'contact-purchase-vendor'],
    ['cloud', { id: 'd', segment: 'cloud' }, 'service-provider', 'contact-support-center'],
  ])('%s → %s, %s', (_name, device, responsible, contact) => {
    const c = only(run([device], [{ device: 'd', conditions: ['auth-failed'] }]));
    expect(c.responsible).toBe(responsible);
    expect(c.actions[0]).toBe(contact);
    expect(c.contact.party).toBe(responsible);
    expect(c.side).toBe(device.segment === 'cloud' ? 'provider' : 'customer');
  });
});

describe('correlation over the topology', () => {
  const chain: Dev[] = [
    { id: 'gw', segment: 'gateway', model: 'TEK3-IMX6' },
    { id: 'sw', segment: 'switch', parent: 'gw' },
    { id: 'cam1', segment: 'camera', parent: 'sw', vendor: 'AXIS' },
    { id: 'cam2', segment: 'camera', parent: 'sw', vendor: 'AXIS' },
    { id: 'tp1', segment: 'third-party-camera', parent: 'gw' },
  ];

  it('the topmost unreachable device is the root cause; affected lists every device behind it, explained first', () => {
    const c = only(run(chain, [
      { device: 'cam2', conditions: ['unreachable'] },
      { device: 'sw', conditions: ['unreachable'] },
      { device: 'gw', conditions: ['unreachable'] },
    ]));
    expect(c.rootCause).toBe('gw');
    expect(c.affected).toEqual(['sw', 'cam2', 'tp1', 'cam1']);
    expect(c.actions).toEqual(['contact-support-center']); // not a camera: no exchange
  });

  it('stream-down behind an unreachable device is explained by it; elsewhere it asks for a reboot', () => {
    const cases = run(chain, [
      { device: 'sw', conditions: ['unreachable'] },
      { device: 'cam1', conditions: ['stream-down'] },
      { device: 'tp1', conditions: ['stream-down'] },
    ]);
    expect(cases.map((c) => [c.rootCause, c.fault])).toEqual([['sw', 'unreachable'], ['tp1', 'stream-down']]);
    expect(cases[0]?.evidence.explains).toEqual([{ device: 'cam1', conditions: ['stream-down'] }]);
    expect(cases[1]?.actions).toEqual(['contact-purchase-vendor', 'reboot']);
  });

  it('one case per (root cause, fault), in device then condition order; power-cycled is context only', () => {
    const cases = run(chain, [
      { device: 'cam2', conditions: ['fog', 'blur', 'power-cycled'] },
      { device: 'cam1', conditions: ['night-blur'] },
      { device: 'cam2', conditions: ['blur'] },
      { device: 'tp1', conditions: ['power-cycled'] },
    ]);
    expect(cases.map((c) => [c.rootCause, c.fault])).toEqual([['cam1', 'night-blur'], ['cam2', 'blur'], ['cam2', 'fog']]);
    expect(cases[2]?.evidence.context).toEqual(['power-cycled']);
  });

  it('frozen on a device behind an unreachable one opens a case but no reboot', () => {
    const cases = run(chain, [{ device: 'sw', conditions: ['unreachable'] }, { device: 'cam1', conditions: ['frozen'] }]);
    expect(cases[1]).toMatchObject({ rootCause: 'cam1', fault: 'frozen', actions: ['contact-support-center'] });
  });

  it('lte-signal-weak affects everything behind the router', () => {
    const c = only(run([
      { id: 'lte', segment: 'lte-router', model: 'SCR1800v4' },
      { id: 'cam', segment: 'camera', parent: 'lte', model: 'Pocket2' },
    ], [{ device: 'lte', conditions: ['lte-signal-weak'] }]));
    expect(c.affected).toEqual(['cam']);
  });
});

describe('actions (CONTRACTS §1, DOMAIN §3)', () => {
  const cam: Dev = { id: 'cam', segment: 'camera', vendor: 'i-PRO', shipDate: '2024-01-01', mountHeightM: 2.5 };
  it.each([
    ['blur', ['contact-support-center', 'clean-lens']],
    ['night-blur', ['contact-support-center', 'clean-cover']],
    ['fog', ['contact-support-center', 'wait-condensation']],
    ['stream-down', ['contact-support-center', 'reboot']],
    ['frozen', ['contact-support-center', 'reboot']],
    ['black', ['contact-support-center']],
    ['clock-drift', ['contact-support-center']],
    ['unreachable', ['contact-support-center', 'request-exchange']],
  ])('%s → %o', (fault, actions) => {
    expect(only(run([cam], [{ device: 'cam', conditions: [fault] }])).actions).toEqual(actions);
  });

  it('a camera unreachable while its parent answers: exchange with warranty, dates and reinstall', () => {
    const c = only(run([{ id: 'sw', segment: 'switch' }, { ...cam, parent: 'sw' }], [{ device: 'cam', conditions: ['unreachable'] }]));
    expect(c.warranty).toEqual({ years: 5, basis: 'ship-date', start: '2024-01-04', end: '2029-01-03', inWarranty: true });
    expect(c.reinstall).toEqual({ available: true, costYen: 24200 });
    expect(c.exchange?.flows.map((f) => f.id)).toEqual(['advance-replacement', 'send-back-first']);
    expect(c.exchange?.flows[0]?.steps[0]?.expectedDate).toBe('2026-11-26'); // 11/23 is a holiday
  });

  it('fog after a power cycle still opens a fog case, noted as expected to clear', () => {
    const c = only(run([cam], [{ device: 'cam', conditions: ['fog', 'power-cycled'] }]));
    expect(c.actions).toEqual(['contact-support-center', 'wait-condensation']);
    expect(c.notes.en.join(' ')).toMatch(/power cycling/);
  });
});

describe('warranty and reinstall fields', () => {
  it('warranty for table models of camera/gateway/lte-router, on every fault; null otherwise', () => {
    const cases = run([
      { id: 'gw', segment: 'gateway', model: 'TEK3-IMX6', shipDate: '2025-11-01' },
      { id: 'lte', segment: 'lte-router', model: 'SCR1800v4', purchaseDate: '2026-06-01' },
      { id: 'cam', segment: 'camera', vendor: 'VIVOTEK' },
      { id: 'tp', segment: 'third-party-camera', vendor: 'AXIS', shipDate: '2025-01-01' },
      { id: 'x', segment: 'camera', vendor: 'Hanwha' },
    ], ['gw', 'lte', 'cam', 'tp', 'x'].map((device) => ({ device, conditions: ['blur'] })));
    expect(cases.map((c) => c.warranty)).toEqual([
      { years: 1, basis: 'ship-date', start: '2025-11-04', end: '2026-11-03', inWarranty: false },
      { years: 1, basis: 'purchase-date', start: '2026-06-01', end: '2027-05-31', inWarranty: true },
      { years: 5, basis: 'unknown', inWarranty: null },
      null,
      null,
    ]);
    expect(cases.every((c) => c.reinstall === null)).toBe(true);
  });

  it('reinstall follows region and height; null for non-camera exchanges', () => {
    const unreachable = (d: Dev, region: 'east' | 'west') => only(run([d], [{ device: d.id, conditions: ['unreachable'] }], { region }));
    expect(unreachable({ id: 'c', segment: 'camera', vendor: 'AXIS', mountHeightM: 3 }, 'west').reinstall)
      .toEqual({ available: false, reason: 'mount-height' });
    expect(unreachable({ id: 'c', segment: 'camera', vendor: 'AXIS', mountHeightM: 2.99 }, 'west').reinstall)
      .toEqual({ available: true, costYen: 30800 });
    expect(unreachable({ id: 'c', segment: 'camera', vendor: 'AXIS' }, 'east').reinstall)
      .toMatchObject({ available: true, costYen: 24200, note: expect.any(String) });
    expect(unreachable({ id: 'c', segment: 'third-party-camera' }, 'east')).toMatchObject({ actions: ['contact-purchase-vendor'], reinstall: null });
  });

  it('judges warranty on the Japan calendar date of `at`', () => {
    const d: Dev[] = [{ id: 'c', segment: 'camera', model: 'Pocket2', purchaseDate: '2025-01-01' }];
    const w = (at: string) => triage({ at, site: { id: 's', devices: d }, observations: [{ device: 'c', conditions: ['blur'] }] })
      .cases[0]?.warranty?.inWarranty;
    expect(w('2025-12-31T14:59:00Z')).toBe(true);
    expect(w('2025-12-31T15:30:00Z')).toBe(false);
    expect(w('2026-01-01T00:30+09:00')).toBe(false);
  });
});

describe('input errors name the field', () => {
  const field = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(TriageInputError);
      return (err as TriageInputError).field;
    }
    throw new Error('expected a TriageInputError');
  };
  const devices: Dev[] = [{ id: 'a', segment: 'switch' }];

  it.each<[string, () => unknown, string]>([
    ['unknown observed device', () => run(devices, [{ device: 'zz', conditions: ['blur'] }]), 'observations[0].device'],
    ['unknown condition', () => run(devices, [{ device: 'a', conditions: ['blur', 'smoke'] }]), 'observations[0].conditions[1]'],
    ['unknown parent', () => run([...devices, { id: 'b', segment: 'camera', parent: 'q' }], []), 'site.devices[1].parent'],
    ['bad at', () => triage({ at: '2026-13-01T00:00:00Z', site: { id: 's', devices: [] } }), 'at'],
  ])('%s → %s', (_name, fn, expected) => {
    expect(field(fn)).toBe(expected);
  });
});
