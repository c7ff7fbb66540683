// ONVIF probe and helpers against the camera simulator (test/sim/onvif), over real loopback HTTP.
import onvif from 'onvif';
import { afterEach, describe, expect, it } from 'vitest';
import { startOnvifCamera, type OnvifCameraHandle, type OnvifCameraOptions } from '../../../../test/sim/onvif/index.ts';
import type { AgentDevice, OnvifSettings } from '../../config/types.ts';
import type { ProbeResult } from '../types.ts';
import { CLOCK_DRIFT_THRESHOLD_S, getStreamUris, OnvifError, onvifProbe, rebootCamera } from './probe.ts';

const USER = 'admin';
const PASS = 'Pr0be-s3cret';
const THREE_DAYS_S = 3 * 24 * 3600;
const cams: OnvifCameraHandle[] = [];

async function sim(opts: Partial<OnvifCameraOptions> = {}): Promise<OnvifCameraHandle> {
  const cam = await startOnvifCamera({ username: USER, password: PASS, ...opts });
  cams.push(cam);
  return cam;
}

function deviceFor(cam: OnvifCameraHandle, onvifOverrides: Partial<OnvifSettings> = {}, id = 'cam-1'): AgentDevice {
  return { id, segment: 'camera', address: cam.host, onvif: { port: cam.port, username: USER, password: PASS, ...onvifOverrides } };
}

function probe(device: AgentDevice, timeoutMs = 3000, signal: AbortSignal = new AbortController().signal): Promise<ProbeResult> {
  return onvifProbe.run({ device, timeoutMs, signal });
}

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  const value = await p;
  return [value, Date.now() - start];
}

/** Probes until reachable (or the deadline passes) and returns the last result. */
async function probeUntilReachable(device: AgentDevice, withinMs: number): Promise<ProbeResult> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const result = await probe(device, 1000);
    if (result.reachable || Date.now() > deadline) return result;
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterEach(async () => {
  await Promise.all(cams.splice(0).map((c) => c.close()));
});

