// The running agent: scheduled poll cycles (schedule.ts, cycle.ts) → image checks on the grabbed frames
// (images.ts) → telemetry batches with a persisted sequence number → durable outbox → MQTT (publisher.ts); the
// reboot ladder (../reboot) watching the samples; commands from the server answered. Reloads its config on
// SIGHUP / cmd/reload without losing what is queued.
import { topics, type AgentEvent, type DeviceSample, type Inventory, type TelemetryBatch } from '@camfleet/shared';
import { toInventory } from '../config/index.ts';
import type { AgentDevice, SiteConfig } from '../config/types.ts';
import { PROBES } from '../probes/registry.ts';
import type { Probe } from '../probes/types.ts';
import { realActions, type RebootActions } from '../reboot/actions.ts';
import { RebootHistory } from '../reboot/history.ts';
import { RebootManager } from '../reboot/ladder.ts';
import { resolveRebootPolicy, type RebootPolicy } from '../reboot/policy.ts';
import { splitSamples } from './batches.ts';
import { CommandRouter } from './commands.ts';
import { LiveStreams } from '../live/live.ts';
import { collector } from './memory.ts';
import { CycleMemory, mergeResults, runCycle, runWithTimeout, type CycleResult } from './cycle.ts';
import { ImageChecks, resolveImageSettings } from './images.ts';
import { DEFAULT_OUTBOX_MAX_BYTES, Outbox } from './outbox.ts';
import { Publisher } from './publisher.ts';
import { ProbeSchedule, resolveSchedule, type ScheduleSettings } from './schedule.ts';
import { SequenceCounter } from './seq.ts';
import { redactedLog } from './log.ts';

export const AGENT_VERSION = '0.2.0';

export interface AgentOptions {
  log?: (msg: string) => void;
  /** Probe kinds to run (default: the registry). Tests pass fakes. */
  probes?: Record<string, Probe>;
  rebootActions?: RebootActions;
  /** Re-reads the config for cmd/reload (run.ts passes the same loader SIGHUP uses). */
  reloadConfig?: () => Promise<SiteConfig>;
  verifyPollMs?: number;
  /** A full garbage collection after a cycle that left the heap above a threshold (default true; memory.ts). */
  collectAfterCycle?: boolean;
}

export class Agent {
  private config: SiteConfig;
  private settings: ScheduleSettings;
  private policy: RebootPolicy;
  private devices: Map<string, AgentDevice>;
  private readonly seq: SequenceCounter;
  private readonly outbox: Outbox;
  private publisher: Publisher;
  private readonly schedule = new ProbeSchedule();
  private readonly memory = new CycleMemory();
  readonly reboots: RebootManager;
  private readonly commands: CommandRouter;
  private readonly live: LiveStreams;
  private readonly registry: Record<string, Probe>;
  private readonly history: RebootHistory;
  readonly images: ImageChecks;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private nextTick = 0;
  private readonly gc: (() => void) | undefined;
  private gcTimer: NodeJS.Timeout | undefined;
  private reporting = false;
  readonly log: (msg: string) => void;
  cycles = 0;
  overruns = 0;
  lastCycle: (CycleResult & { durationMs: number }) | undefined;

