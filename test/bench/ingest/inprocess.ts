// A camfleet server built in this process (build() + listen on a free port), for tests that need to look
// inside it (metrics, core) without spawning a process.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { build } from '@camfleet/server';
import type { ServerConfig } from '@camfleet/server/config';
import { testAuthConfig } from '../../support/auth.ts';

export interface InProcessServer {
  app: FastifyInstance;
  url: string;
  dataDir: string;
  metric(name: string, labels?: Record<string, string>): number;
  close(): Promise<void>;
}

export async function startInProcess(config: Partial<ServerConfig>, name: string): Promise<InProcessServer> {
  const dataDir = config.dataDir ?? mkdtempSync(path.join(os.tmpdir(), `camfleet-${name}-`));
  const app = await build({ config: { mqttClientId: `${name}-${process.pid}`, ...testAuthConfig, ...config, dataDir }, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    dataDir,
    metric: (n, labels) => (labels ? app.core.metrics.value(n, labels) : app.core.metrics.total(n)),
    close: () => app.close(),
  };
}
