// The image checks wired into the agent (images.ts), with a fake RTSP probe handing out synthetic frames and
// no broker: verdicts and metrics on the camera's sample, `analysis` events, thumbnails within the payload
// limit, the state file across a restart, and a config reload that forgets only removed cameras.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentEventSchema, MAX_PAYLOAD_BYTES, TelemetryBatchSchema, type AgentEvent, type DeviceSample, type TelemetryBatch } from '@camfleet/shared';
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SiteConfig } from '../config/types.ts';
import { syntheticFrame } from '../image/synthetic.ts';
import type { Probe } from '../probes/types.ts';
import { Agent } from './agent.ts';
import { splitSamples } from './batches.ts';
import { ImageChecks, resolveImageSettings } from './images.ts';

const shot = (seed: number, o: Parameters<typeof syntheticFrame>[1] = {}) => syntheticFrame(11, { width: 640, height: 360, noise: 3, noiseSeed: seed, ...o });
let clean: Buffer[];
let blurred: Buffer[];
let fogged: Buffer[];

beforeAll(async () => {
  clean = await Promise.all(Array.from({ length: 8 }, (_, i) => shot(i + 1)));
  blurred = await Promise.all(Array.from({ length: 3 }, (_, i) => shot(30 + i, { blur: 4 })));
  fogged = await Promise.all(Array.from({ length: 3 }, (_, i) => shot(40 + i, { haze: 0.4 })));
});

/** A stand-in for the RTSP probe: the frame it returns is whatever the test put in `frames[device]`. */
function fakeRtsp(frames: Map<string, Buffer>): Probe {
  return {
    appliesTo: (d) => d.rtsp !== undefined,
    run: async ({ device }) => {
      const frame = frames.get(device.id);
      return frame ? { reachable: true, conditions: [], metrics: { frameMs: 5 }, frame } : { reachable: true, conditions: ['stream-down'], error: { code: 'frame-failed', message: 'no frame' } };
    },
  };
}

function config(stateDir: string, cameras = ['cam1', 'cam2'], rtspEvery?: number): SiteConfig {
  return {
    site: { id: 'img-01' },
    agentId: 'img-01-gw',
    agentDevice: 'gw',
    devices: [
      { id: 'gw', segment: 'gateway' },
      ...cameras.map((id, i) => ({ id, segment: 'camera' as const, parent: 'gw', address: `10.0.0.${i + 1}`, rtsp: { path: '/stream' } })),
    ],
    poll: { intervalS: 30, timeoutS: 5, ...(rtspEvery ? { probes: { rtsp: { intervalS: rtspEvery } } } : {}) },
    mqtt: { url: 'mqtt://127.0.0.1:1', keepaliveS: 30 },
    stateDir,
    image: { warmupFrames: 3, raiseAfter: 2, clearAfter: 2 },
  };
}

function queued(stateDir: string): Array<{ topic: string; body: TelemetryBatch | AgentEvent; bytes: number }> {
  const dir = path.join(stateDir, 'outbox');
  return readdirSync(dir)
    .sort()
    .map((n) => JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { topic: string; payload: string })
    .map((e) => ({ topic: e.topic, body: JSON.parse(e.payload) as TelemetryBatch | AgentEvent, bytes: Buffer.byteLength(e.payload) }));
}

const samplesOf = (stateDir: string, device: string): DeviceSample[] =>
  queued(stateDir).filter((e) => e.topic.endsWith('/telemetry')).flatMap((e) => (e.body as TelemetryBatch).samples.filter((s) => s.device === device));
const analyses = (stateDir: string): AgentEvent[] =>
  queued(stateDir).filter((e) => e.topic.endsWith('/event')).map((e) => e.body as AgentEvent).filter((e) => e.kind === 'analysis');

const agents: Agent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});

function start(cfg: SiteConfig, frames: Map<string, Buffer>, more: Record<string, Probe> = {}): Agent {
  const agent = new Agent(cfg, { probes: { ...more, rtsp: fakeRtsp(frames) }, log: () => {}, collectAfterCycle: false });
  agents.push(agent);
  return agent;
}

