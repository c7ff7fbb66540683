// Responsibility boundary [責任分界] for the UI: which group a segment belongs to and whom a fault is reported to.
// For now the party comes from SEGMENT_RULES alone (the model-dependent refinement of CONTRACTS §1 — cameras of
// models outside the warranty table go to where they were bought — is the rules engine's job, not the dashboard's).
import {
  SEGMENT_RULES,
  SEGMENTS,
  type DeviceStatus,
  type ResponsibleParty,
  type Segment,
  type SegmentRule,
  type SiteStatus,
} from '@camfleet/shared';

export type Group = SegmentRule['group'];
/** Display order: from the line in to the cameras, then the cloud. */
export const GROUPS: readonly Group[] = ['line', 'customer-network', 'camera-service', 'cloud'];

export const groupOf = (segment: Segment | undefined): Group | undefined => (segment ? SEGMENT_RULES[segment].group : undefined);
export const partyOf = (segment: Segment | undefined): ResponsibleParty | undefined =>
  segment ? SEGMENT_RULES[segment].responsible : undefined;

/** Segments of each group, in SEGMENTS order. */
export const GROUP_SEGMENTS: Record<Group, Segment[]> = Object.fromEntries(
  GROUPS.map((g) => [g, SEGMENTS.filter((s) => SEGMENT_RULES[s].group === g)]),
) as Record<Group, Segment[]>;

/** Each party answering for a group, with the segments it answers for (camera service: support center + vendor). */
export function groupParties(group: Group): { party: ResponsibleParty; segments: Segment[]; managedBy: SegmentRule['managedBy'] }[] {
  const out = new Map<ResponsibleParty, { party: ResponsibleParty; segments: Segment[]; managedBy: SegmentRule['managedBy'] }>();
  for (const s of GROUP_SEGMENTS[group]) {
    const rule = SEGMENT_RULES[s];
    let entry = out.get(rule.responsible);
    if (!entry) out.set(rule.responsible, (entry = { party: rule.responsible, segments: [], managedBy: rule.managedBy }));
    entry.segments.push(s);
  }
  return [...out.values()];
}

/** The site's root-cause device status, if the site names one and the store has it. */
export function rootCauseOf(site: SiteStatus, devices: ReadonlyMap<string, DeviceStatus>): DeviceStatus | undefined {
  return site.rootCause ? devices.get(`${site.site}/${site.rootCause}`) : undefined;
}

/** Whom to call for a site: the party of its root-cause device's segment. */
export function siteParty(site: SiteStatus, devices: ReadonlyMap<string, DeviceStatus>): ResponsibleParty | undefined {
  return partyOf(rootCauseOf(site, devices)?.segment);
}
