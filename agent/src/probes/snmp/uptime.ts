// Reboot detection from sysUpTime (RFC 3418; strictly it counts from the SNMP agent's restart, which on an
// appliance is the device's boot). The device's uptime should have grown by the time since the last poll;
// when it is lower than that (in particular lower than the last poll's), the device restarted in between.
// The last reading per device lives in this module-level Map, keyed by device id: one entry per SNMP device
// of the site, so it stays as small as the site config. It is in memory only: the first poll after the agent
// starts sets the baseline and reports no reboot.
import { SYS_UPTIME, TIMETICKS_WRAP_S } from './oids.ts';
import type { SnmpValue } from './session.ts';

interface Reading {
  uptimeS: number;
  /** performance.now() when it was read (monotonic: immune to clock steps on the gateway). */
  atMs: number;
}

const lastReading = new Map<string, Reading>();

/** Allowed shortfall: request latency, uptime rounding and a device clock running slightly slow. */
function slackS(elapsedS: number): number {
  return 5 + elapsedS * 0.05;
}

/**
 * Records this poll's sysUpTime for `deviceId` and returns the metrics `uptimeS` and `rebooted` (1 when the
 * device restarted since the last poll, else 0). Returns nothing when the device gave no sysUpTime.
 */
export function uptimeMetrics(deviceId: string, values: Map<string, SnmpValue>, nowMs = performance.now()): Record<string, number> {
  const ticks = values.get(SYS_UPTIME);
  if (typeof ticks !== 'number' || !Number.isFinite(ticks)) return {};
  const uptimeS = Math.floor(ticks / 100);
  const last = lastReading.get(deviceId);
  lastReading.set(deviceId, { uptimeS, atMs: nowMs });
  if (!last) return { uptimeS, rebooted: 0 };
  const elapsedS = Math.max(0, (nowMs - last.atMs) / 1000);
  const expected = last.uptimeS + elapsedS;
  const slack = slackS(elapsedS);
  // TimeTicks is an unsigned 32-bit count of 1/100 s: it wraps to 0 after about 497 days without a reboot.
  const wrapped = expected >= TIMETICKS_WRAP_S - slack && Math.abs(uptimeS - (expected % TIMETICKS_WRAP_S)) <= slack;
  const rebooted = uptimeS < last.uptimeS || (uptimeS + slack < expected && !wrapped);
  return { uptimeS, rebooted: rebooted && !wrapped ? 1 : 0 };
}

/** Forgets every device's last reading (a reloaded config may reuse an id for another device). */
export function forgetUptimes(): void {
  lastReading.clear();
}
