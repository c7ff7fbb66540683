// Every probe kind, in one map (telegraf style): adding a kind is one folder and one line here.
import { onvifProbe } from './onvif/probe.ts';
import { reachabilityProbe } from './reachability/probe.ts';
import type { Probe } from './types.ts';

export const PROBES = {
  reachability: reachabilityProbe,
  onvif: onvifProbe,
} satisfies Record<string, Probe>;

export type ProbeKind = keyof typeof PROBES;
