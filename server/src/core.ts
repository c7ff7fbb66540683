// The server's components, created once in build() and closed in reverse order on shutdown.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerConfig } from './config.ts';
import { readSiteCredentials } from './broker/site-auth.ts';
import { BatchClaims } from './ingest/claims.ts';
import { IngestJournal } from './ingest/journal.ts';
import type { PeerSync } from './state/peer-sync.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.ts';
import { openDatabase, type Database } from './db/index.ts';
import { openPostgres } from './db/postgres.ts';
import { CommandBroker } from './ingest/commands.ts';
import { Dispatcher } from './ingest/dispatcher.ts';
import { createHandlers } from './ingest/handlers.ts';
import { startIngest, type Ingest } from './ingest/mqtt-ingest.ts';
import { Metrics } from './metrics/registry.ts';
import { FleetState } from './state/fleet-state.ts';
import { StatePersistence } from './state/persist.ts';
import { ThumbnailStore } from './thumbnails/store.ts';
import { EventStore } from './events/store.ts';
import { createTimeSeriesStore, type TimeSeriesStore } from './timeseries/index.ts';
import { CaseService } from './cases/service.ts';

export interface Core {
  config: ServerConfig;
  metrics: Metrics;
  db: Database;
  timeseries: TimeSeriesStore;
  fleet: FleetState;
  persistence: StatePersistence;
  dispatcher: Dispatcher;
  commands: CommandBroker;
  /** Cases, maintenance windows and the notification outbox (docs/cases.md). */
  cases: CaseService;
  /** Latest camera thumbnails, memory only (thumbnails/store.ts). */
  thumbnails: ThumbnailStore;
  /** Agent events for device and site history (events/store.ts). */
  events: EventStore;
  /** (site, seq) claims in the database: duplicate drop across restarts and instances. */
  claims: BatchClaims;
  /** State deltas to and from the other server instances (set by app.ts once socket.io is up). */
  peers?: PeerSync;
  /** This process among the server instances (MQTT client id, peer messages). */
  instanceId: string;
  broker?: EmbeddedBroker;
  ingest?: Ingest;
  /** Connects to (or starts) the broker; separate from creation so build() never binds a port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A failure a person can act on, shown as one line (never a stack). */
export class StartupError extends Error {}

async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StartupError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ECONNREFUSED' ? 'connection refused' : e.message?.split('\n')[0] || String(err);
    throw new StartupError(`${what}: ${why}`);
  }
}