describe('image checks in the agent', () => {
  it('raises blur after the hysteresis, with its metrics, an analysis event and a thumbnail; clears it again', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'camfleet-img-'));
    const frames = new Map<string, Buffer>();
    const agent = start(config(stateDir), frames);
    for (let i = 0; i < 4; i++) {
      frames.set('cam1', clean[i]!).set('cam2', clean[i + 4]!);
      await agent.cycle();
    }
    for (const b of blurred.slice(0, 2)) {
      frames.set('cam1', b).set('cam2', clean[0]!);
      await agent.cycle();
    }
    const cam1 = samplesOf(stateDir, 'cam1');
    expect(cam1.map((s) => s.conditions)).toEqual([[], [], [], [], [], ['blur']]);
    expect(cam1.map((s) => s.metrics?.imageJudged)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(cam1[5]!.metrics?.sharpnessRatio).toBeLessThan(0.75);
    expect(cam1[5]!.metrics?.frameMs).toBe(5); // the probe's own metrics stay
    // Thumbnails: not while the broker is away (periodic ones would only fill the outbox), but at a verdict change.
    expect(cam1.map((s) => s.thumbnail !== undefined)).toEqual([false, false, false, false, false, true]);
    expect(cam1[5]!.thumbnail).toMatchObject({ mime: 'image/jpeg', at: cam1[5]!.at });
    expect(Buffer.from(cam1[5]!.thumbnail!.base64, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(samplesOf(stateDir, 'cam2').every((s) => s.conditions.length === 0)).toBe(true);

    const [raised] = analyses(stateDir);
    expect(raised).toMatchObject({ device: 'cam1', data: { raised: ['blur'], cleared: [], verdicts: [{ condition: 'blur', actions: ['clean-lens'] }], thumbnail: { mime: 'image/jpeg' } } });

    for (let i = 0; i < 2; i++) {
      frames.set('cam1', clean[i]!);
      await agent.cycle();
    }
    expect(samplesOf(stateDir, 'cam1').slice(-2).map((s) => s.conditions)).toEqual([['blur'], []]);
    expect(analyses(stateDir).map((e) => e.data)).toMatchObject([{ raised: ['blur'] }, { cleared: ['blur'], verdicts: [] }]);

    for (const m of queued(stateDir)) {
      expect(m.bytes).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(Value.Check(m.topic.endsWith('/event') ? AgentEventSchema : TelemetryBatchSchema, m.body)).toBe(true);
    }
  });

  it('keeps the baselines across a restart (state file) and forgets only removed cameras on reload', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'camfleet-img-'));
    const frames = new Map<string, Buffer>();
    const first = start(config(stateDir), frames);
    for (let i = 0; i < 3; i++) {
      frames.set('cam1', clean[i]!).set('cam2', clean[i + 3]!);
      await first.cycle();
    }
    await first.stop();
    const file = path.join(stateDir, 'image-state.json');
    expect(existsSync(file)).toBe(true);
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { cameras: object }).cameras).sort()).toEqual(['cam1', 'cam2']);

    const second = start(config(stateDir), frames);
    frames.set('cam1', clean[6]!).set('cam2', clean[7]!);
    await second.cycle();
    // Warm already: the first frame after the restart is judged.
    expect(samplesOf(stateDir, 'cam1').at(-1)?.metrics?.imageJudged).toBe(1);
    expect(samplesOf(stateDir, 'cam2').at(-1)?.metrics?.imageJudged).toBe(1);

    await second.reload(config(stateDir, ['cam2']));
    expect(second.images.cameras).toEqual(['cam2']);
    await second.reload(config(stateDir, ['cam1', 'cam2']));
    frames.set('cam1', clean[5]!).set('cam2', clean[4]!);
    await second.cycle();
    expect(samplesOf(stateDir, 'cam1').at(-1)?.metrics?.imageJudged).toBe(0); // learning afresh
    expect(samplesOf(stateDir, 'cam2').at(-1)?.metrics?.imageJudged).toBe(1); // kept
    await second.stop();
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { cameras: object }).cameras).sort()).toEqual(['cam1', 'cam2']);
    // Restarted with cam1 gone from the config: its state goes too.
    const third = start(config(stateDir, ['cam2']), frames);
    await third.stop();
    expect(Object.keys((JSON.parse(readFileSync(file, 'utf8')) as { cameras: object }).cameras)).toEqual(['cam2']);
  });

  it('carries the verdicts through cycles in which the frame grab is not due, not through failed grabs', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'camfleet-img-'));
    const frames = new Map<string, Buffer>();
    // rtsp every other cycle (at a random phase); reachability every cycle, so each cycle has a camera sample.
    const agent = start(config(stateDir, ['cam1'], 60), frames, { reachability: { appliesTo: (d) => Boolean(d.address), run: async () => ({ reachable: true, conditions: [] }) } });
    const grabbedNow = () => samplesOf(stateDir, 'cam1').at(-1)?.metrics?.frameMs !== undefined;
    const order = [...clean.slice(0, 3), blurred[0]!, blurred[1]!];
    let grabs = 0;
    for (let i = 0; i < 30 && grabs < order.length; i++) {
      frames.set('cam1', order[grabs]!);
      await agent.cycle();
      if (grabbedNow()) grabs++;
    }
    expect(grabs).toBe(order.length);
    expect(samplesOf(stateDir, 'cam1').at(-1)!.conditions).toEqual(['blur']);
    // The next cycle without a grab still says blur.
    do await agent.cycle(); while (grabbedNow());
    expect(samplesOf(stateDir, 'cam1').at(-1)!.conditions).toEqual(['blur']);
    // A failed grab: the picture is unknown, so no image verdict rides on it.
    frames.delete('cam1');
    do await agent.cycle(); while (!samplesOf(stateDir, 'cam1').at(-1)!.conditions.includes('stream-down'));
    expect(samplesOf(stateDir, 'cam1').at(-1)!.conditions).toEqual(['stream-down']);
  });
});

