// Gateway self-check: the `gateway` device the agent runs on — its address is this machine (loopback), or it
// is the config's agent.device — gets the health metrics of this machine. The runtime tells the probe that
// device, the state dir and the outbox depth through configureGatewayProbe(); until it does, only loopback
// addresses match and the disk figure is for the working directory's filesystem.
import type { AgentDevice } from '../../config/types.ts';
import type { Probe, ProbeContext, ProbeResult } from '../types.ts';
import { collectGatewayMetrics } from './metrics.ts';

export { collectGatewayMetrics, memoryUsedPct, parseCpuTimes } from './metrics.ts';
export type { GatewayMetricsOptions } from './metrics.ts';

export interface GatewayProbeSettings {
  /** Id of the device the agent runs on (SiteConfig.agentDevice), whatever its address. */
  deviceId?: string;
  /** The agent's stateDir: `diskUsedPct` is for its filesystem (where the outbox grows). */
  stateDir?: string;
  /** Telemetry batches waiting in the outbox, reported as `outboxDepth`. */
  outboxDepth?: () => number;
}

let settings: GatewayProbeSettings = {};

/** Called by the runtime when it (re)loads the site config. */
export function configureGatewayProbe(next: GatewayProbeSettings): void {
  settings = { ...next };
}

const LOCAL_NAMES = new Set(['localhost', '::1', '0:0:0:0:0:0:0:1']);

/** Whether an address names this machine (loopback: 127.0.0.0/8, ::1, localhost). */
export function isLocalAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  return LOCAL_NAMES.has(a) || /^127(\.\d{1,3}){3}$/.test(a);
}

export const gatewayProbe: Probe = {
  appliesTo: (device: AgentDevice) =>
    device.segment === 'gateway' && (isLocalAddress(device.address) || (settings.deviceId !== undefined && device.id === settings.deviceId)),
  async run(ctx: ProbeContext): Promise<ProbeResult> {
    // The CPU sample fits well inside the probe's budget.
    const sampleMs = Math.min(250, Math.max(10, Math.floor(ctx.timeoutMs / 4)));
    let depth: number | undefined;
    try {
      depth = settings.outboxDepth?.();
    } catch {
      depth = undefined;
    }
    const metrics = await collectGatewayMetrics(depth, { stateDir: settings.stateDir, sampleMs });
    // This code runs on the gateway: it is up by definition.
    return { reachable: true, conditions: [], metrics };
  },
};
