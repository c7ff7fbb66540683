// RTSP probe against the real GStreamer RTSP simulator (test/sim/rtsp) and, for protocol faults it cannot
// show, the scripted peer; ffmpeg is the real one. Every test also proves no ffmpeg is left running.
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { childProcesses, startFakeRtspServer, startRtspServer, startTlsProxy, type FakeRtspBehaviour, type FakeRtspServer, type RtspServerHandle } from '../../../../test/sim/rtsp/index.ts';
import type { AgentDevice, RtspSettings } from '../../config/types.ts';
import type { ProbeResult } from '../types.ts';
import { grabFrame, rtspProbe, rtspTarget } from './probe.ts';

const USER = 'admin';
const PASS = 'p@ss:w%rd/Sim1'; // reserved URL characters: must survive the trip into ffmpeg's URL
let sim: RtspServerHandle;
const fakes: FakeRtspServer[] = [];

beforeAll(async () => {
  sim = await startRtspServer({ username: USER, password: PASS, mounts: ['/cam1', '/cam2', { path: '/dead', mode: 'dead' }] });
});
afterAll(() => sim?.close());
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  expect(childProcesses('ffmpeg')).toEqual([]);
});

function device(rtsp: RtspSettings, address = '127.0.0.1'): AgentDevice {
  return { id: 'cam-1', segment: 'camera', ...(address ? { address } : {}), rtsp };
}

function simDevice(path: string, overrides: Partial<RtspSettings> = {}): AgentDevice {
  return device({ port: sim.port, path, username: USER, password: PASS, ...overrides });
}

function probe(d: AgentDevice, timeoutMs = 5000, signal = new AbortController().signal): Promise<ProbeResult> {
  return rtspProbe.run({ device: d, timeoutMs, signal });
}

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const start = Date.now();
  return [await p, Date.now() - start];
}

async function fake(behaviour: FakeRtspBehaviour): Promise<FakeRtspServer> {
  const f = await startFakeRtspServer({ behaviour, username: USER, password: PASS });
  fakes.push(f);
  return f;
}

async function meanLuminance(jpeg: Buffer): Promise<number> {
  return (await sharp(jpeg).greyscale().stats()).channels[0]!.mean;
}