  constructor(config: SiteConfig, private readonly opts: AgentOptions = {}) {
    this.config = config;
    this.log = redactedLog(opts.log);
    this.registry = opts.probes ?? PROBES;
    this.settings = resolveSchedule(config.poll, this.registry);
    this.policy = resolveRebootPolicy(config.reboot);
    this.devices = new Map(config.devices.map((d) => [d.id, d]));
    this.seq = new SequenceCounter(config.stateDir, (msg) => this.log(msg));
    this.outbox = new Outbox(config.stateDir, outboxBytes(config));
    this.publisher = this.makePublisher();
    this.gc = opts.collectAfterCycle === false ? undefined : collector();
    this.history = new RebootHistory(config.stateDir);
    this.images = new ImageChecks({
      stateDir: config.stateDir,
      devices: config.devices,
      settings: resolveImageSettings(config.image, grabEveryMs(this.settings)),
      lastReboot: (device) => this.history.counted(device, Date.now() - 7 * 86_400_000)[0]?.at,
      connected: () => this.publisher.connected,
      log: this.log,
    });
    const resetters = Object.values(this.registry).flatMap((p) => {
      const reset = (p as { reset?: (d: AgentDevice) => unknown }).reset;
      return typeof reset === 'function' ? [reset.bind(p)] : [];
    });
    this.reboots = new RebootManager({
      policy: () => this.policy,
      devices: () => this.devices,
      history: this.history,
      probeNow: (d) => this.probeNow(d),
      actions: opts.rebootActions ?? realActions(resetters),
      brokerConnected: () => this.publisher.connected,
      emit: (device, data) => this.event('reboot', device, data),
      log: this.log,
      ...(opts.verifyPollMs ? { verifyPollMs: opts.verifyPollMs } : {}),
    });
    this.live = new LiveStreams({ devices: () => this.devices, log: this.log });
    this.commands = new CommandRouter(
      {
        'live-start': (cmd) => this.live.start(cmd),
        'live-stop': (cmd) => this.live.stop(cmd),
        snapshot: (cmd) => this.live.snapshot(cmd),
        reboot: async (cmd) => (cmd.device ? this.reboots.request(cmd.device, cmd.id) : { ok: false, code: 'no-device', message: 'a reboot command names a device' }),
        reload: async () => {
          if (!this.opts.reloadConfig) return { ok: false, code: 'not-supported', message: 'this agent was not started from a config file' };
          const next = await this.opts.reloadConfig().catch((err: unknown) => err);
          if (next instanceof Error || !next) return { ok: false, code: 'invalid-config', message: next instanceof Error ? next.message.split('\n')[0] ?? '' : 'invalid config' };
          await this.reload(next as SiteConfig);
          return { ok: true, code: 'reloaded', message: `${(next as SiteConfig).devices.length} devices` };
        },
      },
      this.log,
    );
  }

  private makePublisher(): Publisher {
    const { mqtt, outbox } = this.config;
    return new Publisher({
      url: mqtt.url,
      ...(mqtt.username ? { username: mqtt.username } : {}),
      ...(mqtt.password ? { password: mqtt.password } : {}),
      ...(mqtt.ca ? { ca: mqtt.ca } : {}),
      ...(mqtt.cert ? { cert: mqtt.cert } : {}),
      ...(mqtt.key ? { key: mqtt.key } : {}),
      keepaliveS: mqtt.keepaliveS,
      site: this.config.site.id,
      agentId: this.config.agentId,
      version: AGENT_VERSION,
      outbox: this.outbox,
      inventory: () => this.inventoryPayload(),
      log: this.log,
      replayRatePerS: outbox?.replayRatePerS ?? 20,
      replayDelayMs: (outbox?.replayDelayS ?? 5) * 1000,
      onCommand: (name, payload) => this.commands.handle(name, payload),
      onDrops: () => this.reportDrops(),
    });
  }

  private inventoryPayload(): string {
    const body: Inventory = { v: 1, agent: this.config.agentId, at: new Date().toISOString(), site: toInventory(this.config) };
    return JSON.stringify(body);
  }

  get outboxDepth(): number {
    return this.outbox.depth;
  }

  get connected(): boolean {
    return this.publisher.connected;
  }

  start(): void {
    this.publisher.start();
    // Also inside a cycle (the first one coincides with start-up): the heap check is cheap.
    if (this.gc) this.gcTimer = setInterval(this.gc, 1000).unref();
    this.nextTick = Date.now();
    this.scheduleNext();
  }

