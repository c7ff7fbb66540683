// Every probe kind, in one map (telegraf style): adding a kind is one folder and one line here.
import { gatewayProbe } from './gateway/probe.ts';
import { onvifProbe } from './onvif/probe.ts';
import { reachabilityProbe } from './reachability/probe.ts';
import { rtspProbe } from './rtsp/probe.ts';
import { snmpProbe } from './snmp/probe.ts';
import type { Probe } from './types.ts';

export const PROBES = {
  reachability: reachabilityProbe,
  onvif: onvifProbe,
  rtsp: rtspProbe,
  snmp: snmpProbe,
  gateway: gatewayProbe,
} satisfies Record<string, Probe>;

export type ProbeKind = keyof typeof PROBES;