describe('rtspProbe', () => {
  it('applies to devices with an rtsp block and an address or its own URL', () => {
    expect(rtspProbe.appliesTo(device({}))).toBe(true);
    expect(rtspProbe.appliesTo(device({ url: 'rtsp://10.0.0.9/live' }, ''))).toBe(true);
    expect(rtspProbe.appliesTo(device({}, ''))).toBe(false);
    expect(rtspProbe.appliesTo({ id: 'a', segment: 'camera', address: '10.0.0.2' })).toBe(false);
  });

  it('finds a healthy stream with the right credentials and returns one JPEG frame of its size', async () => {
    const result = await probe(simDevice('/cam1'));
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ reachable: true, conditions: [] });
    expect(result.metrics?.rtspMs).toBeGreaterThanOrEqual(0);
    expect(result.metrics?.frameMs).toBeGreaterThan(0);
    const meta = await sharp(result.frame!).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: sim.width, height: sim.height });
    expect(await meanLuminance(result.frame!)).toBeGreaterThan(60);
  });

  it('takes credentials written into rtsp.url, and shows them nowhere', async () => {
    const url = sim.url('/cam1').replace('rtsp://', `rtsp://${USER}:${encodeURIComponent(PASS)}@`);
    const ok = await probe(device({ url }, ''));
    expect(ok.frame).toBeDefined();
    const bad = await probe(device({ url: url.replace('Sim1', 'Sim2') }, ''));
    expect(bad.error?.code).toBe('auth-failed');
    expect(bad.error?.message).not.toContain('@');
  });

  it('reports a wrong password as auth-failed, reachable, without grabbing or echoing it', async () => {
    const wrong = 'Wr0ng-passw0rd';
    const result = await probe(simDevice('/cam1', { password: wrong }));
    expect(result).toMatchObject({ reachable: true, conditions: ['auth-failed'], error: { code: 'auth-failed' } });
    expect(result.frame).toBeUndefined();
    const text = JSON.stringify(result);
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(encodeURIComponent(wrong));
    expect(text).not.toContain(PASS);
  });

  it('reports missing credentials as auth-failed', async () => {
    const result = await probe(device({ port: sim.port, path: '/cam1' }));
    expect(result).toMatchObject({ reachable: true, conditions: ['auth-failed'] });
    expect(result.error?.message).toMatch(/none are configured/);
  });

  it('reports an unknown mount (404) and a dead encoder (503) as stream-down', async () => {
    const missing = await probe(simDevice('/nope'));
    expect(missing).toMatchObject({ reachable: true, conditions: ['stream-down'], error: { code: 'rtsp-status' } });
    expect(missing.error?.message).toContain('404');
    const dead = await probe(simDevice('/dead'));
    expect(dead).toMatchObject({ reachable: true, conditions: ['stream-down'], error: { code: 'rtsp-status' } });
    expect(dead.error?.message).toContain('503');
  });

  it('sees the picture change when the camera goes black', async () => {
    await sim.setMode('/cam2', 'normal');
    const before = await probe(simDevice('/cam2'));
    await sim.setMode('/cam2', 'black');
    const after = await probe(simDevice('/cam2'));
    expect(await meanLuminance(before.frame!)).toBeGreaterThan(60);
    expect(after).toMatchObject({ reachable: true, conditions: [] });
    expect(await meanLuminance(after.frame!)).toBeLessThan(5);
  });

  it('speaks RTSP over TLS for rtsps:// URLs, DESCRIBE and frame alike', async () => {
    const proxy = await startTlsProxy(sim.port);
    try {
      const result = await probe(device({ url: `rtsps://127.0.0.1:${proxy.port}/cam1`, username: USER, password: PASS }, ''));
      expect(result).toMatchObject({ reachable: true, conditions: [] });
      expect((await sharp(result.frame!).metadata()).format).toBe('jpeg');
    } finally {
      await proxy.close();
    }
  });

  it('checks DESCRIBE only when grabFrame is false', async () => {
    const result = await probe(simDevice('/cam1', { grabFrame: false }));
    expect(result).toEqual({ reachable: true, conditions: [], metrics: { rtspMs: expect.any(Number) } });
  });

  it('reports a stopped camera as unreachable at once, and healthy after start()', async () => {
    const own = await startRtspServer({ username: USER, password: PASS, mounts: ['/cam1'] });
    try {
      const d = device({ port: own.port, path: '/cam1', username: USER, password: PASS, grabFrame: false });
      await own.stop();
      const [down, ms] = await timed(probe(d));
      expect(down).toMatchObject({ reachable: false, conditions: ['unreachable'], error: { code: 'rtsp-refused' } });
      expect(ms).toBeLessThan(1000);
      await own.start();
      expect((await probe(d)).conditions).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe('rtspProbe against protocol faults', () => {
  it('gives up on a server that accepts and never answers within timeoutMs', async () => {
    const f = await fake('mute');
    const [result, ms] = await timed(probe(device({ url: f.url() }), 1000));
    expect(result).toMatchObject({ reachable: false, conditions: ['unreachable'], error: { code: 'rtsp-timeout' } });
    expect(ms).toBeLessThan(2000);
  });

  it('kills ffmpeg when DESCRIBE is fine but media never flows, within timeoutMs', async () => {
    const f = await fake('no-media');
    const [result, ms] = await timed(probe(device({ url: f.url(), username: USER, password: PASS }), 1500));
    expect(result).toMatchObject({ reachable: true, conditions: ['stream-down'], error: { code: 'frame-failed' } });
    expect(result.metrics?.rtspMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(result)).not.toContain(PASS);
    expect(ms).toBeLessThan(2500);
    expect(f.requests.some((r) => r.line.startsWith('PLAY'))).toBe(true); // ffmpeg got as far as PLAY
  });

  it('kills ffmpeg at once when the scheduler aborts a frame grab', async () => {
    const f = await fake('no-media');
    const controller = new AbortController();
    const pending = timed(probe(device({ url: f.url() }), 30_000, controller.signal));
    await expect.poll(() => f.requests.some((r) => r.line.startsWith('PLAY')), { timeout: 10_000 }).toBe(true);
    expect(childProcesses('ffmpeg')).toHaveLength(1);
    const abortedAt = Date.now();
    controller.abort();
    const [result] = await pending;
    expect(result.error).toMatchObject({ code: 'frame-failed', message: expect.stringContaining('aborted') });
    expect(Date.now() - abortedAt).toBeLessThan(1000);
  });

  it('reports an SDP without video and an answer that is not RTSP as stream-down', async () => {
    const audio = await probe(device({ url: (await fake('audio-only')).url() }));
    expect(audio).toMatchObject({ reachable: true, conditions: ['stream-down'], error: { code: 'rtsp-no-video' } });
    const http = await probe(device({ url: (await fake('not-rtsp')).url() }));
    expect(http).toMatchObject({ reachable: true, conditions: ['stream-down'], error: { code: 'rtsp-bad-response' } });
  });

  it('answers a qop=auth Digest challenge with opaque, checked by the server', async () => {
    const f = await fake('digest-qop');
    const ok = await probe(device({ url: f.url(), username: USER, password: PASS, grabFrame: false }));
    expect(ok).toMatchObject({ reachable: true, conditions: [] });
    const sent = f.requests.filter((r) => r.line.startsWith('DESCRIBE')).map((r) => r.headers.authorization);
    expect(sent).toEqual([undefined, expect.stringMatching(/^Digest .*qop=auth, nc=00000001/)]);
    const bad = await probe(device({ url: f.url(), username: USER, password: 'nope', grabFrame: false }));
    expect(bad.conditions).toEqual(['auth-failed']);
  });
});

describe('grabFrame', () => {
  it("passes on ffmpeg's reason without the URL or the credentials it quotes", async () => {
    const closed = await startFakeRtspServer({ behaviour: 'mute' });
    await closed.close(); // a port nobody listens on
    const target = rtspTarget(device({ url: closed.url(), username: 'operator7', password: PASS }));
    const err = (await grabFrame(target, { timeoutMs: 5000 }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('frame-failed');
    expect(err.message).toMatch(/Connection refused/i);
    for (const secret of ['operator7', PASS, encodeURIComponent(PASS), 'rtsp://']) expect(err.message).not.toContain(secret);
  });

  it('says so when ffmpeg is not installed', async () => {
    const target = rtspTarget(simDevice('/cam1'));
    await expect(grabFrame(target, { timeoutMs: 1000, ffmpegPath: '/nonexistent/ffmpeg' })).rejects.toMatchObject({ code: 'ffmpeg-missing' });
  });
});
