// SNMP probe (v1/v2c, read community): what a device's segment calls for — LTE signal and WAN state on an
// `lte-router`, PoE port states on a `switch`, uptime and reboots on anything else — over a fresh session
// per poll that is always closed. No answer at all is `snmp-timeout` (v1/v2c never say "wrong community").
import type { Segment } from '@camfleet/shared';
import type { AgentDevice } from '../../config/types.ts';
import type { Probe, ProbeContext, ProbeResult } from '../types.ts';
import { pollLteRouter } from './lte.ts';
import { pollSwitch } from './poe.ts';
import { SnmpError, SnmpSession } from './session.ts';
import { pollSystem, type PollOutcome } from './system.ts';

export { LTE_RSRP_WEAK_DBM, LTE_SINR_WEAK_DB } from './lte.ts';
export { DEFAULT_LTE_ROUTER_PROFILE, LTE_ROUTER_PROFILES } from './oids.ts';
export type { LteRouterProfile, ScaledOid } from './oids.ts';
export { poeMetricKey, powerCyclePoePort, setPoePort, SWITCH_METRIC_BUDGET } from './poe.ts';
export type { PoeOpOptions, PowerCycleResult } from './poe.ts';
export { SnmpError } from './session.ts';
export type { SnmpErrorCode } from './session.ts';
export { forgetUptimes } from './uptime.ts';

type Poller = (session: SnmpSession, device: AgentDevice) => Promise<PollOutcome>;

/** What to read, by segment (one map, no if/else over kinds); other segments get uptime only. */
const POLLERS: Partial<Record<Segment, Poller>> = {
  'lte-router': (s, d) => pollLteRouter(s, d.id, d.model),
  switch: (s, d) => pollSwitch(s, d.id),
};

export const snmpProbe: Probe = {
  appliesTo: (device: AgentDevice) => device.snmp !== undefined && typeof device.address === 'string' && device.address !== '',
  run: runSnmpProbe,
};

async function runSnmpProbe(ctx: ProbeContext): Promise<ProbeResult> {
  let session: SnmpSession;
  try {
    session = new SnmpSession(ctx.device, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  } catch (err) {
    return failed(err instanceof SnmpError ? err : new SnmpError('snmp-config', 'invalid SNMP settings', false));
  }
  const poll = POLLERS[ctx.device.segment] ?? ((s: SnmpSession, d: AgentDevice) => pollSystem(s, d.id));
  const started = performance.now();
  try {
    const outcome = await poll(session, ctx.device);
    const metrics: Record<string, number> = { ...outcome.metrics, snmpMs: Math.round(performance.now() - started) };
    // CONTRACTS §1: `power-cycled` = rebooted or lost power recently; context for the faults it explains.
    const conditions = metrics.rebooted === 1 ? [...outcome.conditions, 'power-cycled' as const] : outcome.conditions;
    return { reachable: true, conditions, metrics, ...(outcome.error ? { error: outcome.error } : {}) };
  } catch (err) {
    return failed(err instanceof SnmpError ? err : new SnmpError('snmp-error', `${session.target}: SNMP poll failed`, false));
  } finally {
    session.close();
  }
}

function failed(err: SnmpError): ProbeResult {
  const error = { code: err.code, message: err.message };
  if (!err.reachable) return { reachable: false, conditions: ['unreachable'], error };
  return { reachable: true, conditions: [], error };
}
