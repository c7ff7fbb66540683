// OpenAPI: every route's TypeBox schema becomes the spec at /docs/json, browsable at /docs.
// Registered before the routes so @fastify/swagger sees each of them.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(async function openapi(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'camfleet API',
        version: '1',
        description: 'Camera-fleet health: sites, devices, current state, history, inventory, commands. Errors are '
          + '{"error":{"code","message","field"?}} with the codes of server/src/http/errors.ts.',
      },
      tags: [
        { name: 'fleet', description: 'Sites, devices, current state and history' },
        { name: 'inventory', description: 'Site inventory' },
        { name: 'commands', description: 'Commands to site agents' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}, { name: 'openapi' });
