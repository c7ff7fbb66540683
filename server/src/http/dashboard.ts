// Serves the dashboard build (Vite output) with a single-page-app fallback.
import { existsSync } from 'node:fs';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export default async function dashboard(app: FastifyInstance, opts: { dir: string }) {
  if (!existsSync(opts.dir)) {
    app.log.warn(`dashboard build not found in ${opts.dir}; run "npm run build:dashboard"`);
    app.get('/', async (_req, reply) => reply.type('text/plain').send('camfleet server is running; the dashboard has not been built (npm run build:dashboard).'));
    return;
  }
  await app.register(fastifyStatic, { root: opts.dir, wildcard: false, index: ['index.html'] });
  app.get('/*', async (req, reply) => {
    if (req.url.startsWith('/api/')) return reply.callNotFound();
    return reply.sendFile('index.html');
  });
}
