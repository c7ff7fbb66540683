// socket.io across server instances: the PostgreSQL adapter (LISTEN/NOTIFY; payloads over the NOTIFY
// limit go through socket_io_attachments, created by migration 021). Only with CAMFLEET_DATABASE_URL.
// Heartbeats every second: a new instance is sent its peers' state deltas within about two seconds.
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';

export interface PgAdapter {
  adapter: ReturnType<typeof createAdapter>;
  /** Resolves once the adapter holds its LISTEN connection (or after 5 s): closing before that leaks it. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function postgresAdapter(url: string, log: (m: string) => void): PgAdapter {
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5000 });
  // The adapter's first checkout is its LISTEN connection; LISTEN itself takes a moment more.
  const acquired = new Promise<void>((resolve) => pool.once('acquire', () => setTimeout(resolve, 100)));
  let last = 0;
  pool.on('error', (err) => {
    if (Date.now() - last > 10_000) {
      last = Date.now();
      log(`socket.io adapter: PostgreSQL error: ${err.message}`);
    }
  });
  // The adapter keeps its LISTEN client checked out; pg-pool's 'error' covers idle clients only, so a
  // PostgreSQL restart (FATAL 57P01) on that client would be an unhandled 'error' event and end the process.
  // Routed to the pool's handler instead; the adapter reconnects by itself (docs/bench-resilience.md, bug 2).
  pool.on('connect', (client) => client.on('error', (err) => pool.emit('error', err, client)));
  return {
    adapter: createAdapter(pool, { tableName: 'socket_io_attachments', heartbeatInterval: 1000, heartbeatTimeout: 10_000, errorHandler: (err) => log(`socket.io adapter: ${err.message}`) }),
    ready: () => Promise.race([acquired, new Promise<void>((r) => setTimeout(r, 5000).unref())]),
    close: () => pool.end(),
  };
}
