// Each guard rail on its own (issue 3 §6), over a persisted history in a temp state dir.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DeviceSample } from '@camfleet/shared';
import { describe, expect, it } from 'vitest';
import type { AgentDevice, RebootSettings } from '../config/types.ts';
import { checkGuards, type GuardContext } from './guards.ts';
import { RebootHistory } from './history.ts';
import { resolveRebootPolicy } from './policy.ts';

const H = 3600_000;
const NOW = Date.parse('2026-11-25T12:00:00+09:00');
const devices: AgentDevice[] = [
  { id: 'gw', segment: 'gateway', address: '10.0.0.1' },
  { id: 'rt', segment: 'router', parent: 'gw', address: '10.0.0.2' },
  { id: 'sw', segment: 'switch', parent: 'gw', address: '10.0.0.3' },
  { id: 'cam1', segment: 'camera', parent: 'sw', address: '10.0.0.11', onvif: {} },
  { id: 'cam2', segment: 'camera', parent: 'sw', address: '10.0.0.12', onvif: {} },
  { id: 'tp', segment: 'third-party-camera', parent: 'sw', address: '10.0.0.13', onvif: {} },
  { id: 'bare', segment: 'camera', parent: 'sw', address: '10.0.0.14' },
];

function ctx(over: { policy?: RebootSettings; down?: string[]; broker?: boolean; active?: string[]; history?: RebootHistory; now?: number } = {}): GuardContext {
  const samples = new Map<string, DeviceSample>(devices.map((d) => [d.id, { device: d.id, at: '', reachable: !over.down?.includes(d.id), conditions: [] }]));
  return {
    policy: resolveRebootPolicy(over.policy),
    history: over.history ?? new RebootHistory(mkdtempSync(path.join(tmpdir(), 'camfleet-guards-')), () => over.now ?? NOW),
    devices: new Map(devices.map((d) => [d.id, d])),
    samples,
    brokerConnected: over.broker ?? true,
    active: new Set(over.active ?? []),
    now: over.now ?? NOW,
  };
}
const code = (c: GuardContext, device = 'cam1') => checkGuards(c, device)?.code;

describe('reboot guard rails', () => {
  it('allows a camera when nothing stands in the way', () => {
    expect(checkGuards(ctx(), 'cam1')).toBeUndefined();
  });

  it('only devices of the allowed segments with a way to reboot them', () => {
    expect(code(ctx(), 'sw')).toBe('not-rebootable');
    expect(code(ctx(), 'tp')).toBe('not-rebootable');
    expect(code(ctx({ policy: { segments: ['camera', 'third-party-camera'] } }), 'tp')).toBeUndefined();
    expect(code(ctx(), 'bare')).toBe('not-rebootable');
    expect(code(ctx(), 'nope')).toBe('unknown-device');
    expect(code(ctx({ policy: { enabled: false } }))).toBe('disabled');
  });

  it('never while the camera\'s switch, the uplink or the broker connection is down', () => {
    expect(code(ctx({ down: ['sw'] }))).toBe('parent-down');
    expect(checkGuards(ctx({ down: ['sw'] }), 'cam1')?.message).toBe('switch sw between the gateway and cam1 is down');
    expect(code(ctx({ down: ['rt'] }))).toBe('uplink-down');
    expect(code(ctx({ broker: false }))).toBe('uplink-down');
    expect(code(ctx({ down: ['rt'], broker: false, policy: { requireUplink: false } }))).toBeUndefined();
    expect(code(ctx({ down: ['sw'], policy: { requireParents: false } }))).toBeUndefined();
  });

  it('never in a maintenance window', () => {
    expect(code(ctx({ policy: { maintenanceWindows: [{ from: '11:00', to: '13:00' }] } }))).toBe('maintenance-window');
    expect(code(ctx({ policy: { maintenanceWindows: [{ from: '13:00', to: '14:00' }] } }))).toBeUndefined();
  });

  it('at most one reboot per camera per 6 h and 3 a day; the site-wide cap; not-happened reboots do not count', () => {
    let now = NOW - 20 * H;
    const dir = mkdtempSync(path.join(tmpdir(), 'camfleet-guards-'));
    const history = new RebootHistory(dir, () => now);
    const reboot = (device: string, at: number, outcome: 'verified' | 'no-drop' | 'failed' = 'verified') => {
      now = at;
      history.finish(history.add({ device, at, method: 'onvif', source: 'auto' }), outcome);
    };
    reboot('cam1', NOW - 20 * H);
    reboot('cam1', NOW - 13 * H);
    expect(code(ctx({ history, now: NOW - 9 * H }))).toBe('camera-interval');
    reboot('cam1', NOW - 6.5 * H);
    reboot('cam1', NOW - 1 * H, 'no-drop');
    reboot('cam1', NOW - 0.5 * H, 'failed');
    expect(code(ctx({ history, now: NOW }))).toBe('camera-daily-cap');
    expect(code(ctx({ history, now: NOW + 4.1 * H }))).toBeUndefined(); // the first one is older than 24 h
    // The caps survive a restart: the history is read back from the state dir.
    const again = new RebootHistory(dir, () => NOW);
    expect(code(ctx({ history: again, now: NOW }))).toBe('camera-daily-cap');
    expect(code(ctx({ history: again, now: NOW, policy: { siteMaxPerDay: 3 } }), 'cam2')).toBe('site-daily-cap');
    expect(code(ctx({ history: again, now: NOW }), 'cam2')).toBeUndefined();
  });

  it('never twice before the first is verified; one at a time on the site by default', () => {
    const history = new RebootHistory(mkdtempSync(path.join(tmpdir(), 'camfleet-guards-')), () => NOW);
    history.add({ device: 'cam1', at: NOW - 60_000, method: 'onvif', source: 'auto' });
    const c = ctx({ history, policy: { minIntervalH: 0 } });
    expect(code(c)).toBe('pending-verification');
    expect(code(c, 'cam2')).toBe('site-concurrency');
    expect(code(ctx({ history, policy: { minIntervalH: 0, siteMaxConcurrent: 2 } }), 'cam2')).toBeUndefined();
    expect(code(ctx({ active: ['cam2'] }), 'cam2')).toBe('in-progress');
  });

  it('a verification cut short by a restart reads back as interrupted and still counts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'camfleet-guards-'));
    new RebootHistory(dir, () => NOW).add({ device: 'cam1', at: NOW - 60_000, method: 'onvif', source: 'auto' });
    const again = new RebootHistory(dir, () => NOW);
    expect(again.all()[0]?.outcome).toBe('interrupted');
    expect(code(ctx({ history: again }))).toBe('camera-interval');
  });
});
