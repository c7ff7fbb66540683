// The server's MQTT subscriber. Telemetry and events go through a shared subscription ($share/<group>/…,
// MQTT 5 §4.8.2) so several server instances split them; presence and inventory are retained and must
// reach every instance, so those are plain subscriptions (retained messages are never sent to shared ones);
// so are command results, which only the instance that sent the command is waiting for.
// With an external broker the session is persistent (stable client id, clean start off, session expiry):
// while an instance restarts — even after SIGKILL — the broker queues its share of QoS 1 telemetry.
import os from 'node:os';
import mqtt, { type ISubscriptionMap, type MqttClient } from 'mqtt';
import { redactUrl, TOPIC_ROOT } from '@camfleet/shared';
import type { Dispatcher } from './dispatcher.ts';

export interface IngestOptions {
  url: string;
  username?: string;
  password?: string;
  shareGroup?: string;
  /** 5 for Mosquitto/EMQX; the embedded aedes broker speaks 3.1.1 only. */
  protocolVersion?: 4 | 5;
  clientId?: string;
  /** MQTT 5 session expiry; 0 or undefined = a clean session. */
  sessionExpiryS?: number;
  dispatcher: Dispatcher;
  log: (msg: string) => void;
}

export interface Ingest {
  client: MqttClient;
  connected(): boolean;
  publish(topic: string, payload: string, opts?: { retain?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startIngest(opts: IngestOptions): Promise<Ingest> {
  const clientId = opts.clientId ?? `camfleet-server-${os.hostname()}-${process.pid}`;
  const v5 = (opts.protocolVersion ?? 5) === 5;
  const persistent = v5 && (opts.sessionExpiryS ?? 0) > 0;
  const client = mqtt.connect(opts.url, {
    clientId,
    protocolVersion: opts.protocolVersion ?? 5,
    clean: !persistent,
    ...(persistent ? { properties: { sessionExpiryInterval: opts.sessionExpiryS! } } : {}),
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    ...(opts.username ? { username: opts.username } : {}),
    ...(opts.password ? { password: opts.password } : {}),
  });
  // Acknowledge (PUBACK) only after the dispatcher has taken the message (QoS 1, MQTT 5 §4.3.2).
  client.handleMessage = (packet, done) => {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    opts.dispatcher.dispatch(packet.topic, payload).then(() => done(), () => done());
  };
  const shared = (t: string) => (opts.shareGroup ? `$share/${opts.shareGroup}/${t}` : t);
  const subscriptions: Record<string, { qos: 1 }> = {
    [shared(`${TOPIC_ROOT}/+/telemetry`)]: { qos: 1 },
    [shared(`${TOPIC_ROOT}/+/event`)]: { qos: 1 },
    [`${TOPIC_ROOT}/+/agent/state`]: { qos: 1 },
    [`${TOPIC_ROOT}/+/inventory`]: { qos: 1 },
    [`${TOPIC_ROOT}/+/cmd/+/result`]: { qos: 1 },
  };
  let everConnected = false;
  client.on('connect', () => {
    if (everConnected) opts.log(`MQTT: reconnected to ${redactUrl(opts.url)}`);
    everConnected = true;
    // Always send the SUBSCRIBE, even when the broker says "session present": Mosquitto 2.0 keeps a persistent
    // session across its restart but not the session's shared ($share/…) subscriptions, and MQTT.js skips
    // topics it believes subscribed unless told `resubscribe` (docs/bench-resilience.md, bug 1).
    client.subscribe({ ...subscriptions, resubscribe: true } as ISubscriptionMap, (err) => err && opts.log(`MQTT: subscribe failed: ${err.message}`));
  });
  let lastErrorLog = 0;
  client.on('error', (err) => {
    if (Date.now() - lastErrorLog > 10_000) {
      lastErrorLog = Date.now();
      opts.log(`MQTT: ${err.message}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`cannot reach the MQTT broker at ${redactUrl(opts.url)} (no answer within 10 s)`));
    }, 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    client,
    connected: () => client.connected,
    publish: async (topic, payload, o = {}) => {
      await client.publishAsync(topic, payload, { qos: 1, retain: o.retain ?? false });
    },
    close: () => client.endAsync(),
  };
}
