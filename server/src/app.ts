// build(opts) assembles the server without listening (fastify house style); main.ts listens.
import { readFileSync } from 'node:fs';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { redactingStream } from '@camfleet/shared';
import adminApi from './api/admin.ts';
import sessionApi from './api/session.ts';
import authPlugin from './auth/plugin.ts';
import { bootstrapAuth } from './auth/bootstrap.ts';
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
  /** Told the first admin's generated password, once (default: printed to stdout). */
  announceAdmin?: (username: string, password: string) => void;
}

function printFirstAdmin(username: string, password: string): void {
  console.log([
    '',
    'camfleet: created the first admin login — it is shown only this once, write it down:',
    `  user: ${username}`,
    `  password: ${password}`,
    'Log in to the dashboard and create personal logins for your staff (docs/security.md).',
    '',
  ].join('\n'));
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
    // Every log line passes redact() (issue 8 §3): nothing credential-shaped reaches a log file.
    logger: opts.logger ?? { level: config.logLevel, stream: redactingStream((line) => process.stdout.write(line)) },
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    ...(config.tlsCert && config.tlsKey ? { https: { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } } : {}),
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
  await app.register(helmet, {
    // The dashboard is one Vite bundle from this origin; Svelte's templates carry style attributes.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'], connectSrc: ["'self'"], objectSrc: ["'none'"], frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    // HSTS only makes sense when this server itself speaks HTTPS (a proxy in front sets its own).
    strictTransportSecurity: config.tlsCert ? { maxAge: 15_552_000 } : false,
  });
  await app.register(rateLimit, { global: true, max: config.rateLimitPerMin, timeWindow: '1 minute' });
  await app.register(authPlugin, {
    db: core.db,
    cookieSecure: config.cookieSecure,
    policy: { maxFailures: config.loginMaxFailures, lockoutS: config.loginLockoutS, sessionIdleS: config.sessionIdleS },
    log,
  });
  await app.register(openapi); // before the routes, so the spec sees them
  await app.register(health, { core });
  await app.register(sessionApi, { loginPerMinute: config.loginPerMin });
  await app.register(adminApi);
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
    await bootstrapAuth(app.auth.store, {
      ...(config.adminPassword ? { adminPassword: config.adminPassword } : {}),
      ...(config.adminToken ? { adminToken: config.adminToken } : {}),
      announce: opts.announceAdmin ?? printFirstAdmin,
    });
    // Several instances: socket.io's PostgreSQL adapter carries the peers' state deltas (docs/scaling.md).
    pgAdapter = config.databaseUrl ? postgresAdapter(config.databaseUrl, log) : undefined;
    app.decorate('realtime', new Realtime(app.server, core.fleet, pgAdapter?.adapter, (headers, token) => app.auth.principalFrom(token ? { authorization: `Bearer ${token}` } : headers)));
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
