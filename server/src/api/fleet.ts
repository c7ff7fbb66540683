// Read-only fleet API under /api/v1: sites, devices, current state, history.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { IdSchema } from '@camfleet/shared';
import type { Core } from '../core.ts';
import { ApiError } from '../http/errors.ts';
import { stepName } from '../timeseries/resolution.ts';

const SiteParams = Type.Object({ site: IdSchema });
const DeviceParams = Type.Object({ site: IdSchema, device: IdSchema });
const HistoryQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
});

export default async function fleetApi(app: FastifyInstance, opts: { core: Core }) {
  const { fleet, timeseries } = opts.core;
  const doc = (summary: string) => ({ tags: ['fleet'], summary });
  app.get('/api/v1/fleet', { schema: doc('Every site and device with its current state, and the summary') }, async () => fleet.snapshot());
  app.get('/api/v1/sites', { schema: doc('Every site with its worst state and root-cause device') }, async () => ({ sites: fleet.snapshot().sites }));
  app.get('/api/v1/sites/:site', { schema: { ...doc('One site and its devices'), params: SiteParams } }, async (req) => {
    const { site } = req.params as { site: string };
    const status = fleet.siteStatus(site);
    if (!status) throw new ApiError('unknown-site', `No site "${site}".`, 'site');
    const spec = fleet.siteSpec(site); // the inventory: no credentials ever reach it (agent toInventory)
    return { site: status, devices: fleet.siteDevices(site), ...(spec ? { spec } : {}) };
  });
  app.get('/api/v1/sites/:site/devices/:device', { schema: { ...doc('One device\'s current state, since when'), params: DeviceParams } }, async (req) => {
    const { site, device } = req.params as { site: string; device: string };
    const status = fleet.deviceStatus(site, device);
    if (!status) throw new ApiError('unknown-device', `No device "${device}" at site "${site}".`, 'device');
    return status;
  });
  app.get('/api/v1/sites/:site/devices/:device/history', {
    schema: { ...doc('A device\'s samples from..to (ISO times; default the last hour), downsampled to the range'), params: DeviceParams, querystring: HistoryQuery },
  }, async (req) => {
    const { site, device } = req.params as { site: string; device: string };
    const q = req.query as { from?: string; to?: string };
    if (!fleet.deviceStatus(site, device)) throw new ApiError('unknown-device', `No device "${device}" at site "${site}".`, 'device');
    const to = q.to ? Date.parse(q.to) : Date.now();
    const from = q.from ? Date.parse(q.from) : to - 3600_000;
    if (from > to) throw new ApiError('validation-failed', 'from: must not be after to', 'from');
    const { source, stepMs, rows } = await timeseries.history({ site, device, from, to });
    return {
      site, device, from: new Date(from).toISOString(), to: new Date(to).toISOString(),
      // raw samples, or the mean per bucket of stepMs from raw data or a rollup (docs/timeseries.md)
      source, stepMs, resolution: stepName(stepMs),
      samples: rows.map((r) => ({ at: new Date(r.at).toISOString(), ...r.fields })),
    };
  });
}
