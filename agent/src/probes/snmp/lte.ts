// LTE outdoor router: uptime (reboots), WAN state from IF-MIB and radio quality from the model's vendor MIB,
// all in one GET. A router that answers with its WAN down is reachable: WAN down is a metric and an error
// code, so the case lands on the uplink, not on the router's reachability.
import type { Condition } from '@camfleet/shared';
import { IF_OPER_STATUS, IF_OPER_UP, lteProfileFor, SYS_UPTIME, type ScaledOid } from './oids.ts';
import type { SnmpSession, SnmpValue } from './session.ts';
import type { PollOutcome } from './system.ts';
import { uptimeMetrics } from './uptime.ts';

/**
 * Weak-signal thresholds, from the coverage bands LTE router makers publish (e.g. Teltonika's "Mobile Signal
 * Strength Recommendations", Digi's signal guides): RSRP −80 dBm and above is excellent, −90 to −100 fair,
 * −100 to −110 poor (cell edge), below −110 dBm the link is unstable or drops (3GPP TS 36.133 reports RSRP
 * down to −140 dBm). SINR ≥ 20 dB is excellent, 0–13 dB mid-cell, below 0 dB there is more noise and
 * interference than signal. Either one past its mark raises `lte-signal-weak`.
 */
export const LTE_RSRP_WEAK_DBM = -110;
export const LTE_SINR_WEAK_DB = 0;

/** IF-MIB ifOperStatus values (RFC 2863). */
const IF_OPER_STATUS_NAMES: Record<number, string> = {
  1: 'up',
  2: 'down',
  3: 'testing',
  4: 'unknown',
  5: 'dormant',
  6: 'notPresent',
  7: 'lowerLayerDown',
};

export async function pollLteRouter(session: SnmpSession, deviceId: string, model: string | undefined): Promise<PollOutcome> {
  const { name, profile } = lteProfileFor(model);
  const wanOid = `${IF_OPER_STATUS}.${profile.wanIfIndex}`;
  const values = await session.get([SYS_UPTIME, wanOid, profile.rsrp.oid, profile.rsrq.oid, profile.sinr.oid]);
  const metrics: Record<string, number> = uptimeMetrics(deviceId, values);
  const conditions: Condition[] = [];
  const rsrp = scaled(values, profile.rsrp);
  const rsrq = scaled(values, profile.rsrq);
  const sinr = scaled(values, profile.sinr);
  if (rsrp !== undefined) metrics.rsrp = rsrp;
  if (rsrq !== undefined) metrics.rsrq = rsrq;
  if (sinr !== undefined) metrics.sinr = sinr;
  if ((rsrp !== undefined && rsrp < LTE_RSRP_WEAK_DBM) || (sinr !== undefined && sinr < LTE_SINR_WEAK_DB)) {
    conditions.push('lte-signal-weak');
  }
  const wan = values.get(wanOid);
  let error: PollOutcome['error'];
  if (typeof wan === 'number') {
    metrics.wanUp = wan === IF_OPER_UP ? 1 : 0;
    if (wan !== IF_OPER_UP) {
      const status = IF_OPER_STATUS_NAMES[wan] ?? String(wan);
      error = { code: 'wan-down', message: `WAN interface (ifIndex ${profile.wanIfIndex}) is ${status}, not up (IF-MIB ifOperStatus)` };
    }
  }
  if (!error && rsrp === undefined && sinr === undefined) {
    error = {
      code: 'lte-oids-unsupported',
      message: `router does not answer the LTE signal OIDs of profile "${name}": add a profile for model ${model ?? '(none given)'}`,
    };
  }
  return { conditions, metrics, ...(error ? { error } : {}) };
}

/** A vendor value in its unit; integer or numeric text (some MIBs use DisplayString), divided by its scale. */
function scaled(values: Map<string, SnmpValue>, spec: ScaledOid): number | undefined {
  const raw = values.get(spec.oid);
  const n = typeof raw === 'string' ? Number.parseFloat(raw) : raw;
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return Math.round((n / (spec.scale ?? 1)) * 100) / 100;
}
