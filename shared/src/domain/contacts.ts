// Contact directory — DOMAIN §1 (seed 000 p.4, p.11). Contacts are configuration: one directory per provider
// profile; EXAMPLE_CONTACTS is the seed's profile (GigaRaku Camera support center). The line carrier and the
// purchase vendor differ per customer, so they are placeholders the operator fills in.
import type { ResponsibleParty } from '../segments.ts';

export type ContactAction =
  | 'contact-line-carrier'
  | 'contact-purchase-vendor'
  | 'contact-support-center';

export interface Contact {
  /** Which party this is. `service-provider` faults go to the support center (CONTRACTS §1). */
  party: ResponsibleParty;
  name: { ja: string; en: string };
  phone?: string;
  email?: string;
  url?: string;
  hours?: { ja: string; en: string };
  /** False for a placeholder the operator has not filled in yet. */
  configured: boolean;
  /** What a ticket to this contact should carry (DOMAIN §1: at least contract ID and camera serial). */
  ticketFields?: readonly string[];
}

export interface ContactDirectory {
  profile: string;
  contacts: Readonly<Record<ResponsibleParty, Contact>>;
}

const SUPPORT_CENTER: Omit<Contact, 'party'> = {
  name: { ja: 'ギガらくカメラサポートセンター', en: 'GigaRaku Camera support center' },
  phone: '0120-511-244',
  email: 'support_gigacam-ml@east.ntt.co.jp',
  url: 'https://business.ntt-east.co.jp/support/gigarakucamera/',
  hours: { ja: '9:00～21:00、年中無休', en: '9:00–21:00, every day of the year' },
  configured: true,
  // The center identifies the caller by a combination of these (seed 000 p.4).
  ticketFields: ['contractId', 'contractHolder', 'customerPhone', 'installationAddress', 'ownerAccount', 'serial'],
};

export const EXAMPLE_CONTACTS: ContactDirectory = {
  profile: 'gigaraku-camera-example',
  contacts: {
    'support-center': { party: 'support-center', ...SUPPORT_CENTER },
    // The cloud is the provider's; its faults are reported to the same support center (DOMAIN §1).
    'service-provider': { party: 'service-provider', ...SUPPORT_CENTER },
    'line-carrier': {
      party: 'line-carrier',
      name: { ja: '回線業者（要設定）', en: 'Line carrier (to be configured)' },
      configured: false,
    },
    'purchase-vendor': {
      party: 'purchase-vendor',
      name: { ja: '購入元（要設定）', en: 'Where the device was bought (to be configured)' },
      configured: false,
    },
  },
};

/** The contact action for a responsible party (CONTRACTS §1 table: the cloud is reported to the support center). */
export const CONTACT_ACTION: Readonly<Record<ResponsibleParty, ContactAction>> = {
  'line-carrier': 'contact-line-carrier',
  'purchase-vendor': 'contact-purchase-vendor',
  'support-center': 'contact-support-center',
  'service-provider': 'contact-support-center',
};