  /** Fixed-rate ticks every intervalS; each cycle starts a random 0..jitterS after its tick. A cycle that
   *  runs past the next tick makes the agent skip that tick (counted as an overrun), never run two at once. */
  private scheduleNext(): void {
    if (this.stopped) return;
    const now = Date.now();
    if (this.nextTick < now - this.settings.intervalMs) {
      const missed = Math.floor((now - this.nextTick) / this.settings.intervalMs);
      this.overruns += missed;
      this.nextTick += missed * this.settings.intervalMs;
    }
    const delay = Math.max(0, this.nextTick + Math.random() * this.settings.jitterMs - now);
    this.timer = setTimeout(() => {
      this.running = this.cycle()
        .catch((err: unknown) => this.log(`cycle failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          this.running = undefined;
          this.nextTick += this.settings.intervalMs;
          this.scheduleNext();
        });
    }, delay);
  }

  async cycle(): Promise<void> {
    const cfg = this.config;
    const started = performance.now();
    const cycle = this.cycles;
    const result = await runCycle({
      devices: cfg.devices,
      probes: this.settings.probes,
      schedule: this.schedule,
      cycle,
      concurrency: this.settings.concurrency,
      perDeviceConcurrency: this.settings.perDeviceConcurrency,
      memory: this.memory,
    });
    this.cycles++;
    const samples = result.samples;
    for (const s of samples) {
      for (const c of this.reboots.contextConditions(s.device)) if (!s.conditions.includes(c) && s.conditions.length < 16) s.conditions.push(c);
    }
    // Image verdicts before the ladder looks at the samples: a frozen picture is a stream fault (reboot/verify.ts).
    const analyses = await this.images.apply({
      cycle,
      samples,
      frames: result.frames,
      ran: result.ran,
      fresh: result.fresh,
      everyCycles: (kind) => this.settings.probes.find((p) => p.kind === kind)?.everyCycles ?? 1,
    });
    result.frames.clear(); // the JPEGs are not kept past the cycle
    const durationMs = Math.round(performance.now() - started);
    this.lastCycle = { ...result, durationMs };
    this.addOwnMetrics(samples, result, durationMs);
    this.reboots.observe(samples, result.fresh);
    // Batches are split by bytes (batches.ts), thumbnails included, so none exceeds MAX_PAYLOAD_BYTES.
    for (const part of splitSamples(samples)) {
      const batch: TelemetryBatch = { v: 1, site: cfg.site.id, agent: cfg.agentId, seq: this.seq.take(), at: new Date().toISOString(), samples: part };
      this.publisher.enqueue(topics.telemetry(cfg.site.id), JSON.stringify(batch));
    }
    for (const a of analyses) this.event('analysis', a.device, a.data);
    this.gc?.();
  }

  /** The agent's own health on the sample of the device it runs on (agent.device). */
  private addOwnMetrics(samples: DeviceSample[], result: CycleResult, durationMs: number): void {
    const id = this.config.agentDevice;
    if (!id || !this.devices.has(id)) return;
    let sample = samples.find((s) => s.device === id);
    if (!sample) {
      // Not probed (no address) or not due: the agent itself runs there, so it is up.
      sample = { device: id, at: new Date().toISOString(), reachable: true, conditions: [] };
      samples.push(sample);
    }
    sample.metrics = {
      ...sample.metrics,
      outboxDepth: this.outbox.depth,
      outboxBytes: this.outbox.bytes,
      outboxDropped: this.outbox.dropped,
      cycleMs: durationMs,
      cycleOverruns: this.overruns,
      probesRun: result.probesRun,
      probesTimedOut: result.probesTimedOut,
      rebootsRunning: this.reboots.running,
    };
  }

  /** Every applicable probe of one device right now, merged (reboot verification). */
  async probeNow(device: AgentDevice): Promise<DeviceSample> {
    const probes = this.settings.probes.filter((p) => p.probe.appliesTo(device));
    const results = await Promise.all(probes.map((p) => runWithTimeout(p.probe, device, p.timeoutMs)));
    return mergeResults(device.id, results);
  }

  /** An event through the outbox (durable, ordered with telemetry, carrying the same sequence). */
  event(kind: AgentEvent['kind'], device: string | undefined, data: Record<string, unknown>): void {
    const cfg = this.config;
    const body: AgentEvent = { v: 1, site: cfg.site.id, agent: cfg.agentId, seq: this.seq.take(), at: new Date().toISOString(), kind, ...(device ? { device } : {}), data };
    this.publisher.enqueue(topics.event(cfg.site.id), JSON.stringify(body));
  }

  private reportDrops(): void {
    if (this.reporting) return; // drops caused by this very event are reported with the next one
    const summary = this.outbox.takeDropSummary();
    if (!summary) return;
    this.reporting = true;
    try {
      // Say what happened: a full outbox drops the oldest messages, a full disk keeps new ones from being written.
      const parts = [
        summary.messages > 0 ? `outbox full (${Math.round(this.outbox.maxBytes / 1048576)} MB): dropped ${summary.messages} oldest messages` : '',
        summary.unwritten > 0 ? `${summary.unwritten} messages could not be written (disk full or unwritable)` : '',
      ].filter(Boolean);
      this.log(`${parts.join('; ')} — ${summary.samples} samples lost; ${this.outbox.dropped} messages dropped in total`);
      this.event('outbox-dropped', this.config.agentDevice, { ...summary, droppedTotal: this.outbox.dropped, capBytes: this.outbox.maxBytes });
    } finally {
      this.reporting = false;
    }
  }

  /** Applies a new, already validated config; the outbox, sequence, schedule and reboot history carry over. */
  async reload(config: SiteConfig): Promise<void> {
    const old = this.config;
    if (config.stateDir !== old.stateDir) {
      this.log(`config reload: stateDir changed (${old.stateDir} → ${config.stateDir}); it takes effect at the next restart`);
      config = { ...config, stateDir: old.stateDir };
    }
    if (config.site.id !== old.site.id) {
      this.log('config reload: site.id changed; it takes effect at the next restart');
      config = { ...config, site: { ...config.site, id: old.site.id }, agentId: old.agentId };
    }
    this.config = config;
    this.settings = resolveSchedule(config.poll, this.registry);
    this.policy = resolveRebootPolicy(config.reboot);
    this.devices = new Map(config.devices.map((d) => [d.id, d]));
    this.outbox.maxBytes = outboxBytes(config);
    const ids = new Set(this.devices.keys());
    this.schedule.retain(ids);
    this.memory.retain(ids);
    this.images.reconfigure(config.devices, resolveImageSettings(config.image, grabEveryMs(this.settings)));
    if (JSON.stringify(config.mqtt) !== JSON.stringify(old.mqtt) || config.agentId !== old.agentId) {
      this.log('config reload: broker settings changed; reconnecting');
      await this.publisher.stop();
      this.publisher = this.makePublisher();
      this.publisher.start();
    } else {
      await this.publisher.republishInventory().catch(() => {});
    }
    this.event('config-reloaded', undefined, { devices: config.devices.length, intervalS: config.poll.intervalS });
    this.log(`config reloaded: ${config.devices.length} devices`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.gcTimer);
    await this.reboots.stop();
    await this.live.close();
    await this.running?.catch(() => {});
    this.images.save();
    await this.publisher.stop();
  }
}

/** How often the RTSP probe grabs a camera's frame, or undefined when it does not run. */
function grabEveryMs(settings: ScheduleSettings): number | undefined {
  const rtsp = settings.probes.find((p) => p.kind === 'rtsp');
  return rtsp ? rtsp.everyCycles * settings.intervalMs : undefined;
}

function outboxBytes(config: SiteConfig): number {
  return config.outbox?.maxMB !== undefined ? Math.round(config.outbox.maxMB * 1048576) : DEFAULT_OUTBOX_MAX_BYTES;
}
