// Cases, maintenance windows, notifications and outage reports as the REST API and socket.io carry them
// (DESIGN §3 "Case"; docs/cases.md). The maintenance-contract terms (DOMAIN §4) are exported from here too.
import type { Condition } from './conditions.ts';
import type { Contact } from './domain/contacts.ts';
import type { ExchangeGuidance } from './domain/exchange.ts';
import type { MaintenanceStatus } from './domain/maintenance.ts';
import type { Reinstall } from './domain/reinstall.ts';
import type { Warranty } from './domain/warranty.ts';
import type { BoundarySide, ResponsibleParty, Segment } from './segments.ts';

export * from './domain/maintenance.ts';

export const CASE_STATES = ['open', 'acknowledged', 'resolved', 'closed'] as const;
export type CaseState = (typeof CASE_STATES)[number];
/** States in which a case is still active: at most one active case per (site, root cause, fault). */
export const ACTIVE_CASE_STATES: readonly CaseState[] = ['open', 'acknowledged'];

/** The agent's own silence is a site-level fault beside the condition words (CONTRACTS §1). */
export type CaseFault = Condition | 'agent-offline';
/** Root-cause id of the site-level agent-offline case. */
export const AGENT_ROOT = '@agent';

export type CaseSeverity = 'critical' | 'major' | 'minor';

export interface Bilingual {
  ja: string[];
  en: string[];
}

/** A cause to check when the agent went silent, in the order to check them (line, router, power, gateway). */
export interface PossibleCause {
  id: 'line' | 'router' | 'power' | 'gateway';
  device: string | null;
  /** Null for the site's own power supply: the customer's facility, no contact in the directory. */
  responsible: ResponsibleParty | null;
  ja: string;
  en: string;
}

export interface TimelineEntry {
  at: string;
  event: string;
  device?: string;
  ja: string;
  en: string;
}

/** What the agent's buffered telemetry showed once it came back (agent-offline cases). */
export interface AfterTheFact {
  rootCause: string | null;
  segment: Segment | null;
  responsible: ResponsibleParty | null;
  cause: PossibleCause['id'] | 'agent-link' | 'unknown';
  samples: number;
  summary: { ja: string; en: string };
  timeline: TimelineEntry[];
}

/** Identity fields the support center asks for (DOMAIN §1): what camfleet knows of them. */
export interface TicketIdentity {
  siteId: string;
  siteName: string | null;
  contractId: string | null;
  siteAddress: string | null;
  serial: string | null;
  vendor: string | null;
  model: string | null;
}

export interface CaseDetail {
  actions: string[];
  warranty: Warranty | null;
  reinstall: Reinstall | null;
  exchange: ExchangeGuidance | null;
  maintenance: MaintenanceStatus | null;
  contact: Contact | null;
  ticket: TicketIdentity;
  evidence: Record<string, unknown>;
  notes: Bilingual;
  possibleCauses?: PossibleCause[];
  afterTheFact?: AfterTheFact;
}

export interface CaseSummary {
  id: number;
  site: string;
  rootCause: string;
  segment: Segment | null;
  fault: CaseFault;
  responsible: ResponsibleParty | null;
  side: BoundarySide;
  severity: CaseSeverity;
  /** Higher first: severity, then segment (a dead line outranks one blurred camera), then devices affected. */
  priority: number;
  state: CaseState;
  flapping: boolean;
  /** The site is completely unusable while this case is active (DOMAIN §5). */
  siteWide: boolean;
  recurrenceOf: number | null;
  affected: string[];
  assignee: string | null;
  firstSeen: string;
  openedAt: string;
  lastSeen: string;
  repeatCount: number;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  closedAt: string | null;
  updatedAt: string;
}

export type CaseRecord = CaseSummary & CaseDetail;

export interface CaseLogEntry {
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown> | null;
}

export interface NotificationRecord {
  id: number;
  notifier: string;
  site: string;
  idempotencyKey: string;
  state: 'pending' | 'sending' | 'sent' | 'dead';
  attempts: number;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
  lastError: string | null;
  caseIds: number[];
  events: string[];
}

export interface MaintenanceWindow {
  id: number;
  site: string;
  /** Null: the whole site. */
  device: string | null;
  start: string;
  end: string;
  reason: string | null;
  createdBy: string;
  createdAt: string;
}
