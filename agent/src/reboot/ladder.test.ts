// The escalation ladder with a fake camera whose stream is dead until it is rebooted (issue 3 §6): the
// camera is rebooted once, verified, not again inside the cap; with its switch down, never.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Condition, DeviceSample } from '@camfleet/shared';
import { describe, expect, it } from 'vitest';
import type { AgentDevice, RebootSettings } from '../config/types.ts';
import type { RebootActions } from './actions.ts';
import { RebootHistory } from './history.ts';
import { RebootManager } from './ladder.ts';
import { resolveRebootPolicy } from './policy.ts';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A camera that goes away for `downMs` when rebooted and comes back with whatever `afterBoot` says. */
class FakeCamera {
  streamDead = true;
  downUntil = 0;
  reboots: string[] = [];
  constructor(public afterBoot: { streamDead: boolean; drops: boolean } = { streamDead: false, drops: true }, public downMs = 60) {}
  sample(id: string): DeviceSample {
    if (Date.now() < this.downUntil) return { device: id, at: new Date().toISOString(), reachable: false, conditions: ['unreachable'] };
    return { device: id, at: new Date().toISOString(), reachable: true, conditions: this.streamDead ? ['stream-down'] : [] };
  }
  reboot(how: string): void {
    this.reboots.push(how);
    if (!this.afterBoot.drops) return;
    this.downUntil = Date.now() + this.downMs;
    this.streamDead = this.afterBoot.streamDead;
  }
}

const DEVICES: AgentDevice[] = [
  { id: 'gw', segment: 'gateway', address: '10.0.0.1' },
  { id: 'sw', segment: 'switch', parent: 'gw', address: '10.0.0.3', snmp: { writeCommunity: 'private' } },
  { id: 'cam1', segment: 'camera', parent: 'sw', address: '10.0.0.11', onvif: {}, poe: { port: 3 } },
];

function setup(opts: { policy?: RebootSettings; cam?: FakeCamera; onvifFails?: boolean; stateDir?: string } = {}) {
  const cam = opts.cam ?? new FakeCamera();
  const events: Array<Record<string, unknown>> = [];
  const state = { switchUp: true, broker: true };
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), 'camfleet-ladder-'));
  const actions: RebootActions = {
    async onvifReboot() {
      if (opts.onvifFails) throw new Error('camera rejected SystemReboot');
      cam.reboot('onvif');
      return 'Rebooting';
    },
    async poeCycle() {
      cam.reboot('poe');
      return 'PoE port 1.3 cycled';
    },
    async reconnectStream() {},
    poeAvailable: async () => true,
  };
  const base = { afterCycles: 3, stepPauseS: 0, dropTimeoutS: 0.3, verifyTimeoutS: 1 };
  let policy = resolveRebootPolicy({ ...base, ...opts.policy });
  const clock = { offsetMs: 0 };
  const devices = new Map(DEVICES.map((d) => [d.id, d]));
  const manager = new RebootManager({
    policy: () => policy,
    now: () => Date.now() + clock.offsetMs,
    devices: () => devices,
    history: new RebootHistory(stateDir),
    probeNow: async (d) => cam.sample(d.id),
    actions,
    brokerConnected: () => state.broker,
    emit: (device, data) => events.push({ device, ...data }),
    log: () => {},
    verifyPollMs: 10,
  });
  /** One poll cycle as the agent would feed it. */
  const cycle = async (n = 1) => {
    for (let i = 0; i < n; i++) {
      const samples: DeviceSample[] = [
        { device: 'gw', at: '', reachable: true, conditions: [] },
        { device: 'sw', at: '', reachable: state.switchUp, conditions: state.switchUp ? [] : ['unreachable'] },
        cam.sample('cam1'),
      ];
      manager.observe(samples, new Map(samples.map((s) => [s.device, new Set<Condition>(s.conditions)])));
      await wait(5);
    }
  };
  const settle = async () => {
    while (manager.running > 0) await wait(10);
  };
  const outcomes = () => events.map((e) => `${String(e.step ?? '')}:${String(e.outcome)}${e.code ? `:${String(e.code)}` : ''}`);
  const setPolicy = (p: RebootSettings) => (policy = resolveRebootPolicy({ ...base, ...p }));
  return { cam, events, state, manager, cycle, settle, outcomes, stateDir, clock, setPolicy };
}

