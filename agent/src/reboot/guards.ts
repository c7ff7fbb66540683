// Guard rails (issue 3 §6): every reboot, automatic or requested by the server, passes all of them.
// Pure: everything it looks at is passed in, so tests can state each rule on its own.
import type { DeviceSample } from '@camfleet/shared';
import type { AgentDevice } from '../config/types.ts';
import type { RebootHistory } from './history.ts';
import { UPLINK_SEGMENTS, type RebootPolicy } from './policy.ts';
import { activeWindow, describeWindow } from './windows.ts';

export type RefusalCode =
  | 'disabled'
  | 'unknown-device'
  | 'not-rebootable'
  | 'pending-verification'
  | 'in-progress'
  | 'maintenance-window'
  | 'camera-interval'
  | 'camera-daily-cap'
  | 'site-daily-cap'
  | 'site-concurrency'
  | 'uplink-down'
  | 'parent-down';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export interface GuardContext {
  policy: RebootPolicy;
  history: RebootHistory;
  devices: ReadonlyMap<string, AgentDevice>;
  /** Each device's latest sample. */
  samples: ReadonlyMap<string, DeviceSample>;
  brokerConnected: boolean;
  /** Devices with a reboot being issued or verified right now. */
  active: ReadonlySet<string>;
  now: number;
}

const HOUR = 3600_000;
const down = (s: DeviceSample | undefined): boolean => s !== undefined && !s.reachable;
const hours = (ms: number): string => (ms < HOUR ? `${Math.round(ms / 60_000)} min` : `${Math.round((ms / HOUR) * 10) / 10} h`);

export function checkGuards(ctx: GuardContext, deviceId: string): Refusal | undefined {
  const { policy, history, now } = ctx;
  const device = ctx.devices.get(deviceId);
  if (!policy.enabled) return { code: 'disabled', message: 'reboots are turned off in this site config (reboot.enabled: false)' };
  if (!device) return { code: 'unknown-device', message: `no device "${deviceId}" in this site config` };
  if (!policy.segments.has(device.segment)) {
    return { code: 'not-rebootable', message: `${deviceId} is a ${device.segment}; the agent reboots only ${[...policy.segments].join(', ')}` };
  }
  if (!device.onvif && !device.poe) return { code: 'not-rebootable', message: `${deviceId} has neither an onvif nor a poe block: no way to reboot it` };
  if (history.pending(deviceId).length > 0) return { code: 'pending-verification', message: `the last reboot of ${deviceId} is still being verified` };
  if (ctx.active.has(deviceId)) return { code: 'in-progress', message: `a reboot of ${deviceId} is already under way` };

  const window = activeWindow(policy.windows, policy.timezone, new Date(now));
  if (window) return { code: 'maintenance-window', message: `inside the maintenance window ${describeWindow(window)} (${policy.timezone})` };

  const last = history.counted(deviceId, now - Math.max(policy.minIntervalMs, 24 * HOUR))[0];
  if (last && now - last.at < policy.minIntervalMs) {
    return { code: 'camera-interval', message: `${deviceId} was rebooted ${hours(now - last.at)} ago; at most one reboot per ${hours(policy.minIntervalMs)}` };
  }
  const today = history.counted(deviceId, now - 24 * HOUR).length;
  if (today >= policy.maxPerDay) return { code: 'camera-daily-cap', message: `${deviceId} was rebooted ${today} times in 24 h (cap ${policy.maxPerDay})` };
  const site = history.counted(undefined, now - 24 * HOUR).length;
  if (site >= policy.siteMaxPerDay) return { code: 'site-daily-cap', message: `${site} reboots on this site in 24 h (cap ${policy.siteMaxPerDay})` };
  const underWay = new Set([...ctx.active, ...history.pending().map((r) => r.device)]);
  if (underWay.size >= policy.siteMaxConcurrent) {
    return { code: 'site-concurrency', message: `another reboot on this site is still under way (at most ${policy.siteMaxConcurrent} at a time)` };
  }

  if (policy.requireUplink) {
    if (!ctx.brokerConnected) return { code: 'uplink-down', message: 'the gateway has no connection to the broker' };
    for (const d of ctx.devices.values()) {
      if (UPLINK_SEGMENTS.has(d.segment) && down(ctx.samples.get(d.id))) return { code: 'uplink-down', message: `${d.segment} ${d.id} is down` };
    }
  }
  if (policy.requireParents) {
    const seen = new Set<string>();
    for (let p = device.parent; p && !seen.has(p); p = ctx.devices.get(p)?.parent) {
      seen.add(p);
      if (down(ctx.samples.get(p))) return { code: 'parent-down', message: `${ctx.devices.get(p)?.segment ?? 'device'} ${p} between the gateway and ${deviceId} is down` };
    }
  }
  return undefined;
}
