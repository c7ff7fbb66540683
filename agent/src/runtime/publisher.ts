// MQTT side of the agent: presence (retained birth on connect, retained last will on loss — MQTT 5 §3.1.2.5),
// retained inventory, and the outbox drained oldest first with QoS 1.
import mqtt, { type MqttClient } from 'mqtt';
import { redactUrl, topics, type AgentState } from '@camfleet/shared';
import type { Outbox } from './outbox.ts';

export interface PublisherOptions {
  url: string;
  username?: string;
  password?: string;
  keepaliveS: number;
  site: string;
  agentId: string;
  version: string;
  outbox: Outbox;
  inventory: () => string;
  log: (msg: string) => void;
}

const ACK_TIMEOUT_MS = 30_000;

export class Publisher {
  private client: MqttClient | undefined;
  private draining = false;
  private stopped = false;

  constructor(private readonly opts: PublisherOptions) {}

  private state(state: AgentState['state'], reason?: string): string {
    const body: AgentState = { v: 1, site: this.opts.site, agent: this.opts.agentId, state, at: new Date().toISOString(), version: this.opts.version, ...(reason ? { reason } : {}) };
    return JSON.stringify(body);
  }

  /** MQTT 5 first; a broker that only speaks 3.1.1 (the embedded aedes) answers "unacceptable protocol
   *  version" (CONNACK return code 1, MQTT 3.1.1 §3.2.2.3) and gets 3.1.1 instead. */
  start(protocolVersion: 4 | 5 = 5): void {
    const { site } = this.opts;
    const client = mqtt.connect(this.opts.url, {
      clientId: `camfleet-agent-${site}`,
      protocolVersion,
      keepalive: this.opts.keepaliveS,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
      will: { topic: topics.state(site), payload: Buffer.from(this.state('offline', 'connection-lost')), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => {
      this.opts.log(`connected to ${redactUrl(this.opts.url)}`);
      void (async () => {
        try {
          await client.publishAsync(topics.state(site), this.state('online'), { qos: 1, retain: true });
          await client.publishAsync(topics.inventory(site), this.opts.inventory(), { qos: 1, retain: true });
        } catch (err) {
          this.opts.log(`birth message failed: ${(err as Error).message}`);
        }
        void this.drain();
      })();
    });
    let lastLog = 0;
    client.on('error', (err) => {
      if (protocolVersion === 5 && (err as { code?: number }).code === 1) {
        this.opts.log('the broker does not speak MQTT 5; using MQTT 3.1.1');
        client.end(true);
        this.start(4);
        return;
      }
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        this.opts.log(`MQTT: ${err.message} (telemetry kept in the outbox: ${this.opts.outbox.depth} messages)`);
      }
    });
    client.on('offline', () => this.opts.log(`uplink lost; queueing to disk (${this.opts.outbox.depth} messages waiting)`));
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Durable first, then sent when the broker is reachable. */
  enqueue(topic: string, payload: string): void {
    try {
      this.opts.outbox.add(topic, payload);
    } catch (err) {
      // Disk full or state dir gone: count the loss (it travels in telemetry) and keep polling.
      this.opts.outbox.dropped++;
      this.opts.log(`cannot write the outbox (${(err as NodeJS.ErrnoException).code ?? 'error'}); message dropped and counted`);
    }
    void this.drain();
  }

  async drain(): Promise<void> {
    const client = this.client;
    if (this.draining || !client) return;
    this.draining = true;
    try {
      while (client.connected && this.opts.outbox.depth > 0) {
        for (const entry of this.opts.outbox.peek(16)) {
          if (!client.connected) return;
          await withTimeout(client.publishAsync(entry.topic, entry.payload, { qos: 1 }), ACK_TIMEOUT_MS);
          this.opts.outbox.remove(entry.id); // only after PUBACK
        }
      }
    } catch (err) {
      this.opts.log(`send interrupted (${(err as Error).message}); ${this.opts.outbox.depth} messages stay queued`);
    } finally {
      this.draining = false;
    }
  }

  /** Republish presence and inventory (after a config reload). */
  async republishInventory(): Promise<void> {
    if (this.client?.connected) await this.client.publishAsync(topics.inventory(this.opts.site), this.opts.inventory(), { qos: 1, retain: true });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await withTimeout(this.drain(), 5000).catch(() => {});
      await withTimeout(client.publishAsync(topics.state(this.opts.site), this.state('offline', 'shutdown'), { qos: 1, retain: true }), 3000).catch(() => {});
    }
    await client.endAsync(true).catch(() => {});
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no acknowledgement within ${ms / 1000} s`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))));
  });
}
