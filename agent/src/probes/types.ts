// What every probe kind implements. Kinds are registered in ./registry.ts (one map, no if/else over kinds).
import type { Condition, DeviceInfo } from '@camfleet/shared';
import type { AgentDevice } from '../config/types.ts';

export interface ProbeContext {
  device: AgentDevice;
  /** Hard limit for this probe; the scheduler also aborts through `signal` when it passes. */
  timeoutMs: number;
  signal: AbortSignal;
}

export interface ProbeResult {
  reachable: boolean;
  conditions: Condition[];
  metrics?: Record<string, number>;
  info?: DeviceInfo;
  /** Short reason for a person: a stable code and a message without credentials or stacks. */
  error?: { code: string; message: string };
  /** A grabbed video frame (JPEG) for the image checks; never published as is. */
  frame?: Buffer;
}

export interface Probe {
  /** Whether this probe applies to a device (e.g. the ONVIF probe needs an `onvif` block). */
  appliesTo(device: AgentDevice): boolean;
  run(ctx: ProbeContext): Promise<ProbeResult>;
}
