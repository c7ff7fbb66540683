// One poll cycle: every device probed by every probe kind that is due (schedule.ts), parents before
// children, with a site-wide and a per-device concurrency limit and a hard timeout per probe. A device whose
// parent did not answer this cycle is not probed in depth; it is reported as unreachable behind its parent
// (issue 3 §3). A kind not due this cycle contributes the conditions it last saw (so clock drift found by an
// ONVIF probe every 5 minutes does not flap in between), never its stale metrics.
import type { Condition, DeviceSample } from '@camfleet/shared';
import type { AgentDevice } from '../config/types.ts';
import type { Probe, ProbeResult } from '../probes/types.ts';
import { Limiter } from './limiter.ts';
import type { ProbeSchedule, ScheduledProbe } from './schedule.ts';

export interface CycleOptions {
  devices: AgentDevice[];
  probes: ScheduledProbe[];
  schedule: ProbeSchedule;
  /** Cycle number (0, 1, …): what the schedule's due times count in. */
  cycle: number;
  concurrency: number;
  perDeviceConcurrency: number;
  /** Per-device memory between cycles (owned by the caller, e.g. the Agent). */
  memory: CycleMemory;
}

export interface CycleResult {
  samples: DeviceSample[];
  /** Conditions each device showed in a probe that actually ran this cycle (not carried over). */
  fresh: Map<string, Set<Condition>>;
  probesRun: number;
  probesTimedOut: number;
  /** Frames grabbed this cycle (for the image checks, never published), by device, with the kind that grabbed it. */
  frames: Map<string, { frame: Buffer; kind: string }>;
  /** Probe kinds that ran on each device this cycle. */
  ran: Map<string, Set<string>>;
}

interface LastResult {
  conditions: Condition[];
  cycle: number;
  everyCycles: number;
}

/** What the cycle remembers between runs: each device's last reachability and each kind's last conditions. */
export class CycleMemory {
  readonly reachable = new Map<string, boolean>();
  readonly last = new Map<string, LastResult>();

  retain(devices: ReadonlySet<string>): void {
    for (const id of this.reachable.keys()) if (!devices.has(id)) this.reachable.delete(id);
    for (const key of this.last.keys()) if (!devices.has(key.split('\u0000')[0]!)) this.last.delete(key);
  }
}

/** Depth of each device in the topology; a (config-rejected) parent cycle cannot hang the scheduler. */
export function topologyDepths(devices: AgentDevice[]): Map<string, number> {
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
  for (const d of devices) depthOf(d);
  return depth;
}

/** Devices grouped by depth in the topology: every parent sits in an earlier layer than its children. */
export function topologyLayers(devices: AgentDevice[]): AgentDevice[][] {
  const depth = topologyDepths(devices);
  const layers: AgentDevice[][] = [];
  for (const d of devices) (layers[depth.get(d.id) ?? 0] ??= []).push(d);
  return layers.filter(Boolean);
}

export async function runWithTimeout(probe: Probe, device: AgentDevice, timeoutMs: number): Promise<ProbeResult> {
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
export function mergeResults(device: string, results: ProbeResult[], carried: Condition[] = []): DeviceSample {
  const reachable = results.some((r) => r.reachable);
  const conditions = new Set(results.flatMap((r) => r.conditions));
  if (reachable) {
    conditions.delete('unreachable');
    for (const c of carried) conditions.add(c);
  }
  const sample: DeviceSample = { device, at: new Date().toISOString(), reachable, conditions: [...conditions].slice(0, 16) };
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

export async function runCycle(opts: CycleOptions): Promise<CycleResult> {
  const { memory, schedule, cycle } = opts;
  const global = new Limiter(opts.concurrency);
  const depth = topologyDepths(opts.devices);
  const ordered = [...opts.devices].sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0));
  const tasks = new Map<string, Promise<DeviceSample | undefined>>();
  const fresh = new Map<string, Set<Condition>>();
  const frames = new Map<string, { frame: Buffer; kind: string }>();
  const ran = new Map<string, Set<string>>();
  let probesRun = 0;
  let probesTimedOut = 0;

  const probeDevice = async (device: AgentDevice): Promise<DeviceSample | undefined> => {
    const parentId = device.parent;
    // Only an ancestor (smaller depth) is waited for: a cycle in the parent graph cannot deadlock.
    const parentTask = parentId && (depth.get(parentId) ?? 0) < (depth.get(device.id) ?? 0) ? tasks.get(parentId) : undefined;
    const parent = parentTask ? await parentTask : undefined;
    const parentDown = parent ? !parent.reachable || parent.behindParent === true : parentId ? memory.reachable.get(parentId) === false : false;
    if (parentDown) {
      return { device: device.id, at: new Date().toISOString(), reachable: false, behindParent: true, conditions: ['unreachable'] };
    }
    const applicable = opts.probes.filter((p) => p.probe.appliesTo(device));
    const due = applicable.filter((p) => schedule.due(device.id, p.kind, cycle));
    if (due.length === 0) return undefined;
    const results = await mapLimit(due, opts.perDeviceConcurrency, (p) => global.run(() => runWithTimeout(p.probe, device, p.timeoutMs)));
    probesRun += due.length;
    const seen = new Set<Condition>();
    due.forEach((p, i) => {
      const r = results[i]!;
      if (r.error?.code === 'timeout') probesTimedOut++;
      schedule.ran(device.id, p.kind, cycle, p.everyCycles);
      memory.last.set(`${device.id}\u0000${p.kind}`, { conditions: r.conditions, cycle, everyCycles: p.everyCycles });
      for (const c of r.conditions) seen.add(c);
      if (r.frame && !frames.has(device.id)) frames.set(device.id, { frame: r.frame, kind: p.kind });
    });
    fresh.set(device.id, seen);
    ran.set(device.id, new Set(due.map((p) => p.kind)));
    // Conditions from kinds that did not run this cycle, while still recent (within two of their intervals).
    const carried = applicable
      .filter((p) => !due.includes(p))
      .flatMap((p) => {
        const last = memory.last.get(`${device.id}\u0000${p.kind}`);
        return last && cycle - last.cycle < 2 * last.everyCycles ? last.conditions.filter((c) => c !== 'unreachable') : [];
      });
    return mergeResults(device.id, results, carried);
  };

  for (const device of ordered) tasks.set(device.id, probeDevice(device));
  const samples: DeviceSample[] = [];
  for (const device of opts.devices) {
    const sample = await tasks.get(device.id);
    if (!sample) continue;
    samples.push(sample);
    memory.reachable.set(device.id, sample.reachable);
  }
  return { samples, fresh, probesRun, probesTimedOut, frames, ran };
}
