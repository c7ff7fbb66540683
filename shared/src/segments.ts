// Device segments and who answers for each — DOMAIN.md §1 (responsibility boundary [責任分界]).
import { Type, type Static } from '@sinclair/typebox';

export const SEGMENTS = [
  'onu',
  'router',
  'switch',
  'camera',
  'gateway',
  'lte-router',
  'third-party-camera',
  'cloud',
] as const;
export type Segment = (typeof SEGMENTS)[number];
export const SegmentSchema = Type.Union(SEGMENTS.map((s) => Type.Literal(s)));

export const PARTIES = ['line-carrier', 'purchase-vendor', 'support-center', 'service-provider'] as const;
export type ResponsibleParty = (typeof PARTIES)[number];

/** Which side of the boundary a fault sits on (DOMAIN §1, §5: customer-supplied equipment is excluded). */
export type BoundarySide = 'customer' | 'provider';

export interface SegmentRule {
  /** Who manages the device [管理者]. */
  managedBy: 'customer' | 'service-provider';
  /** Default fault contact; camera/gateway/lte-router depend on the model (see warranty catalogue). */
  responsible: ResponsibleParty;
  /** The UI groups devices by this (site view: line, customer network, camera service, cloud). */
  group: 'line' | 'customer-network' | 'camera-service' | 'cloud';
}

export const SEGMENT_RULES: Record<Segment, SegmentRule> = {
  onu: { managedBy: 'customer', responsible: 'line-carrier', group: 'line' },
  router: { managedBy: 'customer', responsible: 'purchase-vendor', group: 'customer-network' },
  switch: { managedBy: 'customer', responsible: 'purchase-vendor', group: 'customer-network' },
  camera: { managedBy: 'customer', responsible: 'support-center', group: 'camera-service' },
  gateway: { managedBy: 'customer', responsible: 'support-center', group: 'camera-service' },
  'lte-router': { managedBy: 'customer', responsible: 'support-center', group: 'camera-service' },
  'third-party-camera': { managedBy: 'customer', responsible: 'purchase-vendor', group: 'camera-service' },
  cloud: { managedBy: 'service-provider', responsible: 'service-provider', group: 'cloud' },
};

export const ResponsiblePartySchema = Type.Union(PARTIES.map((p) => Type.Literal(p)));
export type ResponsiblePartyT = Static<typeof ResponsiblePartySchema>;
