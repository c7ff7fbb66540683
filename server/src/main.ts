// `npm start`: the server on its embedded defaults (CONTRACTS §4). Problems at start-up are one line each.
import net from 'node:net';
import { configFromEnv, ConfigError } from './config.ts';
import { StartupError } from './core.ts';
import { build } from './app.ts';

const portTaken = (port: number) => new StartupError(`port ${port} is already in use (set PORT to move the HTTP server)`);

/** Fails before anything starts: a first start must not create (and print) the admin login and then stop. */
function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? portTaken(port) : e));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  const config = configFromEnv();
  await assertPortFree(config.host, config.port);
  const app = await build({ config });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app.close().catch(() => {});
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw portTaken(config.port);
    throw err;
  }
  const mqtt = app.core.broker ? `embedded MQTT broker on port ${app.core.broker.port}` : `MQTT broker ${config.mqttUrl}`;
  console.log(`camfleet server listening on ${config.tlsCert ? "https" : "http"}://127.0.0.1:${config.port} — ${mqtt}, time series: ${app.core.timeseries.kind}, database: ${app.core.db.kind}`);
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: shutting down`);
    app.close().then(() => process.exit(0), (err: unknown) => {
      console.error(`camfleet: shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  if (err instanceof StartupError || err instanceof ConfigError) {
    console.error(`camfleet: ${err.message}`);
  } else {
    console.error(`camfleet: could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  process.exit(1);
});
