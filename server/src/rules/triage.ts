// The rule pipeline (CONTRACTS §1, DOMAIN §6): validate → correlate over the topology → attribute the root cause's
// segment → build the case with actions, warranty, re-installation, exchange dates and notes. Pure and
// deterministic: the same input gives the same cases; the dry-run API and the live path both call `triage`.
import {
  EXAMPLE_CONTACTS, exchangeGuidance, jstDate, parseInstant, reinstallFor, warrantyFor,
  type Condition, type DeviceSpec, type SiteSpec,
} from '@camfleet/shared';
import { actionsFor } from './actions.ts';
import { SUPPORT_EXCHANGED_SEGMENTS, attribute } from './attribute.ts';
import { correlate, isReachable, type Finding } from './correlate.ts';
import { notesFor, severityFor } from './guidance.ts';
import { conditionsByDevice, observationIssues } from './observations.ts';
import { ancestors, buildTopology, siteIssues, type Topology } from './topology.ts';
import {
  TriageInputError, type InputIssue, type TriageCase, type TriageInput, type TriageOptions, type TriageResult,
} from './types.ts';

/** Every problem with the input, each naming its field; empty when `triage` can run. */
export function triageIssues(input: TriageInput): { issues: InputIssue[]; topology?: Topology } {
  const at = input.at;
  const atOk = at instanceof Date ? Number.isFinite(at.getTime()) : typeof at === 'string' && parseInstant(at) !== null;
  if (!atOk) return { issues: [{ field: 'at', message: 'must be an ISO 8601 date-time, e.g. 2026-11-22T10:00:00+09:00' }] };
  const issues = siteIssues(input.site);
  if (issues.length) return { issues };
  const topology = buildTopology(input.site);
  return { issues: observationIssues(input.observations, topology), topology };
}

/** The cases the observations open. Throws TriageInputError (with the field) on input it cannot judge. */
export function triage(input: TriageInput, options: TriageOptions = {}): TriageResult {
  const { issues, topology } = triageIssues(input);
  if (issues.length || !topology) throw new TriageInputError(issues);
  const observed = conditionsByDevice(input.observations);
  const cases = correlate(topology, observed).map((f) => buildCase(f, input, topology, observed, options));
  return { cases };
}

function buildCase(
  finding: Finding,
  input: TriageInput,
  topo: Topology,
  observed: ReadonlyMap<string, readonly Condition[]>,
  options: TriageOptions,
): TriageCase {
  const device = topo.byId.get(finding.rootCause) as DeviceSpec;
  const site: SiteSpec = input.site;
  const attribution = attribute(device);
  const parent = device.parent;
  const actions = actionsFor({
    segment: device.segment,
    fault: finding.fault,
    contactAction: attribution.contactAction,
    reachable: isReachable(topo, observed, device.id),
    parentReachable: parent === undefined || !(observed.get(parent) ?? []).includes('unreachable'),
  });
  // CONTRACTS §1: warranty only for devices the support center exchanges; reinstall only with request-exchange.
  const exchanged = SUPPORT_EXCHANGED_SEGMENTS.has(device.segment) && attribution.product !== null;
  const warranty = exchanged ? warrantyFor(device, input.at) : null;
  const requestsExchange = actions.includes('request-exchange');
  const reinstall = requestsExchange && device.segment === 'camera' ? reinstallFor(site.region, device.mountHeightM) : null;
  const exchange = requestsExchange && exchanged
    ? exchangeGuidance(jstDate(input.at), warranty?.inWarranty ?? null, options.calendar)
    : null;
  const contact = (options.contacts ?? EXAMPLE_CONTACTS).contacts[attribution.responsible];
  const lteWeakUpstream = finding.fault === 'unreachable'
    && ancestors(topo, device.id).some((a) => (observed.get(a) ?? []).includes('lte-signal-weak'));
  return {
    rootCause: device.id,
    segment: device.segment,
    responsible: attribution.responsible,
    fault: finding.fault,
    affected: finding.affected,
    actions,
    warranty,
    reinstall,
    severity: severityFor(finding.fault, device.segment, finding.affected.length),
    side: attribution.side,
    contact,
    device: {
      vendor: device.vendor,
      model: device.model,
      serial: device.serial,
      product: attribution.product?.id ?? null,
    },
    ticket: { siteId: site.id, contractId: site.contractId ?? null, serial: device.serial ?? null },
    evidence: { observed: finding.observed, context: finding.context, explains: finding.explains },
    exchange,
    notes: notesFor({
      fault: finding.fault,
      segment: device.segment,
      attribution,
      actions,
      context: finding.context,
      warranty,
      reinstall,
      contactConfigured: contact.configured,
      lteWeakUpstream,
    }),
  };
}
