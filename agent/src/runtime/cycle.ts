// One poll cycle: every device probed by every probe kind that applies, parents before children, with a
// global concurrency limit and a hard timeout per probe. A device whose parent did not answer this cycle is
// not probed in depth; it is reported as unreachable behind its parent (issue 3 §3).
import type { DeviceSample } from '@camfleet/shared';
import type { AgentDevice } from '../config/types.ts';
import { PROBES } from '../probes/registry.ts';
import type { Probe, ProbeResult } from '../probes/types.ts';

export interface CycleOptions {
  devices: AgentDevice[];
  timeoutMs: number;
  concurrency: number;
  probes?: Record<string, Probe>;
}

/** Devices grouped by depth in the topology: every parent sits in an earlier layer than its children. */
export function topologyLayers(devices: AgentDevice[]): AgentDevice[][] {
  const byId = new Map(devices.map((d) => [d.id, d]));
  const depth = new Map<string, number>();
  const depthOf = (d: AgentDevice, seen = new Set<string>()): number => {
    const known = depth.get(d.id);
    if (known !== undefined) return known;
    const parent = d.parent ? byId.get(d.parent) : undefined;
    const value = parent && !seen.has(parent.id) ? depthOf(parent, seen.add(d.id)) + 1 : 0;
    depth.set(d.id, value);
    return value;
  };
  const layers: AgentDevice[][] = [];
  for (const d of devices) (layers[depthOf(d)] ??= []).push(d);
  return layers.filter(Boolean);
}

async function runWithTimeout(probe: Probe, device: AgentDevice, timeoutMs: number): Promise<ProbeResult> {
  const ctrl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => {
      ctrl.abort();
      resolve({ reachable: false, conditions: ['unreachable'], error: { code: 'timeout', message: `no answer within ${timeoutMs} ms` } });
    }, timeoutMs);
  });
  try {
    return await Promise.race([probe.run({ device, timeoutMs, signal: ctrl.signal }), timeout]);
  } catch (err) {
    return { reachable: false, conditions: ['unreachable'], error: { code: 'probe-failed', message: err instanceof Error ? err.message.slice(0, 200) : 'probe failed' } };
  } finally {
    clearTimeout(timer);
  }
}

/** Several probes of one device merge: reachable if any answered; conditions and metrics combined. */
function merge(device: string, results: ProbeResult[]): DeviceSample {
  const conditions = new Set(results.flatMap((r) => r.conditions));
  const reachable = results.some((r) => r.reachable);
  if (reachable) conditions.delete('unreachable');
  const sample: DeviceSample = { device, at: new Date().toISOString(), reachable, conditions: [...conditions] };
  const metrics = Object.assign({}, ...results.map((r) => r.metrics ?? {})) as Record<string, number>;
  if (Object.keys(metrics).length) sample.metrics = metrics;
  const info = Object.assign({}, ...results.map((r) => r.info ?? {}));
  if (Object.keys(info).length) sample.info = info;
  const error = results.find((r) => r.error)?.error;
  if (error) sample.error = error;
  return sample;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}

export async function runCycle(opts: CycleOptions): Promise<DeviceSample[]> {
  const probes = Object.values(opts.probes ?? PROBES);
  const results = new Map<string, DeviceSample>();
  for (const layer of topologyLayers(opts.devices)) {
    const samples = await mapLimit(layer, opts.concurrency, async (device) => {
      const parent = device.parent ? results.get(device.parent) : undefined;
      if (parent && (!parent.reachable || parent.behindParent)) {
        return { device: device.id, at: new Date().toISOString(), reachable: false, behindParent: true, conditions: ['unreachable'] } satisfies DeviceSample;
      }
      const applicable = probes.filter((p) => p.appliesTo(device));
      if (applicable.length === 0) return undefined;
      const res = await Promise.all(applicable.map((p) => runWithTimeout(p, device, opts.timeoutMs)));
      return merge(device.id, res);
    });
    for (const s of samples) if (s) results.set(s.device, s);
  }
  return [...results.values()];
}
