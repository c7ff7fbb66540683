// The scheduler (issue 3 §3) with fake probes: per-probe intervals and their spread, concurrency limits,
// hard timeouts, behind-parent, and conditions carried between runs of a slower probe.
import { describe, expect, it } from 'vitest';
import type { AgentDevice } from '../config/types.ts';
import type { Probe, ProbeResult } from '../probes/types.ts';
import { CycleMemory, runCycle, topologyLayers } from './cycle.ts';
import { ProbeSchedule, resolveSchedule } from './schedule.ts';

const ok: ProbeResult = { reachable: true, conditions: [] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A probe that records which devices it ran on and how many ran at once. */
function recorder(result: (d: AgentDevice) => ProbeResult | Promise<ProbeResult> = () => ok, delayMs = 0) {
  const calls: string[] = [];
  let inFlight = 0;
  const stats = { maxInFlight: 0, perDevice: new Map<string, number>(), maxPerDevice: 0 };
  const probe: Probe = {
    appliesTo: (d) => Boolean(d.address),
    async run({ device }) {
      calls.push(device.id);
      inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, inFlight);
      const n = (stats.perDevice.get(device.id) ?? 0) + 1;
      stats.perDevice.set(device.id, n);
      stats.maxPerDevice = Math.max(stats.maxPerDevice, n);
      try {
        if (delayMs) await sleep(delayMs);
        return await result(device);
      } finally {
        inFlight--;
        stats.perDevice.set(device.id, (stats.perDevice.get(device.id) ?? 1) - 1);
      }
    },
  };
  return { probe, calls, stats };
}

const cams = (n: number, parent?: string): AgentDevice[] =>
  Array.from({ length: n }, (_, i) => ({ id: `cam${i}`, segment: 'camera' as const, address: `10.0.0.${i + 1}`, ...(parent ? { parent } : {}) }));

function runner(devices: AgentDevice[], probes: Record<string, Probe>, poll: Parameters<typeof resolveSchedule>[0], random = Math.random) {
  const settings = resolveSchedule(poll, probes);
  const schedule = new ProbeSchedule(random);
  const memory = new CycleMemory();
  let cycle = 0;
  return () =>
    runCycle({ devices, probes: settings.probes, schedule, cycle: cycle++, concurrency: settings.concurrency, perDeviceConcurrency: settings.perDeviceConcurrency, memory });
}

describe('scheduler', () => {
  it('runs each probe kind at its own interval, every kind on the first cycle', async () => {
    const ping = recorder();
    const onvif = recorder();
    const next = runner(cams(1), { reachability: ping.probe, onvif: onvif.probe }, { intervalS: 30, timeoutS: 5, probes: { onvif: { intervalS: 90 } } }, () => 0);
    for (let i = 0; i < 7; i++) await next();
    expect(ping.calls).toHaveLength(7);
    // First run at once; with phase 0 the second comes one cycle later, then every 3 cycles: 0, 1, 4.
    expect(onvif.calls).toHaveLength(3);
  });

  it('spreads a slow probe kind evenly over its interval (random phase after the first run)', async () => {
    const onvif = recorder();
    let k = 0;
    const phases = [0, 0.34, 0.67, 0.99]; // → phases 0, 1, 2, 3 of a 4-cycle interval
    const next = runner(cams(40), { onvif: onvif.probe }, { intervalS: 10, timeoutS: 1, probes: { onvif: { intervalS: 40 } } }, () => phases[k++ % 4]!);
    await next(); // cycle 0: all 40
    const perCycle: number[] = [];
    for (let i = 1; i <= 8; i++) {
      const before = onvif.calls.length;
      await next();
      perCycle.push(onvif.calls.length - before);
    }
    expect(perCycle).toEqual([10, 10, 10, 10, 10, 10, 10, 10]);
  });

  it('turns a probe kind off with enabled: false', async () => {
    const onvif = recorder();
    const ping = recorder();
    const next = runner(cams(2), { reachability: ping.probe, onvif: onvif.probe }, { intervalS: 30, timeoutS: 5, probes: { onvif: { enabled: false } } });
    await next();
    expect(onvif.calls).toEqual([]);
    expect(ping.calls).toHaveLength(2);
  });

  it('never exceeds the site-wide and the per-device concurrency', async () => {
    // One recorder behind three kinds: it sees in-flight runs per device and site-wide.
    const all = recorder(undefined, 10);
    const next2 = runner(cams(30), { x: all.probe, y: all.probe, z: all.probe }, { intervalS: 30, timeoutS: 5, concurrency: 7, perDeviceConcurrency: 2 });
    await next2();
    expect(all.calls).toHaveLength(90);
    expect(all.stats.maxInFlight).toBe(7);
    expect(all.stats.maxPerDevice).toBe(2);
  });

  it('ends a probe at its hard timeout and still finishes the cycle', async () => {
    const hang: Probe = { appliesTo: () => true, run: () => new Promise(() => {}) };
    const ping = recorder();
    const next = runner(cams(3), { reachability: ping.probe, rtsp: hang }, { intervalS: 30, timeoutS: 5, probes: { rtsp: { timeoutS: 0.05 } } });
    const result = await next();
    expect(result.samples).toHaveLength(3);
    expect(result.probesTimedOut).toBe(3);
    expect(result.samples[0]).toMatchObject({ reachable: true, error: { code: 'timeout' } });
  });

  it('does not probe a device whose parent is unreachable; reports it behind the parent', async () => {
    const devices: AgentDevice[] = [{ id: 'sw', segment: 'switch', address: '10.0.0.254' }, ...cams(2, 'sw')];
    const ping = recorder((d) => (d.id === 'sw' ? { reachable: false, conditions: ['unreachable'] } : ok));
    const next = runner(devices, { reachability: ping.probe }, { intervalS: 30, timeoutS: 5 });
    const { samples } = await next();
    expect(ping.calls).toEqual(['sw']);
    expect(samples.find((s) => s.device === 'cam0')).toMatchObject({ reachable: false, behindParent: true, conditions: ['unreachable'] });
    expect(topologyLayers(devices).map((l) => l.map((d) => d.id))).toEqual([['sw'], ['cam0', 'cam1']]);
  });

  it('carries a slower probe\'s conditions between its runs (not its metrics); fresh lists only what ran', async () => {
    const ping = recorder(() => ({ reachable: true, conditions: [], metrics: { latencyMs: 1 } }));
    const onvif = recorder(() => ({ reachable: true, conditions: ['clock-drift'], metrics: { clockDriftS: 400 } }));
    const next = runner(cams(1), { reachability: ping.probe, onvif: onvif.probe }, { intervalS: 10, timeoutS: 1, probes: { onvif: { intervalS: 30 } } }, () => 0.99);
    const first = await next();
    expect(first.samples[0]).toMatchObject({ conditions: ['clock-drift'], metrics: { latencyMs: 1, clockDriftS: 400 } });
    const second = await next(); // onvif not due
    expect(second.samples[0]?.conditions).toEqual(['clock-drift']);
    expect(second.samples[0]?.metrics).toEqual({ latencyMs: 1 });
    expect([...(second.fresh.get('cam0') ?? [])]).toEqual([]);
  });
});
