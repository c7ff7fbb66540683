// What every SNMP device gives: sysUpTime (RFC 3418), hence uptime and reboot detection. Segments with more
// to read (lte-router, switch) have their own pollers; this one serves any other device with an snmp block.
import type { Condition } from '@camfleet/shared';
import { SYS_UPTIME } from './oids.ts';
import type { SnmpSession } from './session.ts';
import { uptimeMetrics } from './uptime.ts';

/** What a segment poller found on a device that answered. */
export interface PollOutcome {
  conditions: Condition[];
  metrics: Record<string, number>;
  error?: { code: string; message: string };
}

export async function pollSystem(session: SnmpSession, deviceId: string): Promise<PollOutcome> {
  const values = await session.get([SYS_UPTIME]);
  return { conditions: [], metrics: uptimeMetrics(deviceId, values) };
}
