// PoE switch polling and the power-cycle primitive against the SNMP simulator's RFC 3621 table, with a
// simulated ONVIF camera on the port that a power cut really takes down.
import { afterEach, describe, expect, it } from 'vitest';
import { startOnvifCamera, type OnvifCameraHandle } from '../../../../test/sim/onvif/index.ts';
import { startSnmpDevice, type PortPowerEvent, type SnmpDeviceHandle, type SnmpDeviceOptions } from '../../../../test/sim/snmp/index.ts';
import type { AgentDevice, SnmpSettings } from '../../config/types.ts';
import { onvifProbe } from '../onvif/probe.ts';
import { powerCyclePoePort, setPoePort, SnmpError, snmpProbe, SWITCH_METRIC_BUDGET } from './probe.ts';

const RO = 'ro-Secret-7';
const RW = 'rw-Secret-9';
const sims: SnmpDeviceHandle[] = [];
const cams: OnvifCameraHandle[] = [];

async function sim(opts: Partial<SnmpDeviceOptions> = {}): Promise<SnmpDeviceHandle> {
  const s = await startSnmpDevice({ kind: 'poe-switch', community: RO, writeCommunity: RW, ...opts });
  sims.push(s);
  return s;
}

let nextId = 0;
function switchFor(s: SnmpDeviceHandle, snmp: Partial<SnmpSettings> = { writeCommunity: RW }): AgentDevice {
  return { id: `sw-${++nextId}`, segment: 'switch', address: s.host, snmp: { port: s.port, community: RO, ...snmp } };
}

const poll = (device: AgentDevice, timeoutMs = 2000) => snmpProbe.run({ device, timeoutMs, signal: new AbortController().signal });

