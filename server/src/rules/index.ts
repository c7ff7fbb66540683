// Rule pipeline: topology → correlation → responsibility → case guidance (CONTRACTS §1, DOMAIN §1–§3, §6).
export * from './types.ts';
export { triage, triageIssues } from './triage.ts';
export { siteIssues, buildTopology, ancestors, descendants, type Topology } from './topology.ts';
export { observationIssues, conditionsByDevice } from './observations.ts';
export { correlate, isReachable, type Finding } from './correlate.ts';
export { attribute, SUPPORT_EXCHANGED_SEGMENTS, type Attribution } from './attribute.ts';
export { actionsFor, type ActionContext } from './actions.ts';
export { severityFor, notesFor } from './guidance.ts';
