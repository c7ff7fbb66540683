// Fault: PostgreSQL stopped (pg_ctl -m fast) for 60 s (CAMFLEET_RESILIENCE_FULL=1; 8 s in CI) and started again,
// while simulated agents report faults that open and resolve cases. The database is this test's own cluster
// (test/harness/postgres.ts), never the run's shared one nor the machine's. In: the faults the agents reported —
// one case each, and one notification per case event. Out: PostgreSQL holds exactly those cases (one per fault,
// none twice), their events, device states that match the last telemetry; the webhook receiver got each event once;
// InfluxDB holds every sample once (claims could not be checked during the outage, history stays exact).
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startMosquitto, startPostgres, waitFor, type MosquittoHandle, type PostgresHandle } from '../harness/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../sim/webhook-receiver.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';
import { faultMs, health, influxDb, metric, report, serverEnv, sleep, sql, type Sql } from './support.ts';
import { expectStoredOnce, samplesByDevice, startPump, type Pump } from './traffic.ts';

const DB = 'camfleet_res_pg';
const SECRET = 'res-pg-secret';
const SITES = ['res-pg-1', 'res-pg-2', 'res-pg-3'];
const DOWN_MS = faultMs(8, 60);

interface CaseRow extends Record<string, unknown> { site_id: string; root_cause: string; state: string }

describe(`PostgreSQL restarted after ${DOWN_MS / 1000} s down`, () => {
  let postgres: PostgresHandle;
  let broker: MosquittoHandle;
  let receiver: WebhookReceiver;
  let server: ServerProcess;
  let pump: Pump | undefined;
  let db: Sql;

  beforeAll(async () => {
    [postgres, broker] = await Promise.all([startPostgres(), startMosquitto()]);
    receiver = await startWebhookReceiver({ secret: SECRET });
    const databaseUrl = await postgres.createDatabase(DB);
    db = sql(databaseUrl);
    server = await startServer({
      name: 'res-pg',
      env: serverEnv({
        mqttUrl: broker.url, influxUrl: `${inject('influxUrl')}/${DB}`, databaseUrl, group: 'res-pg',
        extra: {
          CAMFLEET_WEBHOOK_URL: receiver.url, CAMFLEET_WEBHOOK_SECRET: SECRET, CAMFLEET_NOTIFY_GROUP_WINDOW_S: '1',
          CAMFLEET_NOTIFY_RETRY_S: '1,2,4,8,16,32', CAMFLEET_CASE_HOLD_POLLS: '2', CAMFLEET_CASE_RESOLVE_HOLD_S: '3',
        },
      }),
    });
  }, 180_000);

  afterAll(async () => {
    await pump?.stop();
    await server?.stop();
    await receiver?.close();
    await db?.close();
    await Promise.all([postgres?.dispose(), broker?.dispose()]);
  });

  const cases = () => db.rows<CaseRow>('SELECT site_id, root_cause, state FROM cases ORDER BY id');
  const deviceState = async (site: string, device: string) =>
    (await db.rows<{ state: string }>('SELECT state FROM devices WHERE site_id = $1 AND id = $2', [site, device]))[0]?.state;

  // Found by this test (bug 2, docs/bench-resilience.md): the socket.io PostgreSQL adapter's checked-out LISTEN
  // client had no 'error' listener, so a restart's FATAL 57P01 ended the server; now routed to the pool's handler
  // (server/src/realtime/adapter.ts).
  it('resumes case and state writes; no case lost or opened twice', { timeout: DOWN_MS + 150_000 }, async () => {
    const started = Date.now();
    pump = await startPump({ mqttUrl: broker.url, sites: SITES, devices: 8, intervalMs: 1000, clientId: 'res-pg-pump' });
    // Before: a camera of site 1 fails; its case is written.
    pump.setDown('res-pg-1', ['cam1']);
    await waitFor(async () => (await cases()).length === 1 && (await deviceState('res-pg-1', 'cam1')) === 'DOWN', { timeoutMs: 30_000, what: 'the first case and state' });

    await postgres.stop();
    await waitFor(async () => (await health(server)).components.database?.state === 'down', { timeoutMs: 10_000, what: '/healthz to see the database gone' });
    // During: a camera of site 2 and the ONU of site 3 fail, and site 1's camera recovers.
    pump.setDown('res-pg-2', ['cam1']);
    pump.setDown('res-pg-3', ['onu']);
    pump.setDown('res-pg-1', []);
    await sleep(DOWN_MS);
    await postgres.start();

    // After, without touching the server: the cases and states the outage held back are written.
    const expected = [
      { site_id: 'res-pg-1', root_cause: 'cam1', state: 'resolved' },
      { site_id: 'res-pg-2', root_cause: 'cam1', state: 'open' },
      { site_id: 'res-pg-3', root_cause: 'onu', state: 'open' },
    ];
    const byKey = (rows: CaseRow[]) => rows.map(({ site_id, root_cause, state }) => ({ site_id, root_cause, state })).sort((a, b) => a.site_id.localeCompare(b.site_id));
    await waitFor(async () => JSON.stringify(byKey(await cases())) === JSON.stringify(expected), { timeoutMs: 60_000, intervalMs: 500, what: 'the cases of the outage' });
    await waitFor(async () => (await deviceState('res-pg-2', 'cam1')) === 'DOWN' && (await deviceState('res-pg-3', 'onu')) === 'DOWN' && (await deviceState('res-pg-1', 'cam1')) === 'UP',
      { timeoutMs: 30_000, what: 'device states written' });
    expect((await health(server)).status).toBe('ok');
    await waitFor(() => receiver.deliveries.length >= 4, { timeoutMs: 30_000, what: 'a notification per case event' });
    await sleep(4000); // more polls: nothing may open twice, nothing more may be sent
    await pump.stop();

    expect(byKey(await cases())).toEqual(expected);
    const events = (await db.rows<{ k: string }>('SELECT idempotency_key AS k FROM case_events WHERE NOT suppressed')).map((r) => r.k);
    expect(events.map((k) => k.replace(/^case-\d+-/, '')).sort()).toEqual(['opened', 'opened', 'opened', 'resolved']);
    const carried = receiver.deliveries.flatMap((d) => (d.json.events as Array<{ idempotencyKey: string }>).map((e) => e.idempotencyKey));
    expect(carried.sort()).toEqual(events.sort());

    let stored = 0;
    for (const site of SITES) stored += await expectStoredOnce(influxDb(inject('influxUrl'), DB), site, samplesByDevice(pump.batches(site)), started - 60_000);
    expect(stored).toBe(pump.published());
    report('PostgreSQL restart', {
      downS: DOWN_MS / 1000, cases: expected.length, caseEvents: events.length, deliveries: receiver.deliveries.length, samplesStored: stored,
      claimsUnverified: await metric(server, 'camfleet_ingest_claims_unverified'),
    });
  });
});
