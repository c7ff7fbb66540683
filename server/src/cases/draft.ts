// A case as the engine proposes it: the triage pipeline's case (CONTRACTS §1 fields and guidance) widened by the
// service impact, the site-wide flag, the maintenance contract (DOMAIN §4) and the identity fields of a ticket.
import {
  maintenanceFor,
  type BoundarySide, type CaseDetail, type CaseFault, type CaseSeverity, type ContactDirectory, type DeviceSpec,
  type ResponsibleParty, type Segment, type SiteSpec, type TicketIdentity,
} from '@camfleet/shared';
import { buildTopology, triage, type Observation, type TriageCase, type Topology } from '../rules/index.ts';
import { isSiteWide, priorityOf, serviceImpact } from './impact.ts';

export interface CaseDraft {
  site: string;
  rootCause: string;
  fault: CaseFault;
  segment: Segment | null;
  responsible: ResponsibleParty | null;
  side: BoundarySide;
  severity: CaseSeverity;
  priority: number;
  siteWide: boolean;
  affected: string[];
  detail: CaseDetail;
  /** Material content: when it changes, an active case is written back at once. */
  signature: string;
}

export const caseKey = (rootCause: string, fault: string): string => `${rootCause}|${fault}`;

export function ticketIdentity(site: SiteSpec, device?: DeviceSpec): TicketIdentity {
  return {
    siteId: site.id,
    siteName: site.name ?? null,
    contractId: site.contractId ?? null,
    siteAddress: typeof site.address === 'string' ? site.address : null,
    serial: device?.serial ?? null,
    vendor: device?.vendor ?? null,
    model: device?.model ?? null,
  };
}

const MAINTENANCE_NOTE = (name: { ja: string; en: string }, active: boolean | null) => ({
  ja: `保守契約：${name.ja}（${active === true ? '契約期間内' : active === false ? '契約期間外' : '期間不明'}）。保守窓口へも連絡。`,
  en: `Maintenance contract: ${name.en} (${active === true ? 'in force' : active === false ? 'expired' : 'period unknown'}); call its desk as well.`,
});

export function draftFromTriage(c: TriageCase, site: SiteSpec, topo: Topology, at: Date): CaseDraft {
  const device = topo.byId.get(c.rootCause) as DeviceSpec;
  const affected = serviceImpact(topo, device, c.affected);
  const siteWide = isSiteWide(topo, device, c.fault, affected);
  const severity: CaseSeverity = siteWide ? 'critical' : c.severity;
  const maintenance = maintenanceFor(device, at, { networkFault: c.fault === 'unreachable' });
  const notes = { ja: [...c.notes.ja], en: [...c.notes.en] };
  if (maintenance) {
    const n = MAINTENANCE_NOTE(maintenance.terms, maintenance.active);
    notes.ja.push(n.ja);
    notes.en.push(n.en);
  }
  if (affected.length > c.affected.length) {
    notes.ja.push('回線側の障害のため、拠点内のすべての機器がクラウドと通信できない。');
    notes.en.push('A line-side fault: no device at the site can reach the cloud.');
  }
  const evidence = { ...c.evidence };
  return {
    site: site.id,
    rootCause: c.rootCause,
    fault: c.fault,
    segment: c.segment,
    responsible: c.responsible,
    side: c.side,
    severity,
    priority: priorityOf(severity, c.segment, affected.length),
    siteWide,
    affected,
    detail: {
      actions: c.actions,
      warranty: c.warranty,
      reinstall: c.reinstall,
      exchange: c.exchange,
      maintenance,
      contact: c.contact,
      ticket: ticketIdentity(site, device),
      evidence,
      notes,
    },
    signature: JSON.stringify([affected, severity, siteWide, c.evidence.observed, c.evidence.explains.map((e) => e.device)]),
  };
}

/** The drafts the observations give (empty when the site description cannot be judged: `error` says why). */
export function draftsFor(
  site: SiteSpec,
  observations: readonly Observation[],
  at: Date,
  contacts: ContactDirectory,
): { drafts: CaseDraft[]; error?: string } {
  try {
    const topo = buildTopology(site);
    const { cases } = triage({ at, site, observations }, { contacts });
    return { drafts: cases.map((c) => draftFromTriage(c, site, topo, at)) };
  } catch (err) {
    return { drafts: [], error: err instanceof Error ? err.message : String(err) };
  }
}
