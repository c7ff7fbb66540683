// Fault: the webhook receiver unreachable (connection refused) for 5 minutes with the production retry schedule
// (CAMFLEET_RESILIENCE_FULL=1: 10 s, 30 s, 1 min, 2 min, 5 min, … — delivered at the attempt 8 min 40 s after the
// first), or for 10 s on a 1, 2, 4, 8 … s schedule in CI, while cases open and resolve on several sites.
// In: every case event the server recorded to notify (case_events in PostgreSQL). Out: each of them reached the
// receiver in exactly one delivered message, every message (notifications row) was delivered once — one 2xx per
// idempotency key — none is a dead letter, and the messages made during the outage needed retries.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMosquitto, waitFor, type MosquittoHandle } from '../harness/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../sim/webhook-receiver.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';
import { startGate, type Gate } from './gate.ts';
import { FULL, faultMs, report, serverEnv, sharedDatabase, sleep, sql, type Sql } from './support.ts';
import { startPump, type Pump } from './traffic.ts';

const DB = 'camfleet_res_webhook';
const SECRET = 'res-webhook-secret';
const SITES = ['res-hook-1', 'res-hook-2', 'res-hook-3'];
const DOWN_MS = faultMs(10, 300);

interface Row extends Record<string, unknown> { idempotency_key: string; state: string; attempts: number; created_at: Date }

describe(`webhook receiver down ${DOWN_MS / 1000} s`, () => {
  let broker: MosquittoHandle;
  let receiver: WebhookReceiver;
  let door: Gate;
  let server: ServerProcess;
  let pump: Pump;
  let db: Sql;

  beforeAll(async () => {
    broker = await startMosquitto();
    receiver = await startWebhookReceiver({ secret: SECRET });
    door = await startGate({ port: Number(new URL(receiver.url).port) });
    const databaseUrl = await sharedDatabase(DB);
    db = sql(databaseUrl);
    server = await startServer({
      name: 'res-webhook',
      env: serverEnv({
        mqttUrl: broker.url, influxUrl: `${inject('influxUrl')}/${DB}`, databaseUrl, group: 'res-webhook',
        extra: {
          CAMFLEET_WEBHOOK_URL: door.url(receiver.url),
          CAMFLEET_WEBHOOK_SECRET: SECRET,
          CAMFLEET_NOTIFY_GROUP_WINDOW_S: '2',
          CAMFLEET_CASE_HOLD_POLLS: '2',
          CAMFLEET_CASE_RESOLVE_HOLD_S: '3',
          // Full length: the production schedule (unset). CI: the same code path in seconds.
          ...(FULL ? {} : { CAMFLEET_NOTIFY_RETRY_S: '1,2,4,8,16,32' }),
        },
      }),
    });
    pump = await startPump({ mqttUrl: broker.url, sites: SITES, devices: 8, intervalMs: 1000, clientId: 'res-webhook-pump' });
  });

  afterAll(async () => {
    await pump?.stop();
    await server?.stop();
    await door?.close();
    await receiver?.close();
    await db?.close();
    await broker?.dispose();
  });

  const webhookRows = () => db.rows<Row>(`SELECT idempotency_key, state, attempts, created_at FROM notifications WHERE notifier = 'webhook' ORDER BY id`);
  const eventKeys = async () => (await db.rows<{ k: string }>('SELECT idempotency_key AS k FROM case_events WHERE NOT suppressed ORDER BY id')).map((r) => r.k);

  it('delivers every notification once when the receiver is back', { timeout: DOWN_MS + (FULL ? 700_000 : 90_000) }, async () => {
    // Before: one case opens and its message gets through.
    pump.setDown('res-hook-1', ['cam1']);
    await waitFor(() => receiver.deliveries.length === 1, { timeoutMs: 30_000, what: 'the first delivery' });

    await door.cut();
    const cutAt = Date.now();
    // During: two more cases open, the first one resolves — three events, each in a message that cannot go out.
    pump.setDown('res-hook-2', ['cam1']);
    pump.setDown('res-hook-3', ['onu']);
    pump.setDown('res-hook-1', []);
    await waitFor(async () => {
      const rows = await webhookRows();
      return rows.length >= 4 && (await eventKeys()).length === 4 && rows.every((r) => r.state === 'sent' || r.attempts >= 1) && rows;
    }, { timeoutMs: 30_000, what: 'three outage messages with a failed attempt each' });
    await sleep(Math.max(0, cutAt + DOWN_MS - Date.now()));
    expect(receiver.deliveries).toHaveLength(1); // nothing got through the outage

    await door.restore();
    const restoredAt = Date.now();
    await waitFor(async () => (await webhookRows()).every((r) => r.state === 'sent'), { timeoutMs: FULL ? 600_000 : 60_000, intervalMs: 1000, what: 'every message delivered' });
    await sleep(5000); // long enough for a stray second delivery to show

    const rows = await webhookRows();
    const keys = await eventKeys();
    // Each message delivered exactly once: one 2xx per idempotency key, the keys the database holds.
    const delivered = receiver.deliveries.map((d) => d.idempotencyKey);
    expect([...delivered].sort()).toEqual(rows.map((r) => r.idempotency_key).sort());
    expect(new Set(delivered).size).toBe(delivered.length);
    // Each case event in exactly one delivered message.
    const carried = receiver.deliveries.flatMap((d) => (d.json.events as Array<{ idempotencyKey: string }>).map((e) => e.idempotencyKey));
    expect([...carried].sort()).toEqual([...keys].sort());
    expect(keys.map((k) => k.replace(/^case-\d+-/, '')).sort()).toEqual(['opened', 'opened', 'opened', 'resolved']);
    // Every request the receiver saw was signed; the outage's messages needed retries; none is a dead letter.
    expect(receiver.attempts.every((a) => a.validSignature && a.status === 200)).toBe(true);
    const outage = rows.filter((r) => new Date(r.created_at).getTime() >= cutAt);
    expect(outage.length).toBe(3);
    for (const r of outage) expect(r.attempts).toBeGreaterThan(1);
    expect(rows.filter((r) => r.state === 'dead')).toEqual([]);
    const lastDelivery = Math.max(...receiver.deliveries.map((d) => d.at));
    report('webhook receiver down', {
      downS: DOWN_MS / 1000, messages: rows.length, caseEvents: keys.length, deliveries: receiver.deliveries.length,
      maxAttempts: Math.max(...rows.map((r) => r.attempts)), deliveredWithinSAfterReturn: Math.round((lastDelivery - restoredAt) / 1000),
    });
  });
});
