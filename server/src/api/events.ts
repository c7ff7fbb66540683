// GET /api/v1/sites/:site/events and /api/v1/sites/:site/devices/:device/events — the agent's events
// (reboots and their verification, image verdicts raised/cleared, outbox drops, config reloads), newest first.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema } from '@camfleet/shared';
import type { EventStore } from '../events/store.ts';
import type { FleetState } from '../state/fleet-state.ts';
import { ApiError } from '../http/errors.ts';

const Query = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) });

export default async function eventsApi(app: FastifyInstance, opts: { events: EventStore; fleet: FleetState }) {
  const { events, fleet } = opts;
  app.get('/api/v1/sites/:site/events', {
    schema: { tags: ['fleet'], summary: 'A site\'s agent events, newest first', params: Type.Object({ site: IdSchema }), querystring: Query },
  }, async (req) => {
    const { site } = req.params as { site: string };
    if (!fleet.siteStatus(site)) throw new ApiError('unknown-site', `No site "${site}".`, 'site');
    return { site, events: await events.list(site, undefined, (req.query as { limit: number }).limit) };
  });
  app.get('/api/v1/sites/:site/devices/:device/events', {
    schema: { tags: ['fleet'], summary: 'A device\'s agent events (reboots, image verdicts), newest first', params: Type.Object({ site: IdSchema, device: IdSchema }), querystring: Query },
  }, async (req) => {
    const { site, device } = req.params as { site: string; device: string };
    if (!fleet.deviceStatus(site, device)) throw new ApiError('unknown-device', `No device "${device}" at site "${site}".`, 'device');
    return { site, device, events: await events.list(site, device, (req.query as { limit: number }).limit) };
  });
}