/** Rejection of `p` as an SnmpError (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<SnmpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SnmpError);
  return err as SnmpError;
}

async function until(check: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

afterEach(async () => {
  await Promise.all([...sims.splice(0), ...cams.splice(0)].map((d) => d.close()));
});

describe('switch PoE polling', () => {
  it('reads every port state from pethPsePortTable, over v2c (GetBulk) and v1 (GetNext)', async () => {
    const s = await sim({
      uptimeS: 900,
      ports: [{ port: 1 }, { port: 2, enabled: false }, { port: 3, fault: true }, { port: 4, attached: false }, { port: 1, group: 2 }],
    });
    for (const version of ['2c', '1'] as const) {
      const r = await poll(switchFor(s, { version }));
      expect(r.error).toBeUndefined();
      expect(r.reachable).toBe(true);
      expect(r.metrics).toMatchObject({
        poePorts: 5,
        poePortsOn: 2,
        poePortsFault: 1,
        poePortsDisabled: 1,
        'poe.1.on': 1,
        'poe.2.on': 0,
        'poe.3.on': 0,
        'poe.3.fault': 1,
        'poe.4.on': 0,
        'poe.2.1.on': 1,
        rebooted: 0,
      });
      expect(r.metrics?.uptimeS).toBeGreaterThanOrEqual(900);
    }
  });

  it('keeps a big switch within the metric budget, faults first, and counts what it left out', async () => {
    const s = await sim({ ports: Array.from({ length: 60 }, (_, i) => ({ port: i + 1, fault: i === 59 })) });
    const r = await poll(switchFor(s));
    const keys = Object.keys(r.metrics ?? {});
    expect(keys.length).toBeLessThanOrEqual(SWITCH_METRIC_BUDGET);
    expect(keys.every((k) => k.length <= 40)).toBe(true);
    expect(r.metrics?.['poe.60.fault']).toBe(1);
    expect(r.metrics?.poePorts).toBe(60);
    expect(r.metrics?.poePortsOn).toBe(59);
    const perPort = keys.filter((k) => k.endsWith('.on')).length;
    expect(r.metrics?.poePortsOmitted).toBe(60 - perPort);
  });
});

describe('PoE power control', () => {
  it('really cuts the power of the camera on the port, and restores it', async () => {
    const cam = await startOnvifCamera({ username: 'admin', password: 'pw' });
    cams.push(cam);
    const events: PortPowerEvent[] = [];
    const s = await sim({
      ports: 4,
      onPortPower: async (e) => {
        events.push(e);
        if (e.port === 3) await (e.on ? cam.start() : cam.stop());
      },
    });
    const camDevice: AgentDevice = { id: 'cam', segment: 'camera', address: cam.host, onvif: { port: cam.port, username: 'admin', password: 'pw' } };
    const camUp = async () => (await onvifProbe.run({ device: camDevice, timeoutMs: 1000, signal: new AbortController().signal })).reachable;
    const sw = switchFor(s);
    expect(await camUp()).toBe(true);

    await setPoePort(sw, { port: 3 }, false);
    expect(s.portState(3)?.enabled).toBe(false);
    expect(await until(async () => !(await camUp()), 3000)).toBe(true);
    const off = await poll(sw);
    expect(off.metrics).toMatchObject({ 'poe.3.on': 0, poePortsDisabled: 1, poePortsOn: 3 });

    await setPoePort(sw, 3, true);
    expect(await until(camUp, 3000)).toBe(true);
    expect(events).toEqual([
      { group: 1, port: 3, on: false },
      { group: 1, port: 3, on: true },
    ]);
  });

  it('power-cycles a port: off, wait, on — the switch saw both, in order', async () => {
    const events: { e: PortPowerEvent; at: number }[] = [];
    const s = await sim({ ports: 8, onPortPower: (e) => void events.push({ e, at: Date.now() }) });
    const result = await powerCyclePoePort(switchFor(s), { port: 5 }, 300);
    expect(events.map((x) => x.e)).toEqual([
      { group: 1, port: 5, on: false },
      { group: 1, port: 5, on: true },
    ]);
    expect(events[1]!.at - events[0]!.at).toBeGreaterThanOrEqual(290);
    expect(result).toMatchObject({ group: 1, port: 5 });
    expect(Date.parse(result.onAt) - Date.parse(result.offAt)).toBeGreaterThanOrEqual(290);
    expect(s.portState(5)?.enabled).toBe(true);
  });

  it('switches the port back on even when aborted during the off period', async () => {
    const events: PortPowerEvent[] = [];
    const s = await sim({ ports: 2, onPortPower: (e) => void events.push(e) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await powerCyclePoePort(switchFor(s), { port: 2 }, 30_000, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(events.map((e) => e.on)).toEqual([false, true]);
    expect(s.portState(2)?.enabled).toBe(true);
  });

  it('refuses to write without a writeCommunity, before sending anything', async () => {
    const s = await sim({ ports: 4 });
    const sw = switchFor(s, {});
    const err = await rejection(powerCyclePoePort(sw, { port: 1 }, 100));
    expect(err.code).toBe('snmp-no-write-community');
    expect(err.message).toContain('has no snmp.writeCommunity');
    expect((await rejection(setPoePort(sw, 1, false))).code).toBe('snmp-no-write-community');
    expect(s.stats.received).toBe(0);
    expect(s.portState(1)?.enabled).toBe(true);
  });

  it('reports a SET the switch rejects (a read-only community) without echoing the community', async () => {
    const s = await sim({ ports: 4 });
    const err = await rejection(setPoePort(switchFor(s, { writeCommunity: RO }), 2, false));
    expect(err.code).toBe('snmp-refused');
    expect(err.message).toContain('NoAccess');
    expect(err.message).not.toContain(RO);
    expect(s.portState(2)?.enabled).toBe(true);
  });

  it('says the port may be left off when the switch vanishes right after cutting power', async () => {
    const s: SnmpDeviceHandle = await sim({ ports: 2, onPortPower: (e) => (e.on ? undefined : s.stop()) });
    const sw = switchFor(s);
    const err = await rejection(powerCyclePoePort(sw, { port: 1 }, 100, { timeoutMs: 300 }));
    expect(err.code).toBe('poe-left-off');
    expect(err.message).toContain('may be OFF');
    expect(s.portState(1)?.enabled).toBe(false); // the truth the message warns about
    await s.start();
    await setPoePort(sw, 1, true); // what the reboot ladder does once the switch is back
    expect(s.portState(1)?.enabled).toBe(true);
  });

  it('cannot tell whether an unanswering switch cut the power, so it tries to restore it and says so', async () => {
    const s = await sim({ ports: 4 });
    await s.stop();
    const err = await rejection(powerCyclePoePort(switchFor(s), { port: 1 }, 100, { timeoutMs: 300 }));
    expect(err.code).toBe('poe-left-off');
    expect(err.message).toContain('no SNMP answer');
    expect(err.message).not.toContain(RW);
    expect(s.portState(1)?.enabled).toBe(true);
  });
});
