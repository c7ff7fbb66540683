// GET /api/v1/sites/:site/devices/:device/thumbnail — the camera's latest thumbnail (image/jpeg) from the
// in-memory store (thumbnails/store.ts); a JSON error when the device is unknown or no thumbnail has come yet.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema } from '@camfleet/shared';
import type { FleetState } from '../state/fleet-state.ts';
import type { ThumbnailStore } from '../thumbnails/store.ts';
import { ApiError } from '../http/errors.ts';

const DeviceParams = Type.Object({ site: IdSchema, device: IdSchema });
const Query = Type.Object({
  at: Type.Optional(Type.String({ maxLength: 20, description: 'Ignored: DeviceStatus.thumbnail.url carries it so each new picture is a new URL' })),
});

export default async function thumbnailsApi(app: FastifyInstance, opts: { thumbnails: ThumbnailStore; fleet: FleetState }) {
  const { thumbnails, fleet } = opts;
  app.get('/api/v1/sites/:site/devices/:device/thumbnail', {
    schema: {
      tags: ['fleet'],
      summary: 'A camera\'s latest thumbnail (JPEG), as DeviceStatus.thumbnail.url names it',
      params: DeviceParams,
      querystring: Query,
    },
  }, async (req, reply) => {
    const { site, device } = req.params as { site: string; device: string };
    const t = thumbnails.get(site, device);
    if (!t) {
      if (!fleet.deviceStatus(site, device)) throw new ApiError('unknown-device', `No device "${device}" at site "${site}".`, 'device');
      throw new ApiError('not-found', `No thumbnail from device "${device}" at site "${site}" yet.`);
    }
    const etag = `"${t.at.toString(36)}-${t.jpeg.length.toString(36)}"`;
    reply
      .header('cache-control', 'private, no-cache')
      .header('etag', etag)
      .header('last-modified', new Date(t.at).toUTCString())
      .header('x-content-type-options', 'nosniff');
    if (req.headers['if-none-match'] === etag) return reply.code(304).send();
    return reply.type('image/jpeg').send(t.jpeg);
  });
}
