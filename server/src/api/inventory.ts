// POST /api/v1/inventory/import — an operator imports a site config (the agent's YAML). It is checked
// with the agent's own checker (the same problems `camfleet-agent check` prints, with file, line and field)
// and stored as the inventory the agent would publish: toInventory() keeps no credential and no protocol
// block. The body is the YAML text (Content-Type application/yaml, text/yaml or text/plain), or JSON
// {"yaml": "...", "fileName": "site.yaml"}.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { checkSiteConfig, toInventory, formatProblem } from '@camfleet/agent/config/index';
import type { Core } from '../core.ts';
import { ApiError } from '../http/errors.ts';

const JsonBody = Type.Object({
  yaml: Type.String({ minLength: 1, maxLength: 1024 * 1024, description: 'The site config YAML, as `camfleet-agent check` reads it' }),
  fileName: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,100}$', description: 'Named in problems (default site.yaml)' })),
});

const Problem = Type.Object({ file: Type.String(), line: Type.Integer(), path: Type.String(), message: Type.String(), text: Type.String() });

export default async function inventoryApi(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  for (const type of ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, { yaml: body }));
  }
  app.post('/api/v1/inventory/import', {
    config: { access: 'admin', auditAction: 'inventory.import' },
    schema: {
      tags: ['inventory'],
      summary: 'Import a site config (YAML) as the site\'s inventory',
      body: JsonBody,
      response: {
        200: Type.Object({ site: Type.String(), devices: Type.Integer(), created: Type.Boolean() }),
        400: Type.Object({ error: Type.Object({ code: Type.String(), message: Type.String(), field: Type.Optional(Type.String()), problems: Type.Optional(Type.Array(Problem)) }) }),
      },
    },
  }, async (req) => {
    const { yaml, fileName = 'site.yaml' } = req.body as { yaml: string; fileName?: string };
    const { config, problems } = checkSiteConfig(yaml, fileName);
    if (!config) {
      const first = problems[0];
      throw new ApiError('invalid-site-config', `${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.slice(0, 3).map(formatProblem).join('; ')}`,
        first?.path || undefined, { problems: problems.map((p) => ({ ...p, text: formatProblem(p) })) });
    }
    const spec = toInventory(config);
    const created = !core.fleet.hasSite(spec.id);
    await core.persistence.saveInventory(spec, config.agentId);
    core.fleet.applyInventory(spec);
    core.peers?.inventory(spec);
    req.auditDetail = { site: spec.id, devices: spec.devices.length, fileName };
    return { site: spec.id, devices: spec.devices.length, created };
  });
}
