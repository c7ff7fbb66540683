// Image checks in the running agent (docs/image-health.md §5): one ImageMonitor per camera, fed with the frame
// its RTSP probe grabbed this cycle. The verdict conditions (blur, night-blur, fog, frozen, black) and the
// metrics behind them go on the camera's sample; an `analysis` event goes out when a verdict is raised or
// cleared; a small JPEG of the latest frame rides on the sample at most every thumbnailEveryS, and at once when
// a verdict changes. Each monitor's baseline and hysteresis state is kept as JSON in the state dir
// (image-state.json), written at most every few minutes and on shutdown, so a restart keeps what was learned.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_PAYLOAD_BYTES, MAX_THUMBNAIL_BASE64, type Condition, type DeviceSample } from '@camfleet/shared';
import type { AgentDevice, ImageSettings } from '../config/types.ts';
import {
  analysisEventData,
  BASELINE_DEFAULTS,
  IMAGE_CONDITIONS,
  ImageDecodeError,
  ImageMonitor,
  sampleFields,
  thumbnail,
  VERDICT_DEFAULTS,
  type ImageObservation,
  type MonitorOptions,
  type Thumbnail,
} from '../image/index.ts';

export const IMAGE_DEFAULTS = Object.freeze({
  warmupFrames: BASELINE_DEFAULTS.warmup,
  raiseAfter: VERDICT_DEFAULTS.raiseAfter,
  clearAfter: VERDICT_DEFAULTS.clearAfter,
  thumbnailEveryS: 300,
  /** Upper bound of the default frozen gap (docs/image-health.md §5: grabs ≥ 1 min apart). */
  frozenGapS: 60,
});

/** The state file is rewritten at most this often (and on shutdown): flash storage on the gateway. */
export const IMAGE_STATE_SAVE_MS = 5 * 60_000;
const STATE_FILE = 'image-state.json';
/** Frames analysed at once: decoding is done by sharp's threads, the measures in JavaScript. */
const ANALYSIS_CONCURRENCY = 2;
/** Room for the event envelope around `data`. */
const EVENT_BUDGET = MAX_PAYLOAD_BYTES - 8 * 1024;
/** The sample keeps at most this many metrics (DeviceSampleSchema). */
const MAX_METRICS = 64;
const MAX_CONDITIONS = 16;

const IMAGE_WORDS: ReadonlySet<Condition> = new Set(IMAGE_CONDITIONS);

export interface ResolvedImageSettings {
  warmupFrames: number;
  raiseAfter: number;
  clearAfter: number;
  thumbnailEveryMs: number;
  frozenGapMs: number;
}

/**
 * Settings with every default applied. `grabEveryMs` is how often the RTSP probe grabs a camera's frame: the
 * frozen check compares each frame with the previous one, so the default gap is the documented minute or half
 * the grab interval, whichever is less (a gap as long as the grab interval would never let a pair be judged).
 */
export function resolveImageSettings(s: ImageSettings = {}, grabEveryMs?: number): ResolvedImageSettings {
  const d = IMAGE_DEFAULTS;
  const defaultGapMs = Math.min(d.frozenGapS * 1000, grabEveryMs !== undefined ? grabEveryMs / 2 : Infinity);
  return {
    warmupFrames: s.warmupFrames ?? d.warmupFrames,
    raiseAfter: s.raiseAfter ?? d.raiseAfter,
    clearAfter: s.clearAfter ?? d.clearAfter,
    thumbnailEveryMs: (s.thumbnailEveryS ?? d.thumbnailEveryS) * 1000,
    frozenGapMs: s.frozenGapS !== undefined ? s.frozenGapS * 1000 : defaultGapMs,
  };
}

export function monitorOptions(s: ResolvedImageSettings): MonitorOptions {
  return {
    baseline: { warmup: s.warmupFrames },
    verdicts: { raiseAfter: s.raiseAfter, clearAfter: s.clearAfter },
    minFrozenGapMs: s.frozenGapMs,
    // Made from the JPEG only when one is sent (most frames need none).
    thumbnail: false,
  };
}

/** Only cameras with an rtsp block get a monitor (their probe grabs the frames). */
export const hasImageChecks = (d: AgentDevice): boolean => d.rtsp !== undefined;

export interface ImageChecksOptions {
  stateDir: string;
  /** The configured devices: saved states of cameras no longer among them are dropped. */
  devices: readonly AgentDevice[];
  settings: ResolvedImageSettings;
  /** When the device last rebooted according to the reboot history (ms since epoch), if it did. */
  lastReboot?: (device: string) => number | undefined;
  /** Periodic thumbnails only while the broker is reachable: the outbox need not fill with old pictures. */
  connected?: () => boolean;
  log: (msg: string) => void;
  now?: () => number;
}

export interface ImageCycle {
  cycle: number;
  samples: DeviceSample[];
  frames: ReadonlyMap<string, { frame: Buffer; kind: string }>;
  ran: ReadonlyMap<string, ReadonlySet<string>>;
  /** Conditions from probes that really ran this cycle; image conditions from this cycle's frame are added. */
  fresh: Map<string, Set<Condition>>;
  /** How many cycles apart a kind runs (for carrying conditions between grabs). */
  everyCycles: (kind: string) => number;
}

