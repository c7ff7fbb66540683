// MQTT side of the agent: presence (retained birth on connect, retained last will on loss — MQTT 5 §3.1.2.5),
// retained inventory, the outbox drained oldest first with QoS 1, and the command topic (cmd/+) answered
// on cmd/<name>/result. TLS for mqtts:// and wss:// with the site's CA file (and optional client cert).
// After a (re)connect the backlog waits replayDelay × (0.5..1) and then goes out at a bounded rate, so a
// fleet reconnecting after a broker restart neither stampedes the broker nor races the server's resubscribe.
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { redactUrl, topics, type AgentState, type CommandResult } from '@camfleet/shared';
import type { Outbox } from './outbox.ts';

export interface PublisherOptions {
  url: string;
  username?: string;
  password?: string;
  keepaliveS: number;
  /** PEM strings (contents of mqtt.caFile / certFile / keyFile). */
  ca?: string;
  cert?: string;
  key?: string;
  site: string;
  agentId: string;
  version: string;
  outbox: Outbox;
  inventory: () => string;
  log: (msg: string) => void;
  /** Replay pacing (defaults 20 messages/s, up to 5 s random wait after connecting). */
  replayRatePerS?: number;
  replayDelayMs?: number;
  /** A command arrived on cmd/<name>; the answer is published on cmd/<name>/result. */
  onCommand?: (name: string, payload: Buffer) => Promise<CommandResult | undefined>;
  /** Called after an enqueue that made the outbox drop old messages. */
  onDrops?: () => void;
}

