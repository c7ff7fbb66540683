// build(opts) assembles the server without listening (fastify house style); main.ts listens.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import fleetApi from './api/fleet.ts';
import triageApi from './api/triage.ts';
import { configFromEnv, type ServerConfig } from './config.ts';
import { createCore, type Core } from './core.ts';
import dashboard from './http/dashboard.ts';
import errorHandler from './http/error-handler.ts';
import health from './http/health.ts';
import { Realtime } from './realtime/socket.ts';

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
  app.decorate('core', core);
  await app.register(errorHandler);
  await app.register(health, { core });
  await app.register(fleetApi, { core });
  await app.register(triageApi);
  await app.register(dashboard, { dir: config.dashboardDir });
  app.addHook('onReady', async () => {
    await core.start();
    app.decorate('realtime', new Realtime(app.server, core.fleet));
    core.metrics.gauge('camfleet_socket_clients', 'Connected socket.io clients', () => app.realtime.clientCount());
  });
  app.addHook('preClose', async () => {
    await app.realtime?.close();
  });
  app.addHook('onClose', async () => {
    await core.close();
  });
  return app;
}