export interface AnalysisEvent {
  device: string;
  data: Record<string, unknown>;
}

interface Last {
  conditions: Condition[];
  cycle: number;
  kind: string;
}

export class ImageChecks {
  private settings: ResolvedImageSettings;
  private readonly monitors = new Map<string, ImageMonitor>();
  /** Saved states of cameras whose monitor has not been needed yet since the start. */
  private readonly saved = new Map<string, unknown>();
  private readonly last = new Map<string, Last>();
  private readonly thumbnailAt = new Map<string, number>();
  /** When `power-cycled` was first seen in the current run of samples that carry it. */
  private readonly powerCycledSeen = new Map<string, number>();
  private readonly file: string;
  private readonly now: () => number;
  private dirty = false;
  private savedAt: number;
  private readonly decodeFailures = new Set<string>();

  constructor(private readonly opts: ImageChecksOptions) {
    this.settings = opts.settings;
    this.now = opts.now ?? Date.now;
    this.savedAt = this.now();
    mkdirSync(opts.stateDir, { recursive: true });
    this.file = path.join(opts.stateDir, STATE_FILE);
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { v?: unknown; cameras?: unknown };
      if (parsed.v === 1 && typeof parsed.cameras === 'object' && parsed.cameras !== null) {
        for (const [id, state] of Object.entries(parsed.cameras)) this.saved.set(id, state);
      }
    } catch (err) {
      // No file yet, or unreadable: fresh baselines (ImageMonitor.fromJSON does the same for one bad camera).
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') opts.log(`image state unreadable (${STATE_FILE}); starting fresh baselines`);
    }
    this.reconfigure(opts.devices, this.settings);
  }

  /** Cameras with a monitor or a saved state. */
  get cameras(): string[] {
    return [...new Set([...this.monitors.keys(), ...this.saved.keys()])];
  }

  monitor(device: string): ImageMonitor {
    let m = this.monitors.get(device);
    if (!m) {
      m = ImageMonitor.fromJSON(this.saved.get(device), monitorOptions(this.settings));
      this.saved.delete(device);
      this.monitors.set(device, m);
    }
    return m;
  }

  /**
   * After a config reload: cameras that are gone (or lost their rtsp block) lose their state; the others keep
   * it, under the new settings.
   */
  reconfigure(devices: readonly AgentDevice[], settings: ResolvedImageSettings): void {
    const keep = new Set(devices.filter(hasImageChecks).map((d) => d.id));
    for (const id of this.cameras) {
      if (keep.has(id)) continue;
      this.monitors.delete(id);
      this.saved.delete(id);
      this.last.delete(id);
      this.thumbnailAt.delete(id);
      this.powerCycledSeen.delete(id);
      this.dirty = true;
    }
    if (JSON.stringify(settings) !== JSON.stringify(this.settings)) {
      this.settings = settings;
      for (const [id, m] of this.monitors) this.monitors.set(id, ImageMonitor.fromJSON(m.toJSON(), monitorOptions(settings)));
    }
  }

  /** Judges this cycle's frames and puts the results on the samples; returns the `analysis` events to send. */
  async apply(c: ImageCycle): Promise<AnalysisEvent[]> {
    const events: AnalysisEvent[] = [];
    const jobs: Array<() => Promise<void>> = [];
    for (const sample of c.samples) {
      const grabbed = c.frames.get(sample.device);
      this.notePowerCycle(sample);
      if (grabbed) {
        jobs.push(async () => {
          try {
            const event = await this.observe(sample, grabbed.frame, grabbed.kind, c);
            if (event) events.push(event);
          } catch (err) {
            // One camera's failure must not cost the cycle its telemetry.
            this.opts.log(`${sample.device}: image check failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
          }
        });
      } else {
        this.carry(sample, c);
      }
    }
    await runLimited(jobs, ANALYSIS_CONCURRENCY);
    this.saveIfDue();
    // Events in the order of the samples, whatever order the analyses finished in.
    const order = new Map(c.samples.map((s, i) => [s.device, i]));
    return events.sort((a, b) => (order.get(a.device) ?? 0) - (order.get(b.device) ?? 0));
  }

  private async observe(sample: DeviceSample, frame: Buffer, kind: string, c: ImageCycle): Promise<AnalysisEvent | undefined> {
    const at = Date.parse(sample.at);
    const other = sample.conditions.filter((x) => !IMAGE_WORDS.has(x));
    const powerCycledAt = this.powerCycledAt(sample, at);
    let o: ImageObservation;
    try {
      o = await this.monitor(sample.device).observe(frame, {
        at,
        // night: inferred from the picture (an IR picture has no colour), docs/image-health.md §4
        context: { otherConditions: other, ...(powerCycledAt !== undefined ? { powerCycledAt } : {}) },
      });
    } catch (err) {
      if (!(err instanceof ImageDecodeError)) throw err;
      // A grab failure, not an image verdict: said once per episode in the log, and on the sample.
      if (!this.decodeFailures.has(sample.device)) this.opts.log(`${sample.device}: grabbed frame cannot be decoded (${err.reason})`);
      this.decodeFailures.add(sample.device);
      sample.error ??= { code: 'frame-undecodable', message: `the grabbed frame cannot be decoded (${err.reason})` };
      this.last.delete(sample.device);
      return undefined;
    }
    this.decodeFailures.delete(sample.device);
    this.dirty = true;
    const fields = sampleFields(o);
    this.setImageConditions(sample, fields.conditions);
    const metrics = { ...sample.metrics };
    for (const [k, v] of Object.entries(fields.metrics ?? {})) if (k in metrics || Object.keys(metrics).length < MAX_METRICS) metrics[k] = v;
    sample.metrics = metrics;
    const seen = c.fresh.get(sample.device) ?? new Set<Condition>();
    for (const cond of fields.conditions) seen.add(cond);
    c.fresh.set(sample.device, seen);
    this.last.set(sample.device, { conditions: fields.conditions, cycle: c.cycle, kind });

    const changed = o.raised.length > 0 || o.cleared.length > 0;
    const previous = this.thumbnailAt.get(sample.device);
    const due = previous === undefined || at - previous >= this.settings.thumbnailEveryMs;
    let thumb: Thumbnail | undefined;
    if (changed || (due && (this.opts.connected?.() ?? true))) {
      thumb = await thumbnail(frame).catch(() => undefined);
      if (thumb && thumb.base64.length <= MAX_THUMBNAIL_BASE64) {
        sample.thumbnail = { mime: thumb.mime, at: sample.at, width: thumb.width, height: thumb.height, base64: thumb.base64 };
        this.thumbnailAt.set(sample.device, at);
      } else {
        thumb = undefined;
      }
    }
    if (!changed) return undefined;
    if (thumb) o.thumbnail = thumb;
    let data = analysisEventData(o);
    if (Buffer.byteLength(JSON.stringify(data)) > EVENT_BUDGET) {
      const { thumbnail: _dropped, ...rest } = data;
      data = rest;
    }
    return { device: sample.device, data };
  }

  /** No frame this cycle: the last verdicts stand while the grabbing kind simply was not due (as cycle.ts carries). */
  private carry(sample: DeviceSample, c: ImageCycle): void {
    const last = this.last.get(sample.device);
    if (!last || !sample.reachable) return;
    const ran = c.ran.get(sample.device)?.has(last.kind) ?? false;
    if (ran || c.cycle - last.cycle >= 2 * c.everyCycles(last.kind)) return;
    this.setImageConditions(sample, last.conditions);
  }

  private setImageConditions(sample: DeviceSample, conditions: readonly Condition[]): void {
    const rest = sample.conditions.filter((x) => !IMAGE_WORDS.has(x));
    sample.conditions = [...rest, ...conditions].slice(0, MAX_CONDITIONS);
  }

  private notePowerCycle(sample: DeviceSample): void {
    if (sample.conditions.includes('power-cycled')) {
      if (!this.powerCycledSeen.has(sample.device)) this.powerCycledSeen.set(sample.device, Date.parse(sample.at));
    } else if (sample.reachable) {
      this.powerCycledSeen.delete(sample.device);
    }
  }

  /**
   * The camera's latest power cycle, from what the runtime knows: its uptime (SNMP sysUpTime on the camera), the
   * reboot history (the agent's own reboots), or when `power-cycled` first showed on its samples.
   */
  private powerCycledAt(sample: DeviceSample, at: number): number | undefined {
    const candidates: number[] = [];
    const uptimeS = sample.metrics?.uptimeS;
    if (typeof uptimeS === 'number' && Number.isFinite(uptimeS) && uptimeS >= 0) candidates.push(at - uptimeS * 1000);
    const rebooted = this.opts.lastReboot?.(sample.device);
    if (rebooted !== undefined) candidates.push(rebooted);
    const seen = this.powerCycledSeen.get(sample.device);
    if (seen !== undefined) candidates.push(seen);
    return candidates.length ? Math.max(...candidates) : undefined;
  }

  private saveIfDue(): void {
    if (this.dirty && this.now() - this.savedAt >= IMAGE_STATE_SAVE_MS) this.save();
  }

  /** Writes every camera's state (write, fsync, rename). Called at most every few minutes and on shutdown. */
  save(): void {
    const cameras: Record<string, unknown> = {};
    for (const [id, state] of this.saved) cameras[id] = state;
    for (const [id, m] of this.monitors) cameras[id] = m.toJSON();
    const tmp = `${this.file}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify({ v: 1, savedAt: new Date(this.now()).toISOString(), cameras })}\n`);
      const fd = openSync(tmp, 'r');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch (err) {
      this.opts.log(`image state not saved: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    this.savedAt = this.now();
  }
}

async function runLimited(jobs: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, jobs.length) }, async () => {
    while (next < jobs.length) await jobs[next++]!();
  });
  await Promise.all(workers);
}