const ACK_TIMEOUT_MS = 30_000;
/** MQTT 3.1.1 CONNACK return code 1 and MQTT 5 reason code 0x84: unsupported protocol version. */
const UNSUPPORTED_PROTOCOL = new Set([1, 0x84]);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class Publisher {
  private client: MqttClient | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;
  private holdUntil = 0;
  private lastSend = 0;
  protocolVersion: 4 | 5 = 5;

  constructor(private readonly opts: PublisherOptions) {}

  private state(state: AgentState['state'], reason?: string): string {
    const body: AgentState = { v: 1, site: this.opts.site, agent: this.opts.agentId, state, at: new Date().toISOString(), version: this.opts.version, ...(reason ? { reason } : {}) };
    return JSON.stringify(body);
  }

  /** MQTT 5 first; a broker that only speaks 3.1.1 (the embedded aedes) answers "unacceptable protocol
   *  version" (CONNACK return code 1, MQTT 3.1.1 §3.2.2.3) and gets 3.1.1 instead. */
  start(protocolVersion: 4 | 5 = 5): void {
    const { site } = this.opts;
    this.protocolVersion = protocolVersion;
    const options: IClientOptions = {
      clientId: `camfleet-agent-${site}`,
      protocolVersion,
      keepalive: this.opts.keepaliveS,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(this.opts.username ? { username: this.opts.username } : {}),
      ...(this.opts.password ? { password: this.opts.password } : {}),
      ...(this.opts.ca ? { ca: this.opts.ca } : {}),
      ...(this.opts.cert ? { cert: this.opts.cert } : {}),
      ...(this.opts.key ? { key: this.opts.key } : {}),
      rejectUnauthorized: true,
      will: { topic: topics.state(site), payload: Buffer.from(this.state('offline', 'connection-lost')), qos: 1, retain: true },
    };
    const client = mqtt.connect(this.opts.url, options);
    this.client = client;
    client.on('connect', () => {
      this.opts.log(`connected to ${redactUrl(this.opts.url)} (MQTT ${protocolVersion === 5 ? '5' : '3.1.1'})`);
      // Half the delay for sure (a server with a clean session resubscribes after a broker restart), the rest random.
      const delay = this.opts.replayDelayMs ?? 5000;
      this.holdUntil = Date.now() + delay / 2 + (Math.random() * delay) / 2;
      void (async () => {
        try {
          await client.publishAsync(topics.state(site), this.state('online'), { qos: 1, retain: true });
          await client.publishAsync(topics.inventory(site), this.opts.inventory(), { qos: 1, retain: true });
          if (this.opts.onCommand) await client.subscribeAsync(topics.cmd(site, '+'), { qos: 1 });
        } catch (err) {
          this.opts.log(`birth message failed: ${(err as Error).message}`);
        }
        void this.drain();
      })();
    });
    client.on('message', (topic, payload) => void this.command(client, topic, payload));
    let lastLog = 0;
    client.on('error', (err) => {
      if (protocolVersion === 5 && UNSUPPORTED_PROTOCOL.has(Number((err as { code?: unknown }).code))) {
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
      this.opts.outbox.countUnwritten();
      this.opts.log(`cannot write the outbox (${(err as NodeJS.ErrnoException).code ?? 'error'}); message dropped and counted`);
    }
    this.opts.onDrops?.();
    void this.drain();
  }

  /** Sends the outbox oldest first, one message in flight, each removed only after its PUBACK. */
  drain(): Promise<void> {
    this.draining ??= this.drainLoop().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const gapMs = 1000 / (this.opts.replayRatePerS ?? 20);
    try {
      while (!this.stopped && Date.now() < this.holdUntil) await sleep(Math.min(250, this.holdUntil - Date.now()));
      while (client.connected && this.opts.outbox.depth > 0) {
        for (const entry of this.opts.outbox.peek(16)) {
          if (!client.connected) return;
          const wait = this.lastSend + gapMs - Date.now();
          if (wait > 0) await sleep(wait);
          await withTimeout(untilClosed(client, client.publishAsync(entry.topic, entry.payload, { qos: 1 })), ACK_TIMEOUT_MS);
          this.lastSend = Date.now();
          this.opts.outbox.remove(entry.id); // only after PUBACK
        }
      }
    } catch (err) {
      this.opts.log(`send interrupted (${(err as Error).message}); ${this.opts.outbox.depth} messages stay queued`);
    }
  }

  /** Publishes at once, not through the outbox (command results: useless once the command has timed out). */
  async publishNow(topic: string, payload: string): Promise<boolean> {
    const client = this.client;
    if (!client?.connected) return false;
    try {
      await withTimeout(client.publishAsync(topic, payload, { qos: 1 }), 10_000);
      return true;
    } catch {
      return false;
    }
  }

  private async command(client: MqttClient, topic: string, payload: Buffer): Promise<void> {
    const parts = topic.split('/');
    const name = parts[4];
    if (parts.length !== 5 || parts[3] !== 'cmd' || !name || !this.opts.onCommand) return;
    let result: CommandResult | undefined;
    try {
      result = await this.opts.onCommand(name, payload);
    } catch (err) {
      this.opts.log(`command ${name} failed: ${(err as Error).message}`);
      return;
    }
    if (!result) return;
    if (!(await this.publishNow(topics.cmdResult(this.opts.site, name), JSON.stringify(result))) && client === this.client) {
      this.opts.log(`could not answer command ${name} (${result.id}): broker unreachable`);
    }
  }

  /** Republish presence and inventory (after a config reload). */
  async republishInventory(): Promise<void> {
    if (this.client?.connected) await this.client.publishAsync(topics.inventory(this.opts.site), this.opts.inventory(), { qos: 1, retain: true });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.holdUntil = 0;
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await withTimeout(this.drain(), 5000).catch(() => {});
      await withTimeout(client.publishAsync(topics.state(this.opts.site), this.state('offline', 'shutdown'), { qos: 1, retain: true }), 3000).catch(() => {});
    }
    await client.endAsync(true).catch(() => {});
  }
}

/**
 * A publish in flight when the connection drops fails at once: its outbox entry stays, and is sent again
 * (after the replay hold) once reconnected. MQTT.js may also resend its own copy on reconnect; the server
 * drops the duplicate by seq.
 */
function untilClosed<T>(client: MqttClient, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onClose = () => reject(new Error('connection closed before PUBACK'));
    client.once('close', onClose);
    p.then(
      (v) => (client.off('close', onClose), resolve(v)),
      (e: unknown) => (client.off('close', onClose), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no acknowledgement within ${ms / 1000} s`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))));
  });
}
