// Commands to agents over `camfleet/v1/<site>/cmd/<name>` (DESIGN §3): the server publishes, the agent
// answers on `…/result`, and the request waits for that answer — 200 when the agent reports success,
// 502 when it reports a failure, 504 when nothing comes back in time; 409 at once when the agent is offline.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema, type CommandResult } from '@camfleet/shared';
import type { Core } from '../core.ts';
import { ApiError } from '../http/errors.ts';

const Params = Type.Object({ site: IdSchema, device: IdSchema });
const Body = Type.Optional(Type.Object({
  timeoutS: Type.Optional(Type.Integer({ minimum: 1, maximum: 300, description: 'How long to wait for the agent (default 30)' })),
}, { additionalProperties: false }));
const Result = Type.Object({
  v: Type.Literal(1), id: Type.String(), at: Type.String(), ok: Type.Boolean(),
  code: Type.Optional(Type.String()), message: Type.Optional(Type.String()),
});

export default async function commandsApi(app: FastifyInstance, opts: { core: Core }) {
  const { core } = opts;
  app.post('/api/v1/sites/:site/devices/:device/reboot', {
    config: { auditAction: 'device.reboot' },
    schema: {
      tags: ['commands'],
      summary: 'Reboot a device through its site agent and wait for the result',
      params: Params,
      body: Body,
      response: { 200: Type.Object({ site: Type.String(), device: Type.String(), result: Result }) },
    },
  }, async (req) => {
    const { site, device } = req.params as { site: string; device: string };
    const timeoutS = (req.body as { timeoutS?: number } | undefined)?.timeoutS ?? 30;
    if (!core.fleet.siteStatus(site)) throw new ApiError('unknown-site', `No site "${site}".`, 'site');
    if (!core.fleet.deviceStatus(site, device)) throw new ApiError('unknown-device', `No device "${device}" at site "${site}".`, 'device');
    if (core.fleet.siteStatus(site)?.agent === 'offline') throw new ApiError('agent-offline', `The agent of site "${site}" is offline (its last will arrived); try again when it is back.`, 'site');
    if (!core.ingest?.connected()) throw new ApiError('broker-unavailable');
    let result: CommandResult;
    try {
      result = await core.commands.request(site, 'reboot', device, timeoutS * 1000, req.principal?.name ?? `api:${req.ip}`);
    } catch {
      throw new ApiError('broker-unavailable');
    }
    req.auditDetail = result;
    if (!result.ok && result.code === 'timeout') throw new ApiError('command-timeout', `No answer from the agent of site "${site}" within ${timeoutS} s.`, undefined, { result });
    if (!result.ok) throw new ApiError('command-failed', `The agent could not reboot "${device}": ${result.message ?? result.code ?? 'failed'}`, undefined, { result });
    return { site, device, result };
  });
}
