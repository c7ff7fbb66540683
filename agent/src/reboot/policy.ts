// The reboot policy (issue 3 §6) with every default applied. The YAML block `reboot:` is optional; each key
// overrides one default. All guard rails are here, so `docs/agent.md` and the code name the same numbers.
import type { MaintenanceWindow, RebootSettings, RebootStep } from '../config/types.ts';

export interface RebootPolicy {
  enabled: boolean;
  afterCycles: number;
  steps: RebootStep[];
  segments: ReadonlySet<string>;
  minIntervalMs: number;
  maxPerDay: number;
  siteMaxPerDay: number;
  siteMaxConcurrent: number;
  requireUplink: boolean;
  requireParents: boolean;
  dropTimeoutMs: number;
  verifyTimeoutMs: number;
  stepPauseMs: number;
  poeOffMs: number;
  timezone: string;
  windows: MaintenanceWindow[];
}

export const REBOOT_DEFAULTS = {
  enabled: true,
  afterCycles: 3,
  steps: ['reprobe', 'reconnect-stream', 'onvif-reboot', 'poe-cycle'] as RebootStep[],
  segments: ['camera'],
  minIntervalH: 6,
  maxPerDay: 3,
  siteMaxPerDay: 10,
  siteMaxConcurrent: 1,
  requireUplink: true,
  requireParents: true,
  dropTimeoutS: 120,
  verifyTimeoutS: 300,
  stepPauseS: 5,
  poeOffS: 10,
  timezone: 'Asia/Tokyo',
} as const;

/** Devices whose segment makes them part of the gateway's uplink (DOMAIN §1). */
export const UPLINK_SEGMENTS: ReadonlySet<string> = new Set(['gateway', 'router', 'onu', 'lte-router']);

export function resolveRebootPolicy(s: RebootSettings = {}): RebootPolicy {
  const d = REBOOT_DEFAULTS;
  return {
    enabled: s.enabled ?? d.enabled,
    afterCycles: s.afterCycles ?? d.afterCycles,
    steps: s.steps ?? [...d.steps],
    segments: new Set(s.segments ?? d.segments),
    minIntervalMs: (s.minIntervalH ?? d.minIntervalH) * 3600_000,
    maxPerDay: s.maxPerDay ?? d.maxPerDay,
    siteMaxPerDay: s.siteMaxPerDay ?? d.siteMaxPerDay,
    siteMaxConcurrent: s.siteMaxConcurrent ?? d.siteMaxConcurrent,
    requireUplink: s.requireUplink ?? d.requireUplink,
    requireParents: s.requireParents ?? d.requireParents,
    dropTimeoutMs: (s.dropTimeoutS ?? d.dropTimeoutS) * 1000,
    verifyTimeoutMs: (s.verifyTimeoutS ?? d.verifyTimeoutS) * 1000,
    stepPauseMs: (s.stepPauseS ?? d.stepPauseS) * 1000,
    poeOffMs: (s.poeOffS ?? d.poeOffS) * 1000,
    timezone: s.timezone ?? d.timezone,
    windows: s.maintenanceWindows ?? [],
  };
}
