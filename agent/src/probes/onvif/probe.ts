// ONVIF probe: clock drift (GetSystemDateAndTime, answered before authentication) and identity
// (GetDeviceInformation, WS-Security UsernameToken) from each camera, with a fresh connection per poll.
import type { Condition, DeviceInfo } from '@camfleet/shared';
import type { DeviceInformation } from 'onvif';
import type { AgentDevice } from '../../config/types.ts';
import type { Probe, ProbeContext, ProbeResult } from '../types.ts';
import { OnvifError, OnvifSession } from './session.ts';

export { getStreamUris, rebootCamera } from './actions.ts';
export type { OnvifActionOptions, OnvifProfileUris } from './actions.ts';
export { OnvifError } from './session.ts';
export type { OnvifErrorCode } from './session.ts';

/** |camera clock − agent clock| above this raises `clock-drift` (seconds). */
export const CLOCK_DRIFT_THRESHOLD_S = 300;
/** DeviceInfoSchema caps every field at 100 characters. */
const MAX_INFO_LENGTH = 100;

export const onvifProbe: Probe = {
  appliesTo: (device: AgentDevice) => device.onvif !== undefined && typeof device.address === 'string' && device.address !== '',
  run: runOnvifProbe,
};

async function runOnvifProbe(ctx: ProbeContext): Promise<ProbeResult> {
  let session: OnvifSession;
  try {
    session = new OnvifSession(ctx.device, { timeoutMs: ctx.timeoutMs, signal: ctx.signal });
  } catch (err) {
    return failed(err instanceof OnvifError ? err : new OnvifError('onvif-config', 'invalid ONVIF settings', false), [], {});
  }
  const metrics: Record<string, number> = {};
  const conditions: Condition[] = [];
  try {
    const cam = session.cam;
    const t0 = Date.now();
    const { data: cameraTime } = await session.call<Date>((cb) => cam.getSystemDateAndTime(cb));
    const t1 = Date.now();
    metrics.onvifMs = t1 - t0;
    if (cameraTime instanceof Date && Number.isFinite(cameraTime.getTime())) {
      const drift = clockDriftS(cameraTime.getTime(), t0, t1);
      metrics.clockDriftS = drift;
      if (Math.abs(drift) > CLOCK_DRIFT_THRESHOLD_S) conditions.push('clock-drift');
    }
    const { data, xml } = await session.call<DeviceInformation>((cb) => cam.getDeviceInformation(cb));
    return { reachable: true, conditions, metrics, info: deviceInfo(data, xml) };
  } catch (err) {
    return failed(session.classify(err), conditions, metrics);
  } finally {
    session.close();
  }
}

function failed(err: OnvifError, conditions: Condition[], metrics: Record<string, number>): ProbeResult {
  const error = { code: err.code, message: err.message };
  const withMetrics = Object.keys(metrics).length > 0 ? { metrics } : {};
  if (err.code === 'auth-failed') return { reachable: true, conditions: [...conditions, 'auth-failed'], ...withMetrics, error };
  if (!err.reachable) return { reachable: false, conditions: ['unreachable'], ...withMetrics, error };
  return { reachable: true, conditions, ...withMetrics, error };
}

/**
 * Camera clock minus agent clock, seconds, rounded to 0.1. The camera reports whole seconds (tt:Time
 * has integer Hour/Minute/Second), i.e. truncated: +0.5 s centres it; the agent side is the request
 * midpoint.
 */
export function clockDriftS(cameraMs: number, sentMs: number, receivedMs: number): number {
  const drift = (cameraMs + 500 - (sentMs + receivedMs) / 2) / 1000;
  return Math.round(drift * 10) / 10;
}

const INFO_FIELDS = [
  ['vendor', 'Manufacturer', 'manufacturer'],
  ['model', 'Model', 'model'],
  ['firmware', 'FirmwareVersion', 'firmwareVersion'],
  ['serial', 'SerialNumber', 'serialNumber'],
  ['hardwareId', 'HardwareId', 'hardwareId'],
] as const;

/**
 * Device identity. Values come from the raw XML when possible: the package's parser turns "5.50" into
 * 5.5 and "0012" into 12, which would corrupt firmware versions and serial numbers.
 */
export function deviceInfo(parsed: DeviceInformation | undefined, xml: string): DeviceInfo {
  const info: DeviceInfo = {};
  for (const [key, element, parsedKey] of INFO_FIELDS) {
    const raw = rawElement(xml, element);
    const fallback = parsed?.[parsedKey];
    const value = raw ?? (typeof fallback === 'string' || typeof fallback === 'number' ? String(fallback) : undefined);
    const trimmed = value?.trim();
    if (trimmed) info[key] = trimmed.slice(0, MAX_INFO_LENGTH);
  }
  return info;
}

function rawElement(xml: string, name: string): string | undefined {
  const m = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[\\w.-]+:)?${name}\\s*>`).exec(xml);
  return m?.[1] === undefined ? undefined : decodeEntities(m[1]);
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|lt|gt|amp|quot|apos);/gi, (whole, ent: string) => {
    if (ent[0] !== '#') return ENTITIES[ent.toLowerCase()] ?? whole;
    const cp = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : whole;
  });
}