describe('ImageChecks', () => {
  it('sends a thumbnail at the first frame and then at most every thumbnailEveryS; fog after a power cycle is expected', async () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'camfleet-img-'));
    let now = Date.parse('2026-03-02T01:00:00Z');
    const checks = new ImageChecks({ stateDir, devices: [{ id: 'cam1', segment: 'camera', rtsp: {} }], settings: resolveImageSettings({ warmupFrames: 3, raiseAfter: 2, clearAfter: 2, thumbnailEveryS: 300 }), log: () => {}, connected: () => true, now: () => now });
    const run = async (frame: Buffer, conditions: DeviceSample['conditions'] = []) => {
      now += 60_000;
      const sample: DeviceSample = { device: 'cam1', at: new Date(now).toISOString(), reachable: true, conditions: [...conditions] };
      const events = await checks.apply({ cycle: 0, samples: [sample], frames: new Map([['cam1', { frame, kind: 'rtsp' }]]), ran: new Map([['cam1', new Set(['rtsp'])]]), fresh: new Map(), everyCycles: () => 1 });
      return { sample, events };
    };
    const warm = [];
    for (const f of clean.slice(0, 6)) warm.push(await run(f));
    // First frame, then one five minutes later (frames a minute apart).
    expect(warm.map((r) => r.sample.thumbnail !== undefined)).toEqual([true, false, false, false, false, true]);
    const fog = [await run(fogged[0]!, ['power-cycled']), await run(fogged[1]!, ['power-cycled']), await run(fogged[2]!, ['power-cycled'])];
    const raised = fog.flatMap((r) => r.events).find((e) => (e.data.raised as string[]).includes('fog'));
    expect(raised?.data.verdicts).toEqual(expect.arrayContaining([expect.objectContaining({ condition: 'fog', expected: true, actions: ['wait-condensation'] })]));
    expect(fog.at(-1)!.sample.conditions).toEqual(['power-cycled', 'fog']);
  });

  it('defaults the frozen gap to a minute, or half the grab interval when grabs are closer', () => {
    expect(resolveImageSettings({}, 300_000).frozenGapMs).toBe(60_000);
    expect(resolveImageSettings({}, 30_000).frozenGapMs).toBe(15_000);
    expect(resolveImageSettings({}).frozenGapMs).toBe(60_000);
    expect(resolveImageSettings({ frozenGapS: 5 }, 30_000).frozenGapMs).toBe(5_000);
    expect(resolveImageSettings({})).toMatchObject({ warmupFrames: 12, raiseAfter: 3, clearAfter: 3, thumbnailEveryMs: 300_000 });
  });
});

describe('splitSamples with thumbnails', () => {
  it('keeps every batch under the payload limit', () => {
    const base64 = 'A'.repeat(20_000);
    const samples: DeviceSample[] = Array.from({ length: 60 }, (_, i) => ({
      device: `cam${i}`, at: '2026-03-02T01:00:00.000Z', reachable: true, conditions: [], thumbnail: { mime: 'image/jpeg', at: '2026-03-02T01:00:00.000Z', base64 },
    }));
    const batches = splitSamples(samples);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches.flat()).toHaveLength(60);
    for (const b of batches) {
      const body = JSON.stringify({ v: 1, site: 'img-01', agent: 'img-01-gw', seq: 1, at: '2026-03-02T01:00:00.000Z', samples: b });
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
    }
  });
});
