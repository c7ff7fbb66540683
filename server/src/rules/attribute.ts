// Responsibility segment → responsible party and contact action — CONTRACTS §1 table, DOMAIN §1 [責任分界].
// Camera, gateway and LTE router go to the support center only for models in the warranty table (the support
// center exchanges only supported models); any other model, and third-party cameras, go to where it was bought.
import {
  CONTACT_ACTION, SEGMENT_RULES, findWarrantyProduct,
  type BoundarySide, type ContactAction, type DeviceSpec, type ResponsibleParty, type Segment, type WarrantyProduct,
} from '@camfleet/shared';

/** Segments whose devices the support center exchanges when the model is in the table. */
export const SUPPORT_EXCHANGED_SEGMENTS: ReadonlySet<Segment> = new Set(['camera', 'gateway', 'lte-router']);

export interface Attribution {
  responsible: ResponsibleParty;
  contactAction: ContactAction;
  /** Customer-managed equipment is the customer's side (004 Art. 48-3 via DOMAIN §5); the cloud is the provider's. */
  side: BoundarySide;
  /** The catalogue product when the support center exchanges this device, else null. */
  product: WarrantyProduct | null;
}

export function attribute(device: Pick<DeviceSpec, 'segment' | 'vendor' | 'model'>): Attribution {
  const rule = SEGMENT_RULES[device.segment];
  const product = SUPPORT_EXCHANGED_SEGMENTS.has(device.segment) ? findWarrantyProduct(device) : null;
  const responsible: ResponsibleParty = SUPPORT_EXCHANGED_SEGMENTS.has(device.segment)
    ? (product ? 'support-center' : 'purchase-vendor')
    : rule.responsible;
  return {
    responsible,
    contactAction: CONTACT_ACTION[responsible],
    side: rule.managedBy === 'service-provider' ? 'provider' : 'customer',
    product,
  };
}
