// GET /healthz — CONTRACTS §4: 200 with each component's state once ready; 503 while one it needs is down.
import type { FastifyInstance } from 'fastify';
import type { Core } from '../core.ts';

type ComponentState = 'up' | 'degraded' | 'down';

export default async function health(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  app.get('/healthz', async (_req, reply) => {
    const ts = core.timeseries.health();
    const components: Record<string, { state: ComponentState; kind?: string; detail?: string; buffered?: number; spilled?: number }> = {
      database: { state: (await core.db.ping()) ? 'up' : 'down', kind: core.db.kind },
      timeseries: { state: ts.state, kind: core.timeseries.kind, buffered: ts.buffered, spilled: ts.spilled ?? 0, ...(ts.detail ? { detail: ts.detail } : {}) },
      broker: { state: core.ingest?.connected() ? 'up' : 'down', kind: core.broker ? 'embedded' : 'external' },
    };
    const states = Object.values(components).map((c) => c.state);
    const status = states.includes('down') ? 'down' : states.includes('degraded') ? 'degraded' : 'ok';
    return reply.status(status === 'down' ? 503 : 200).send({ status, components });
  });
  app.get('/metrics', async (_req, reply) => {
    return reply.type('text/plain; version=0.0.4').send(core.metrics.render());
  });
}
