// SNMP probe against the SNMP simulator (test/sim/snmp) over real loopback UDP: LTE router, generic devices,
// every way of not getting an answer, and reboot detection.
import { afterEach, describe, expect, it } from 'vitest';
import { startSnmpDevice, type SnmpDeviceHandle, type SnmpDeviceOptions } from '../../../../test/sim/snmp/index.ts';
import type { AgentDevice, SnmpSettings } from '../../config/types.ts';
import type { ProbeResult } from '../types.ts';
import { SYS_UPTIME, TIMETICKS_WRAP_S } from './oids.ts';
import { LTE_RSRP_WEAK_DBM, snmpProbe } from './probe.ts';
import { uptimeMetrics } from './uptime.ts';

const RO = 'ro-Secret-7';
const RW = 'rw-Secret-9';
const sims: SnmpDeviceHandle[] = [];
const seenErrors: string[] = [];

async function sim(opts: Partial<SnmpDeviceOptions> = {}): Promise<SnmpDeviceHandle> {
  const s = await startSnmpDevice({ kind: 'lte-router', community: RO, writeCommunity: RW, ...opts });
  sims.push(s);
  return s;
}

let nextId = 0;
function deviceFor(s: SnmpDeviceHandle, over: Partial<AgentDevice> = {}, snmp: Partial<SnmpSettings> = {}): AgentDevice {
  return { id: `lte-${++nextId}`, segment: 'lte-router', address: s.host, snmp: { port: s.port, community: RO, ...snmp }, ...over };
}

async function probe(device: AgentDevice, timeoutMs = 2000, signal = new AbortController().signal): Promise<ProbeResult> {
  const result = await snmpProbe.run({ device, timeoutMs, signal });
  if (result.error) seenErrors.push(result.error.message);
  return result;
}

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const value = await p;
  return [value, Date.now() - start];
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

