// The running agent: poll cycle → telemetry batch (with a persisted sequence number) → durable outbox →
// MQTT. Reloads its config on SIGHUP without losing what is queued.
import { topics, type Inventory, type TelemetryBatch } from '@camfleet/shared';
import type { SiteConfig } from '../config/types.ts';
import { runCycle } from './cycle.ts';
import { Outbox } from './outbox.ts';
import { Publisher } from './publisher.ts';
import { SequenceCounter } from './seq.ts';
import { toInventory } from '../config/index.ts';

export const AGENT_VERSION = '0.1.0';
const MAX_SAMPLES_PER_BATCH = 500;

export interface AgentOptions {
  log?: (msg: string) => void;
}

export class Agent {
  private config: SiteConfig;
  private readonly seq: SequenceCounter;
  private readonly outbox: Outbox;
  private readonly publisher: Publisher;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  readonly log: (msg: string) => void;
  cycles = 0;

  constructor(config: SiteConfig, opts: AgentOptions = {}) {
    this.config = config;
    this.log = opts.log ?? ((m) => console.log(`camfleet-agent: ${m}`));
    this.seq = new SequenceCounter(config.stateDir);
    this.outbox = new Outbox(config.stateDir);
    this.publisher = new Publisher({
      url: config.mqtt.url,
      ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
      ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
      keepaliveS: config.mqtt.keepaliveS,
      site: config.site.id,
      agentId: config.agentId,
      version: AGENT_VERSION,
      outbox: this.outbox,
      inventory: () => this.inventoryPayload(),
      log: this.log,
    });
  }

  private inventoryPayload(): string {
    const body: Inventory = { v: 1, agent: this.config.agentId, at: new Date().toISOString(), site: toInventory(this.config) };
    return JSON.stringify(body);
  }

  get outboxDepth(): number {
    return this.outbox.depth;
  }

  start(): void {
    this.publisher.start();
    const loop = () => {
      if (this.stopped) return;
      this.running = this.cycle().finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(loop, this.config.poll.intervalS * 1000);
      });
    };
    loop();
  }

  async cycle(): Promise<void> {
    const cfg = this.config;
    const samples = await runCycle({ devices: cfg.devices, timeoutMs: cfg.poll.timeoutS * 1000, concurrency: 64 });
    this.cycles++;
    for (let i = 0; i < samples.length || i === 0; i += MAX_SAMPLES_PER_BATCH) {
      const batch: TelemetryBatch = {
        v: 1,
        site: cfg.site.id,
        agent: cfg.agentId,
        seq: this.seq.take(),
        at: new Date().toISOString(),
        samples: samples.slice(i, i + MAX_SAMPLES_PER_BATCH),
      };
      this.publisher.enqueue(topics.telemetry(cfg.site.id), JSON.stringify(batch));
    }
  }

  /** Applies a new, already validated config; the outbox and sequence carry over. */
  async reload(config: SiteConfig): Promise<void> {
    this.config = config;
    await this.publisher.republishInventory();
    this.log(`config reloaded: ${config.devices.length} devices`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => {});
    await this.publisher.stop();
  }
}
