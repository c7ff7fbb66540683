// The CONTRACTS §1 example, verbatim: request and the fields the response must carry. Used by the tests of the
// pipeline and of the API so both check the same text.
import type { TriageInput } from './types.ts';

export const CONTRACT_EXAMPLE_REQUEST = {
  at: '2026-11-22T10:00:00+09:00',
  site: {
    id: 'tokyo-shop-01',
    region: 'east',
    contractId: 'ABC1234567',
    devices: [
      { id: 'gw', segment: 'gateway', vendor: 'TEK', model: 'TEK3-IMX6', serial: 'G1', shipDate: '2025-11-01' },
      { id: 'sw', segment: 'switch', parent: 'gw' },
      { id: 'rt', segment: 'router', parent: 'sw' },
      { id: 'onu', segment: 'onu', parent: 'rt' },
      { id: 'cloud', segment: 'cloud', parent: 'onu' },
      { id: 'cam1', segment: 'camera', parent: 'sw', vendor: 'AXIS', model: 'M3085-V', serial: 'C1',
        purchaseDate: '2024-04-10', shipDate: '2024-04-01', mountHeightM: 2.8 },
      { id: 'tp1', segment: 'third-party-camera', parent: 'gw', vendor: 'Hikvision', model: 'DS-2CD' },
    ],
  },
  observations: [
    { device: 'sw', conditions: ['unreachable'] },
    { device: 'cam1', conditions: ['unreachable'] },
  ],
} satisfies TriageInput;

export const CONTRACT_EXAMPLE_RESPONSE = {
  cases: [
    {
      rootCause: 'sw',
      segment: 'switch',
      responsible: 'purchase-vendor',
      fault: 'unreachable',
      affected: ['cam1', 'rt', 'onu', 'cloud'],
      actions: ['contact-purchase-vendor'],
      warranty: null,
      reinstall: null,
    },
  ],
};

/** The CONTRACTS fields of a case, for comparing with the example. */
export function contractFields(c: Record<string, unknown>): Record<string, unknown> {
  const keys = ['rootCause', 'segment', 'responsible', 'fault', 'affected', 'actions', 'warranty', 'reinstall'];
  return Object.fromEntries(keys.map((k) => [k, c[k]]));
}
