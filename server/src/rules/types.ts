// Input and output of the rule pipeline (CONTRACTS §1). The dry-run API and the live path share these shapes.
import type {
  BoundarySide, BusinessCalendar, Condition, Contact, ContactDirectory, DeviceSpec, ExchangeGuidance, Reinstall,
  ResponsibleParty, Segment, SiteSpec, Warranty,
} from '@camfleet/shared';

export interface Observation {
  device: string;
  conditions: readonly string[];
}

export interface TriageInput {
  /** ISO date-time; warranty and exchange dates are judged on its calendar date in Japan. */
  at: string | Date;
  site: SiteSpec;
  observations?: readonly Observation[];
}

export interface TriageOptions {
  /** Contact directory of the provider profile (DOMAIN §1); the seed's example profile by default. */
  contacts?: ContactDirectory;
  /** Closure days on top of weekends and public holidays for exchange dates (DOMAIN §2.1). */
  calendar?: BusinessCalendar;
}

export type Action =
  | 'contact-line-carrier'
  | 'contact-purchase-vendor'
  | 'contact-support-center'
  | 'clean-lens'
  | 'clean-cover'
  | 'wait-condensation'
  | 'reboot'
  | 'request-exchange';

export type Severity = 'critical' | 'major' | 'minor';

export interface Bilingual {
  ja: string[];
  en: string[];
}

export interface TriageCase {
  // CONTRACTS §1 fields, in the contract's order.
  rootCause: string;
  segment: Segment;
  responsible: ResponsibleParty;
  fault: Condition;
  affected: string[];
  actions: Action[];
  warranty: Warranty | null;
  reinstall: Reinstall | null;
  // Extras (CONTRACTS §1 welcomes them).
  severity: Severity;
  /** Which side of the responsibility boundary the root cause is on (DOMAIN §1, §5). */
  side: BoundarySide;
  contact: Contact;
  device: Pick<DeviceSpec, 'vendor' | 'model' | 'serial'> & { product: string | null };
  /** What a ticket should carry to identify the caller (DOMAIN §1). */
  ticket: { siteId: string; contractId: string | null; serial: string | null };
  evidence: {
    observed: Condition[];
    context: Condition[];
    /** Symptoms of other devices this root cause explains (they open no case of their own). */
    explains: { device: string; conditions: Condition[] }[];
  };
  exchange: ExchangeGuidance | null;
  notes: Bilingual;
}

export interface TriageResult {
  cases: TriageCase[];
}

export interface InputIssue {
  /** Path in the request, e.g. `site.devices[3].parent`. */
  field: string;
  message: string;
}

/** Input the pipeline cannot judge; the API answers it with a 400 naming `field`. */
export class TriageInputError extends Error {
  readonly issues: readonly InputIssue[];
  readonly field: string;
  constructor(issues: readonly InputIssue[]) {
    const first = issues[0] ?? { field: 'body', message: 'is invalid' };
    super(`${first.field}: ${first.message}`);
    this.name = 'TriageInputError';
    this.issues = issues;
    this.field = first.field;
  }
}