describe('snmpProbe', () => {
  it('applies to devices with an snmp block and an address', () => {
    expect(snmpProbe.appliesTo({ id: 'a', segment: 'lte-router', address: '10.0.0.1', snmp: {} })).toBe(true);
    expect(snmpProbe.appliesTo({ id: 'a', segment: 'lte-router', address: '10.0.0.1' })).toBe(false);
    expect(snmpProbe.appliesTo({ id: 'a', segment: 'switch', snmp: { community: 'x' } })).toBe(false);
  });

  it('reads uptime, WAN state and LTE signal from an LTE router', async () => {
    const s = await sim({ uptimeS: 7200, lte: { rsrp: -92, rsrq: -11.5, sinr: 8.5 } });
    const r = await probe(deviceFor(s));
    expect(r.error).toBeUndefined();
    expect(r.reachable).toBe(true);
    expect(r.conditions).toEqual([]);
    expect(r.metrics).toMatchObject({ rsrp: -92, rsrq: -11.5, sinr: 8.5, wanUp: 1, rebooted: 0 });
    expect(r.metrics?.uptimeS).toBeGreaterThanOrEqual(7200);
    expect(r.metrics?.uptimeS).toBeLessThan(7210);
    expect(r.metrics?.snmpMs).toBeGreaterThanOrEqual(0);
  });

  it('raises lte-signal-weak for low RSRP or negative SINR, not at the threshold itself', async () => {
    const s = await sim({ lte: { rsrp: LTE_RSRP_WEAK_DBM, sinr: 0 } });
    const device = deviceFor(s);
    expect((await probe(device)).conditions).toEqual([]);
    s.set({ rsrp: -115, sinr: 5 });
    const lowPower = await probe(device);
    expect(lowPower.conditions).toEqual(['lte-signal-weak']);
    expect(lowPower.metrics?.rsrp).toBe(-115);
    s.set({ rsrp: -95, sinr: -2.5 });
    const noisy = await probe(device);
    expect(noisy.conditions).toEqual(['lte-signal-weak']);
    expect(noisy.metrics?.sinr).toBe(-2.5);
  });

  it('reports a WAN down as a metric and error code while the router stays reachable', async () => {
    const s = await sim();
    s.set({ wanUp: false });
    const r = await probe(deviceFor(s));
    expect(r.reachable).toBe(true);
    expect(r.conditions).not.toContain('unreachable');
    expect(r.metrics?.wanUp).toBe(0);
    expect(r.error?.code).toBe('wan-down');
    expect(r.error?.message).toMatch(/\(ifIndex 2\) is down/);
    s.set({ wanUp: true });
    expect((await probe(deviceFor(s))).metrics?.wanUp).toBe(1);
  });

  it('says honestly that a wrong community only means no answer, and never echoes a community', async () => {
    const s = await sim();
    const r = await probe(deviceFor(s, {}, { community: 'wrong-Guess-3' }), 800);
    expect(r.reachable).toBe(false);
    expect(r.conditions).toEqual(['unreachable']);
    expect(r.error?.code).toBe('snmp-timeout');
    expect(r.error?.message).toContain('no SNMP answer');
    expect(r.error?.message).toContain('(wrong community or device down)');
    expect(r.error?.message).not.toContain('wrong-Guess-3');
    expect(s.stats.unknownCommunity).toBeGreaterThan(0); // the device did get it, and dropped it
  });

  it('reports a stopped agent unreachable within the timeout, and reachable again after start', async () => {
    const s = await sim();
    const device = deviceFor(s);
    await s.stop();
    const [r, ms] = await timed(probe(device, 800));
    expect(r.reachable).toBe(false);
    expect(r.error?.code).toBe('snmp-timeout');
    expect(ms).toBeGreaterThanOrEqual(700);
    expect(ms).toBeLessThan(1500);
    await s.start();
    expect((await probe(device)).reachable).toBe(true);
  });

  it('times out on a device that drops requests or answers too late', async () => {
    const s = await sim();
    s.set({ drop: true });
    expect((await probe(deviceFor(s), 600)).error?.code).toBe('snmp-timeout');
    expect(s.stats.dropped).toBeGreaterThanOrEqual(2); // the request and its one retry
    s.set({ drop: false, slowMs: 1500 });
    expect((await probe(deviceFor(s), 600)).error?.code).toBe('snmp-timeout');
    s.set({ slowMs: 100 });
    expect((await probe(deviceFor(s), 1500)).reachable).toBe(true);
  });

  it('stops at once when the scheduler aborts', async () => {
    const s = await sim();
    s.set({ drop: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const [r, ms] = await timed(probe(deviceFor(s), 10_000, controller.signal));
    expect(r.error?.code).toBe('snmp-timeout');
    expect(ms).toBeLessThan(1000);
  });

  it('detects a reboot from sysUpTime going back, on the next poll only', async () => {
    const s = await sim({ uptimeS: 5000 });
    const device = deviceFor(s);
    const first = await probe(device);
    expect(first.metrics?.rebooted).toBe(0);
    expect(first.conditions).toEqual([]);
    s.set({ uptimeS: 3 });
    const after = await probe(device);
    expect(after.metrics?.rebooted).toBe(1);
    expect(after.metrics?.uptimeS).toBeLessThan(10);
    expect(after.conditions).toEqual(['power-cycled']);
    const next = await probe(device);
    expect(next.metrics?.rebooted).toBe(0);
    expect(next.conditions).toEqual([]);
  });

  it('reads uptime only from a segment without its own poller', async () => {
    const s = await sim({ uptimeS: 100 });
    const r = await probe(deviceFor(s, { segment: 'router' }));
    expect(r.reachable).toBe(true);
    expect(Object.keys(r.metrics ?? {}).sort()).toEqual(['rebooted', 'snmpMs', 'uptimeS']);
  });

  it('says when an LTE router lacks the profile OIDs instead of calling the signal weak (v2c and v1)', async () => {
    const s = await sim({ kind: 'poe-switch' }); // answers sysUpTime, but has no LTE objects
    for (const version of ['2c', '1'] as const) {
      const r = await probe(deviceFor(s, { model: 'SCR1800v4' }, { version }));
      expect(r.reachable).toBe(true);
      expect(r.conditions).toEqual([]);
      expect(r.error?.code).toBe('lte-oids-unsupported');
      expect(r.error?.message).toContain('SCR1800v4');
      expect(r.metrics?.uptimeS).toBeGreaterThan(0);
    }
  });

  it('reads the LTE router over SNMPv1 too', async () => {
    const s = await sim({ lte: { rsrp: -120 } });
    const r = await probe(deviceFor(s, {}, { version: '1' }));
    expect(r.metrics).toMatchObject({ rsrp: -120, wanUp: 1 });
    expect(r.conditions).toEqual(['lte-signal-weak']);
  });

  it('never put a community string in an error message', () => {
    expect(seenErrors.length).toBeGreaterThan(0);
    for (const m of seenErrors) for (const secret of [RO, RW, 'wrong-Guess-3']) expect(m).not.toContain(secret);
  });
});

describe('uptimeMetrics', () => {
  const ticks = (s: number) => new Map([[SYS_UPTIME, Math.round(s * 100) % 2 ** 32]]);

  it('sees a reboot the uptime hides: higher than last time, but lower than the time that passed', () => {
    expect(uptimeMetrics('u1', ticks(20), 0)).toEqual({ uptimeS: 20, rebooted: 0 });
    expect(uptimeMetrics('u1', ticks(80), 60_000).rebooted).toBe(0); // 20 s + 60 s elapsed ≈ 80 s: no reboot
    expect(uptimeMetrics('u1', ticks(100), 660_000).rebooted).toBe(1); // 10 min later it should be ≈ 680 s
  });

  it('does not take the 497-day TimeTicks wrap for a reboot', () => {
    expect(uptimeMetrics('u2', ticks(TIMETICKS_WRAP_S - 30), 0).rebooted).toBe(0);
    expect(uptimeMetrics('u2', ticks(TIMETICKS_WRAP_S + 30), 60_000)).toEqual({ uptimeS: 30, rebooted: 0 });
  });
});