describe('reboot ladder', () => {
  it('reboots a camera with a dead stream once, verifies it, and not again inside the cap', async () => {
    const t = setup();
    await t.cycle(2);
    expect(t.manager.running).toBe(0); // 2 < afterCycles
    await t.cycle(1);
    await t.settle();
    expect(t.cam.reboots).toEqual(['onvif']);
    expect(t.outcomes()).toEqual(['onvif-reboot:issued', 'onvif-reboot:verified']);
    expect(t.events[1]).toMatchObject({ device: 'cam1', source: 'auto', method: 'onvif', droppedAfterS: expect.any(Number), healthyAfterS: expect.any(Number) });
    expect(t.manager.contextConditions('cam1')).toEqual(['power-cycled']);

    // The stream dies again an hour later (well, now): the ladder runs, but the 6 h cap stops the reboot.
    t.cam.streamDead = true;
    await t.cycle(9);
    await t.settle();
    expect(t.cam.reboots).toEqual(['onvif']);
    // Refused once per reason, not every time the trigger fires again.
    expect(t.outcomes().slice(2)).toEqual(['onvif-reboot:refused:camera-interval']);
  });

  it('never reboots while the camera\'s switch is down', async () => {
    const t = setup();
    t.state.switchUp = false;
    await t.cycle(12);
    await t.settle();
    expect(t.cam.reboots).toEqual([]);
    expect(t.outcomes()).toEqual(['onvif-reboot:refused:parent-down']);
    // A reboot requested by the server meets the same rule.
    expect(await t.manager.request('cam1', 'c1')).toMatchObject({ ok: false, code: 'parent-down' });
    expect(t.cam.reboots).toEqual([]);
  });

  it('never while the uplink is down or inside a maintenance window', async () => {
    const t = setup();
    t.state.broker = false;
    await t.cycle(3);
    await t.settle();
    const w = setup({ policy: { maintenanceWindows: [{ from: '00:00', to: '23:59' }, { from: '23:59', to: '00:00' }] } });
    await w.cycle(3);
    await w.settle();
    expect([...t.outcomes(), ...w.outcomes()]).toEqual(['onvif-reboot:refused:uplink-down', 'onvif-reboot:refused:maintenance-window']);
    expect(t.cam.reboots.length + w.cam.reboots.length).toBe(0);
  });

  it('after a refusal, leaves the camera alone for a while, then tries again once the reason is gone', async () => {
    const t = setup({ policy: { maintenanceWindows: [{ from: '00:00', to: '23:59' }, { from: '23:59', to: '00:00' }] } });
    await t.cycle(3);
    await t.settle();
    t.setPolicy({}); // the window is over
    await t.cycle(6);
    await t.settle();
    expect(t.cam.reboots).toEqual([]); // still backing off
    t.clock.offsetMs = 11 * 60_000;
    await t.cycle(3);
    await t.settle();
    expect(t.cam.reboots).toEqual(['onvif']);
    expect(t.outcomes()).toEqual(['onvif-reboot:refused:maintenance-window', 'onvif-reboot:issued', 'onvif-reboot:verified']);
  });

  it('stops at the re-probe when the fault was transient', async () => {
    const cam = new FakeCamera();
    const t = setup({ cam });
    await t.cycle(2);
    const third = t.cycle(1);
    cam.streamDead = false; // healthy by the time the ladder re-probes
    await third;
    await t.settle();
    expect(t.outcomes()).toEqual(['reprobe:recovered']);
    expect(cam.reboots).toEqual([]);
  });

  it('falls back to a PoE power cycle when ONVIF SystemReboot fails; the failed attempt does not count', async () => {
    const t = setup({ onvifFails: true });
    await t.cycle(3);
    await t.settle();
    expect(t.cam.reboots).toEqual(['poe']);
    expect(t.outcomes()).toEqual(['onvif-reboot:failed', 'poe-cycle:issued', 'poe-cycle:verified']);
  });

  it('a camera that acknowledges but never goes down gets the PoE cycle; one that stays broken is left to a case', async () => {
    const t = setup({ cam: new FakeCamera({ streamDead: true, drops: false }) });
    await t.cycle(3);
    await t.settle();
    expect(t.outcomes()).toEqual(['onvif-reboot:issued', 'onvif-reboot:no-drop', 'poe-cycle:issued', 'poe-cycle:no-drop', ':gave-up']);

    const u = setup({ cam: new FakeCamera({ streamDead: true, drops: true }) });
    await u.cycle(3);
    await u.settle();
    // Rebooted, came back, stream still dead: the PoE step would be a second reboot inside 6 h.
    expect(u.outcomes()).toEqual(['onvif-reboot:issued', 'onvif-reboot:stream-unhealthy', ':gave-up']);
    await u.cycle(10);
    await u.settle();
    expect(u.cam.reboots).toEqual(['onvif']);
    expect(u.outcomes()).toHaveLength(3); // exhausted until the camera is seen healthy again
  });

  it('answers a server request at once, verifies, and applies the cap to the next one — also after a restart', async () => {
    const t = setup();
    t.cam.streamDead = false;
    expect(await t.manager.request('cam1', 'cmd-1')).toMatchObject({ ok: true, code: 'rebooting' });
    expect(await t.manager.request('cam1', 'cmd-2')).toMatchObject({ ok: false, code: 'in-progress' });
    await t.settle();
    expect(t.events.at(-1)).toMatchObject({ outcome: 'verified', source: 'command', commandId: 'cmd-1' });
    const again = setup({ stateDir: t.stateDir });
    expect(await again.manager.request('cam1', 'cmd-3')).toMatchObject({ ok: false, code: 'camera-interval' });
    expect(await again.manager.request('sw', 'cmd-4')).toMatchObject({ ok: false, code: 'not-rebootable' });
  });
});
