// build(opts) assembles the server without listening (fastify house style); main.ts listens.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import commandsApi from './api/commands.ts';
import fleetApi from './api/fleet.ts';
import inventoryApi from './api/inventory.ts';
import triageApi from './api/triage.ts';
import casesApi from './api/cases.ts';
import outageApi from './api/outage.ts';
import eventsApi from './api/events.ts';
import thumbnailsApi from './api/thumbnails.ts';
import { attachCasesRealtime } from './cases/realtime.ts';
import { configFromEnv, type ServerConfig } from './config.ts';
import { createCore, type Core } from './core.ts';
import dashboard from './http/dashboard.ts';
import errorHandler from './http/error-handler.ts';
import health from './http/health.ts';
import liveView from './live/plugin.ts';
import openapi from './http/openapi.ts';
import { postgresAdapter } from './realtime/adapter.ts';
import { Realtime } from './realtime/socket.ts';
import { PeerSync } from './state/peer-sync.ts';

export interface BuildOptions {
  config?: Partial<ServerConfig>;
  logger?: boolean | { level: string };
}

declare module 'fastify' {
  interface FastifyInstance {
    core: Core;
    realtime: Realtime;
  }
}

export async function build(opts: BuildOptions = {}): Promise<FastifyInstance> {
  const config: ServerConfig = { ...configFromEnv(), ...opts.config };
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    // Stable error bodies for malformed JSON and the like come from the error handler.
    return503OnClosing: true,
    // One line per request is noise at fleet scale; rejections are logged by the error handler.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
  });
  const log = (msg: string) => app.log.warn(msg);
  const core = await createCore(config, log);
  let pgAdapter: ReturnType<typeof postgresAdapter> | undefined;
  app.decorate('core', core);
  await app.register(errorHandler);
  await app.register(openapi); // before the routes, so the spec sees them
  await app.register(health, { core });
  await app.register(fleetApi, { core });
  await app.register(inventoryApi, { core });
  await app.register(commandsApi, { core });
  await app.register(triageApi);
  await app.register(casesApi, { cases: core.cases, fleet: core.fleet });
  await app.register(outageApi, { cases: core.cases });
  await app.register(thumbnailsApi, { thumbnails: core.thumbnails, fleet: core.fleet });
  await app.register(eventsApi, { events: core.events, fleet: core.fleet });
  await app.register(liveView, { core });
  await app.register(dashboard, { dir: config.dashboardDir });
  app.addHook('onReady', async () => {
    await core.start();
    // Several instances: socket.io's PostgreSQL adapter carries the peers' state deltas (docs/scaling.md).
    pgAdapter = config.databaseUrl ? postgresAdapter(config.databaseUrl, log) : undefined;
    app.decorate('realtime', new Realtime(app.server, core.fleet, pgAdapter?.adapter));
    await pgAdapter?.ready();
    core.peers = new PeerSync(core.fleet, app.realtime.peerTransport(), core.instanceId);
    const observePush = core.metrics.histogram('camfleet_push_delay_seconds', 'Delay from sample time to the socket.io push of the device', [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30]);
    app.realtime.onPushed = (s) => observePush(s);
    core.metrics.gauge('camfleet_peer_instances', 'Other server instances this one sends state deltas to', () => app.realtime.peerTransport().peers());
    core.metrics.gauge('camfleet_socket_clients', 'Connected socket.io clients', () => app.realtime.clientCount());
    const stopCasesPush = attachCasesRealtime(app.realtime.io, core.cases);
    app.addHook('onClose', async () => stopCasesPush());
  });
  app.addHook('preClose', async () => {
    core.peers?.close();
    await app.realtime?.close();
    await pgAdapter?.close().catch(() => {});
  });
  app.addHook('onClose', async () => {
    await core.close();
  });
  return app;
}