describe('onvifProbe', () => {
  it('applies to devices with an onvif block and an address', () => {
    expect(onvifProbe.appliesTo({ id: 'a', segment: 'camera', address: '10.0.0.2', onvif: {} })).toBe(true);
    expect(onvifProbe.appliesTo({ id: 'a', segment: 'camera', address: '10.0.0.2' })).toBe(false);
    expect(onvifProbe.appliesTo({ id: 'a', segment: 'camera', onvif: { port: 80 } })).toBe(false);
  });

  it('reads identity and clock drift with the right credentials', async () => {
    const cam = await sim({
      clockOffsetS: 120,
      info: { manufacturer: 'Panasonic', model: 'WV-S1136', firmwareVersion: '5.50', serialNumber: '0012', hardwareId: 'A&B' },
    });
    const result = await probe(deviceFor(cam));
    expect(result.error).toBeUndefined();
    expect(result.reachable).toBe(true);
    expect(result.conditions).toEqual([]);
    // Raw text, not the package's number coercion ("5.50" → 5.5, "0012" → 12).
    expect(result.info).toEqual({ vendor: 'Panasonic', model: 'WV-S1136', firmware: '5.50', serial: '0012', hardwareId: 'A&B' });
    expect(result.metrics?.clockDriftS).toBeGreaterThan(118);
    expect(result.metrics?.clockDriftS).toBeLessThan(122);
    expect(result.metrics?.onvifMs).toBeGreaterThanOrEqual(0);
  });

  it('raises clock-drift beyond the threshold, in either direction', async () => {
    const cam = await sim({ clockOffsetS: -(CLOCK_DRIFT_THRESHOLD_S + 60) });
    const result = await probe(deviceFor(cam));
    expect(result.reachable).toBe(true);
    expect(result.conditions).toEqual(['clock-drift']);
    expect(result.metrics?.clockDriftS).toBeLessThan(-CLOCK_DRIFT_THRESHOLD_S);
  });

  it('reports a wrong password as auth-failed, not unreachable, and never echoes it', async () => {
    const cam = await sim();
    const wrong = 'wrong-Passw0rd';
    const result = await probe(deviceFor(cam, { password: wrong }));
    expect(result.reachable).toBe(true);
    expect(result.conditions).toEqual(['auth-failed']);
    expect(result.error?.code).toBe('auth-failed');
    expect(result.metrics?.clockDriftS).toBeDefined(); // GetSystemDateAndTime needs no credentials
    expect(JSON.stringify(result)).not.toContain(wrong);
    expect(JSON.stringify(result)).not.toContain(PASS);
  });

  it('reports a camera that rejects every token (auth-broken) as auth-failed', async () => {
    const cam = await sim();
    cam.setFault('auth-broken');
    const result = await probe(deviceFor(cam));
    expect(result).toMatchObject({ reachable: true, conditions: ['auth-failed'], error: { code: 'auth-failed' } });
  });

  it('reports a stopped camera as unreachable at once, and reachable after start()', async () => {
    const cam = await sim();
    await cam.stop();
    const [result, ms] = await timed(probe(deviceFor(cam), 5000));
    expect(result).toMatchObject({ reachable: false, conditions: ['unreachable'], error: { code: 'onvif-refused' } });
    expect(ms).toBeLessThan(1000);
    await cam.start();
    expect((await probe(deviceFor(cam))).reachable).toBe(true);
  });

  it('gives up on a camera that accepts and never answers within timeoutMs', async () => {
    const cam = await sim();
    cam.setFault('slow');
    const [result, ms] = await timed(probe(deviceFor(cam), 1000));
    expect(result).toMatchObject({ reachable: false, conditions: ['unreachable'], error: { code: 'onvif-timeout' } });
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(1500);
  });

  it('resolves quickly as a timeout when the scheduler aborts', async () => {
    const cam = await sim();
    cam.setFault('slow');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const [result, ms] = await timed(probe(deviceFor(cam), 10_000, controller.signal));
    expect(result).toMatchObject({ reachable: false, error: { code: 'onvif-timeout' } });
    expect(ms).toBeLessThan(1000);
    const [again, ms2] = await timed(probe(deviceFor(cam), 10_000, AbortSignal.abort()));
    expect(again.error?.code).toBe('onvif-timeout');
    expect(ms2).toBeLessThan(200);
  });

  it('sees a rebooting camera as unreachable, then back with rebootCount 1', async () => {
    const cam = await sim({ rebootDownS: 0.5 });
    const device = deviceFor(cam);
    const ack = await rebootCamera(device);
    expect(ack.message).toMatch(/reboot/i);
    const during = await probe(device);
    expect(during).toMatchObject({ reachable: false, conditions: ['unreachable'] });
    const after = await probeUntilReachable(device, 3000);
    expect(after.reachable).toBe(true);
    expect(cam.rebootCount).toBe(1);
    expect(cam.uptimeS()).toBeLessThan(3);
  });

  it('sees a clock reset after reboot on the next poll (fresh Cam per poll)', async () => {
    // maxCreatedSkewS: the camera rejects UsernameTokens whose Created is off its clock (replay protection),
    // so authenticated calls only pass when the client re-learned the camera clock after the reboot.
    const cam = await sim({ rebootDownS: 0.3, clockResetOnReboot: true, maxCreatedSkewS: 30 });
    const device = deviceFor(cam);
    const before = await probe(device);
    expect(Math.abs(before.metrics?.clockDriftS ?? Infinity)).toBeLessThan(2);

    const reused = new onvif.Cam({ hostname: cam.host, port: cam.port, username: USER, password: PASS, autoconnect: false, timeout: 2000 });
    await new Promise((r) => reused.getSystemDateAndTime(r));

    await rebootCamera(device);
    const after = await probeUntilReachable(device, 3000);
    expect(after).toMatchObject({ reachable: true, conditions: ['clock-drift'], info: { vendor: 'CamSim' } });
    expect(Math.abs((after.metrics?.clockDriftS ?? 0) + THREE_DAYS_S)).toBeLessThan(2);

    // The same request from a Cam that learned the clock before the reboot is refused.
    const reusedErr = await new Promise<Error | null>((r) => reused.getDeviceInformation((err) => r(err)));
    expect(reusedErr?.message).toMatch(/not authorized/i);
  });

  it('probes 50 simulated cameras concurrently', async () => {
    const fleet = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sim({ info: { serialNumber: `SN-${i}` }, clockOffsetS: i })),
    );
    expect(new Set(fleet.map((c) => c.port)).size).toBe(50);
    const [results, ms] = await timed(Promise.all(fleet.map((c, i) => probe(deviceFor(c, {}, `cam-${i}`), 5000))));
    results.forEach((r, i) => {
      expect(r.reachable).toBe(true);
      expect(r.info?.serial).toBe(`SN-${i}`);
      expect(Math.abs((r.metrics?.clockDriftS ?? Infinity) - i)).toBeLessThan(2);
    });
    expect(ms).toBeLessThan(5000);
  });
});

describe('getStreamUris', () => {
  it('lists every profile with its RTSP and snapshot URIs', async () => {
    const cam = await sim({ rtspUrl: 'rtsp://10.1.2.3:554/live?ch=1&sub=0', snapshotUrl: 'http://10.1.2.3/snap.jpg' });
    const uris = await getStreamUris(deviceFor(cam));
    expect(uris).toEqual([
      { profileToken: 'main', name: 'MainStream', streamUri: 'rtsp://10.1.2.3:554/live?ch=1&sub=0', snapshotUri: 'http://10.1.2.3/snap.jpg' },
      { profileToken: 'sub', name: 'SubStream', streamUri: `rtsp://${cam.host}:554/sub`, snapshotUri: 'http://10.1.2.3/snap.jpg' },
    ]);
  });

  it('rejects with a classified error', async () => {
    const cam = await sim();
    await expect(getStreamUris(deviceFor(cam, { password: 'nope-nope' }))).rejects.toMatchObject({ code: 'auth-failed' });
    await cam.stop();
    const err: unknown = await getStreamUris(deviceFor(cam)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnvifError);
    expect(err).toMatchObject({ code: 'onvif-refused', reachable: false });
  });
});

describe('rebootCamera', () => {
  it('fails cleanly on a camera that is down', async () => {
    const cam = await sim();
    await cam.stop();
    await expect(rebootCamera(deviceFor(cam), { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'onvif-refused' });
    expect(cam.rebootCount).toBe(0);
  });
});