export async function createCore(config: ServerConfig, log: (msg: string) => void): Promise<Core> {
  const metrics = new Metrics();
  const db = await step(config.databaseUrl ? 'cannot open PostgreSQL (CAMFLEET_DATABASE_URL)' : `cannot open the embedded database in ${config.dataDir}`, () => openDatabase(config));
  const countStored = metrics.counter('camfleet_timeseries_written_samples_total', 'Samples written to the time-series store');
  const countBatches = metrics.counter('camfleet_timeseries_write_batches_total', 'Write batches the time-series store accepted');
  const observeLag = metrics.histogram('camfleet_ingest_lag_seconds', 'Delay from sample time to storage in the time-series store', [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600]);
  const timeseries = createTimeSeriesStore(config, log, (points, lagS) => {
    countStored({}, points);
    countBatches();
    observeLag(lagS, points);
  });
  await step(config.influxUrl ? 'cannot reach InfluxDB (CAMFLEET_INFLUX_URL)' : 'cannot start the time-series store', () => timeseries.init());
  const fleet = new FleetState(config.staleAfterS * 1000);
  const thumbnails = new ThumbnailStore();
  const events = new EventStore(db);
  const cases = new CaseService({ db, fleet, timeseries, log });
  // The ingest path (claims, state persistence) gets connections of its own, so a burst of other queries
  // (case evaluation, API) can never starve telemetry of its claims.
  const ingestDb = config.databaseUrl ? await step('cannot open PostgreSQL (CAMFLEET_DATABASE_URL)', () => openPostgres(config.databaseUrl!, 3)) : db;
  const persistence = new StatePersistence(ingestDb, fleet, log);
  await persistence.restore();
  persistence.start();
  const claims = new BatchClaims(ingestDb, { log });
  claims.start();
  const instanceId = config.mqttClientId ?? `camfleet-server-${os.hostname()}-${config.port}`;
  // Taken telemetry is journaled until it is stored (in InfluxDB, or on disk by the embedded store): a SIGKILL
  // loses nothing (docs/timeseries.md).
  const journal = new IngestJournal(path.join(config.dataDir, 'ingest-journal'), log);
  metrics.gauge('camfleet_ingest_journal_segments', 'Journal segments holding telemetry not yet stored', () => journal.openSegments);
  let ingest: Ingest | undefined;
  const commands = new CommandBroker(async (topic, payload) => {
    if (!ingest) throw new Error('not connected to the broker');
    await ingest.publish(topic, payload);
  });
  const dispatcher = new Dispatcher({
    handlers: createHandlers({ fleet, timeseries, persistence, commands, log, peers: () => core.peers, thumbnails, events }),
    metrics,
    isKnownSite: (site) => fleet.hasSite(site),
    claims,
    journal,
    log,
  });
  const tick = setInterval(() => fleet.tick(), 5000);
  tick.unref();
  for (const [site, floor] of await step('cannot read the duplicate-drop table', () => claims.floors())) dispatcher.dedupe.seed(site, floor);
  metrics.gauge('camfleet_timeseries_buffered_samples', 'Samples waiting to be written to the time-series store', () => timeseries.health().buffered);
  metrics.gauge('camfleet_timeseries_spilled_samples', 'Of those, samples spilled to disk', () => timeseries.health().spilled ?? 0);
  metrics.gauge('camfleet_ingest_pending_messages', 'Telemetry batches taken but not yet applied (waiting for their claim)', () => dispatcher.pending);
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  let loopP99 = 0;
  const loopWindow = setInterval(() => {
    loopP99 = loopDelay.percentile(99) / 1e9;
    loopDelay.reset();
  }, 10_000);
  loopWindow.unref();
  metrics.gauge('camfleet_event_loop_delay_p99_seconds', 'Event-loop delay, 99th percentile over the last 10 s window', () => loopP99);
  metrics.gauge('camfleet_ingest_claims_unverified', 'Batches applied without a database claim while the database was away', () => claims.unverified);

  const core: Core = {
    config, metrics, db, timeseries, fleet, persistence, dispatcher, commands, claims, instanceId, cases, thumbnails, events,
    async start() {
      await cases.start();
      // Embedded broker with a site credential file: sites log in as themselves; the server with its own login.
      const serverLogin = { username: config.mqttUsername ?? 'camfleet-server', password: config.mqttPassword ?? randomBytes(18).toString('base64url') };
      if (!config.mqttUrl) {
        const sites = config.mqttSiteCredentials
          ? await step('cannot read CAMFLEET_MQTT_SITE_CREDENTIALS', async () => readSiteCredentials(config.mqttSiteCredentials!))
          : undefined;
        const auth = sites ? { sites, server: serverLogin, onReject: (reason: 'site-mismatch' | 'bad-topic', topic: string, detail: string) => dispatcher.rejectedByBroker(reason, topic, detail) } : undefined;
        core.broker = await step(`cannot start the embedded MQTT broker on port ${config.mqttPort} (set CAMFLEET_MQTT_PORT to move it)`, () => startEmbeddedBroker(config.mqttPort, '0.0.0.0', auth, log));
        if (sites) Object.assign(config, { mqttUsername: serverLogin.username, mqttPassword: serverLogin.password });
      }
      // What a killed server had taken but not stored: applied and stored before new telemetry comes in.
      const left = journal.leftovers();
      await Promise.all(left.records.map((r) => dispatcher.dispatch(r.topic, r.payload, undefined, true))); // claims batch up
      left.replayed();
      const url = config.mqttUrl ?? core.broker!.url;
      ingest = await step('cannot reach the MQTT broker (CAMFLEET_MQTT_URL)', () => startIngest({
        url,
        ...(config.mqttUsername ? { username: config.mqttUsername } : {}),
        ...(config.mqttPassword ? { password: config.mqttPassword } : {}),
        // aedes has no shared subscriptions; with one embedded broker there is one server anyway.
        ...(config.mqttUrl ? { shareGroup: config.mqttShareGroup, sessionExpiryS: config.mqttSessionExpiryS } : { protocolVersion: 4 as const }),
        clientId: instanceId,
        dispatcher,
        log,
      }));
      core.ingest = ingest;
    },
    async close() {
      clearInterval(tick);
      clearInterval(loopWindow);
      loopDelay.disable();
      commands.close();
      await ingest?.close().catch(() => {});
      await dispatcher.drain();
      await claims.close().catch(() => {});
      await core.broker?.close().catch(() => {});
      await timeseries.close().catch((e: unknown) => log(`time-series flush at shutdown failed: ${String(e)}`));
      journal.close();
      await cases.close().catch(() => {});
      await persistence.close().catch(() => {});
      if (ingestDb !== db) await ingestDb.close().catch(() => {});
      await db.close().catch(() => {});
    },
  };
  return core;
}
