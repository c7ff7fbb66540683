// The server's components, created once in build() and closed in reverse order on shutdown.
import type { ServerConfig } from './config.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker/embedded.ts';
import { openDatabase, type Database } from './db/index.ts';
import { CommandBroker } from './ingest/commands.ts';
import { Dispatcher } from './ingest/dispatcher.ts';
import { createHandlers } from './ingest/handlers.ts';
import { startIngest, type Ingest } from './ingest/mqtt-ingest.ts';
import { Metrics } from './metrics/registry.ts';
import { FleetState } from './state/fleet-state.ts';
import { StatePersistence } from './state/persist.ts';
import { createTimeSeriesStore, type TimeSeriesStore } from './timeseries/index.ts';

export interface Core {
  config: ServerConfig;
  metrics: Metrics;
  db: Database;
  timeseries: TimeSeriesStore;
  fleet: FleetState;
  persistence: StatePersistence;
  dispatcher: Dispatcher;
  commands: CommandBroker;
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
  const timeseries = createTimeSeriesStore(config, log);
  await step(config.influxUrl ? 'cannot reach InfluxDB (CAMFLEET_INFLUX_URL)' : 'cannot start the time-series store', () => timeseries.init());
  const fleet = new FleetState(config.staleAfterS * 1000);
  const persistence = new StatePersistence(db, fleet, log);
  await persistence.restore();
  persistence.start();
  let ingest: Ingest | undefined;
  const commands = new CommandBroker(async (topic, payload) => {
    if (!ingest) throw new Error('not connected to the broker');
    await ingest.publish(topic, payload);
  });
  const dispatcher = new Dispatcher({
    handlers: createHandlers({ fleet, timeseries, persistence, commands, log }),
    metrics,
    isKnownSite: (site) => fleet.hasSite(site),
    log,
  });
  const tick = setInterval(() => fleet.tick(), 5000);
  tick.unref();
  metrics.gauge('camfleet_timeseries_buffered_samples', 'Samples waiting to be written to the time-series store', () => timeseries.health().buffered);

  const core: Core = {
    config, metrics, db, timeseries, fleet, persistence, dispatcher, commands,
    async start() {
      if (!config.mqttUrl) {
        core.broker = await step(`cannot start the embedded MQTT broker on port ${config.mqttPort} (set CAMFLEET_MQTT_PORT to move it)`, () => startEmbeddedBroker(config.mqttPort));
      }
      const url = config.mqttUrl ?? core.broker!.url;
      ingest = await step('cannot reach the MQTT broker (CAMFLEET_MQTT_URL)', () => startIngest({
        url,
        ...(config.mqttUsername ? { username: config.mqttUsername } : {}),
        ...(config.mqttPassword ? { password: config.mqttPassword } : {}),
        // aedes has no shared subscriptions; with one embedded broker there is one server anyway.
        ...(config.mqttUrl ? { shareGroup: config.mqttShareGroup } : { protocolVersion: 4 as const }),
        dispatcher,
        log,
      }));
      core.ingest = ingest;
    },
    async close() {
      clearInterval(tick);
      commands.close();
      await ingest?.close().catch(() => {});
      await core.broker?.close().catch(() => {});
      await timeseries.close().catch((e: unknown) => log(`time-series flush at shutdown failed: ${String(e)}`));
      await persistence.close().catch(() => {});
      await db.close().catch(() => {});
    },
  };
  return core;
}
