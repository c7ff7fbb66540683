// The cases REST API on the embedded database (PGlite — the same SQL as PostgreSQL): lifecycle actions recording
// who (the principal of the request: here the test admin's API token, naming whom it acts for) and when, filters, error bodies from the catalogue, maintenance windows, dead letters, the outage report.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceSample, SiteSpec } from '@camfleet/shared';
import casesApi from '../../server/src/api/cases.ts';
import outageApi from '../../server/src/api/outage.ts';
import { bootstrapAuth } from '../../server/src/auth/bootstrap.ts';
import authPlugin from '../../server/src/auth/plugin.ts';
import { DEFAULT_POLICY } from '../../server/src/auth/store.ts';
import { casesConfigFromEnv } from '../../server/src/cases/config.ts';
import { CaseService } from '../../server/src/cases/service.ts';
import type { Database } from '../../server/src/db/index.ts';
import { migrate } from '../../server/src/db/migrations.ts';
import { openPglite } from '../../server/src/db/pglite.ts';
import errorHandler from '../../server/src/http/error-handler.ts';
import { FleetState } from '../../server/src/state/fleet-state.ts';
import { MemoryTimeSeriesStore } from '../../server/src/timeseries/memory-store.ts';
import { authHeaders, testAuthConfig } from '../support/auth.ts';

const T0 = Date.parse('2026-11-10T01:00:00Z');
const SITE: SiteSpec = {
  id: 'api-shop', region: 'west', contractId: 'XYZ0000001', address: '大阪府大阪市北区1-1',
  devices: [
    { id: 'gw', segment: 'gateway', model: 'TEK3-IMX6' },
    { id: 'rt', segment: 'router', parent: 'gw' },
    { id: 'onu', segment: 'onu', parent: 'rt' },
    { id: 'cam1', segment: 'camera', parent: 'gw', vendor: 'VIVOTEK', serial: 'V1', purchaseDate: '2024-01-05', mountHeightM: 3.2 },
    { id: 'cam2', segment: 'camera', parent: 'gw', vendor: 'i-PRO', serial: 'P2' },
  ],
};

describe('cases API', () => {
  let app: FastifyInstance;
  let db: Database;
  let service: CaseService;
  const fleet = new FleetState(90_000);
  let now = T0;

  beforeAll(async () => {
    db = await openPglite('memory://');
    await migrate(db);
    service = new CaseService({
      db, fleet, timeseries: new MemoryTimeSeriesStore(), log: () => {}, clock: () => now,
      config: casesConfigFromEnv({ CAMFLEET_CASE_RESOLVE_HOLD_S: '30' }),
    });
    app = Fastify({ logger: false });
    await app.register(errorHandler);
    await app.register(authPlugin, { db, policy: DEFAULT_POLICY, cookieSecure: 'never', log: () => {} });
    await app.register(casesApi, { cases: service, fleet });
    await app.register(outageApi, { cases: service });
    await app.ready();
    await bootstrapAuth(app.auth.store, { ...testAuthConfig, announce: () => {} });
    fleet.applyInventory(SITE, now);
    fleet.applyPresence(SITE.id, 'online', now - 60_000);
  });

  afterAll(async () => {
    await app?.close();
    await service?.close();
    await db?.close();
  });

  async function poll(down: string[]) {
    const samples = SITE.devices.map((d): DeviceSample => ({
      device: d.id, at: new Date(now).toISOString(), reachable: !down.includes(d.id), conditions: down.includes(d.id) ? ['unreachable'] : [],
    }));
    fleet.applySamples(SITE.id, samples, now);
    await service.evaluate(SITE.id);
    now += 5000;
  }

  /** The admin API token's principal: what an action without `actor` records, and the `via` of one with it. */
  const TOKEN = 'token:environment';
  const get = (url: string) => app.inject({ method: 'GET', url, headers: authHeaders() });
  const post = (url: string, payload?: object) => app.inject({ method: 'POST', url, headers: authHeaders(), ...(payload ? { payload } : {}) });

  it('walks a case through ack, comment, assign, resolve and close, recording who and when', async () => {
    await poll(['cam1']);
    await poll(['cam1']);
    const list = (await get(`/api/v1/cases?state=active&site=${SITE.id}&responsible=support-center`)).json();
    expect(list.cases).toHaveLength(1);
    const c = list.cases[0];
    expect(c).toMatchObject({ rootCause: 'cam1', fault: 'unreachable', state: 'open', actions: ['contact-support-center', 'request-exchange'] });
    expect(c.reinstall).toEqual({ available: false, reason: 'mount-height' }); // West: 3 m and above
    expect(c.exchange.flows.map((f: { id: string }) => f.id)).toEqual(['advance-replacement', 'send-back-first']);

    const acked = (await post(`/api/v1/cases/${c.id}/ack`)).json();
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: TOKEN, acknowledgedAt: new Date(now).toISOString() });
    expect((await post(`/api/v1/cases/${c.id}/ack`, { actor: 'sato' })).json().acknowledgedBy).toBe(TOKEN);
    expect((await post(`/api/v1/cases/${c.id}/comment`, { actor: 'sato', text: '現地確認を手配' })).statusCode).toBe(200);
    expect((await post(`/api/v1/cases/${c.id}/assign`, { actor: 'sato', assignee: 'suzuki' })).json().assignee).toBe('suzuki');
    const resolved = (await post(`/api/v1/cases/${c.id}/resolve`, { actor: 'suzuki', comment: 'exchanged' })).json();
    expect(resolved).toMatchObject({ state: 'resolved', resolvedBy: `suzuki (via ${TOKEN})` });
    const conflict = await post(`/api/v1/cases/${c.id}/ack`);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toEqual({ error: { code: 'case-state-conflict', message: `Case ${c.id} is resolved: it cannot be acknowledged.`, field: 'id' } });
    expect((await post(`/api/v1/cases/${c.id}/close`, { actor: 'suzuki' })).json().state).toBe('closed');

    const detail = (await get(`/api/v1/cases/${c.id}`)).json();
    expect(detail.log.map((l: { action: string; actor: string }) => `${l.action}:${l.actor}`)).toEqual([
      'opened:camfleet', `acknowledged:${TOKEN}`, `comment:sato (via ${TOKEN})`, `assigned:sato (via ${TOKEN})`,
      `resolved:suzuki (via ${TOKEN})`, `closed:suzuki (via ${TOKEN})`,
    ]);
    expect(detail.log[2].detail).toEqual({ text: '現地確認を手配' });
    expect(detail.notifications).toEqual([]); // no notifier configured
  });

  it('answers bad requests with the catalogue codes, naming the field', async () => {
    const cases: [string, string, number, string, string][] = [
      ['GET', '/api/v1/cases/999999', 404, 'unknown-case', 'id'],
      ['GET', '/api/v1/cases/abc', 400, 'validation-failed', 'id'],
      ['GET', '/api/v1/cases?state=done', 400, 'validation-failed', 'state'],
      ['POST', '/api/v1/cases/999999/ack', 404, 'unknown-case', 'id'],
      ['GET', '/api/v1/outages?month=2026-13', 400, 'validation-failed', 'month'],
      ['DELETE', '/api/v1/maintenance/424242', 404, 'unknown-maintenance-window', 'id'],
      ['POST', '/api/v1/notifications/424242/retry', 404, 'unknown-notification', 'id'],
    ];
    for (const [method, url, status, code, field] of cases) {
      const res = await app.inject({ method: method as 'GET', url, headers: authHeaders() });
      expect([url, res.statusCode, res.json().error.code, res.json().error.field]).toEqual([url, status, code, field]);
    }
    const noText = await post('/api/v1/cases/1/comment', { actor: 'x' });
    expect(noText.json().error).toMatchObject({ code: 'validation-failed', field: 'text' });
  });

  it('creates, lists and deletes maintenance windows; refuses unknown sites and devices', async () => {
    const start = new Date(now).toISOString();
    const end = new Date(now + 3_600_000).toISOString();
    expect((await post('/api/v1/maintenance', { site: 'nope', start, end })).json().error).toMatchObject({ code: 'unknown-site', field: 'site' });
    expect((await post('/api/v1/maintenance', { site: SITE.id, device: 'cam9', start, end })).json().error).toMatchObject({ code: 'unknown-device', field: 'device' });
    expect((await post('/api/v1/maintenance', { site: SITE.id, start: end, end: start })).json().error).toMatchObject({ code: 'validation-failed', field: 'end' });
    const created = await post('/api/v1/maintenance', { site: SITE.id, device: 'cam1', start, end, reason: '清掃', actor: 'ito' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ site: SITE.id, device: 'cam1', reason: '清掃', createdBy: `ito (via ${TOKEN})`, start, end });
    expect((await get(`/api/v1/maintenance?site=${SITE.id}&at=${encodeURIComponent(start)}`)).json().windows).toHaveLength(1);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/maintenance/${created.json().id}`, headers: authHeaders() })).statusCode).toBe(204);
    expect((await get('/api/v1/maintenance')).json().windows).toEqual([]);
    expect((await get('/api/v1/notifications/dead-letters')).json()).toEqual({ notifications: [] });
  });

  it('reports the month’s complete outages by side of the boundary, as JSON and CSV', async () => {
    await poll(['onu']);
    await poll(['onu']);
    now += 25 * 3_600_000; // the line is down for a day and more
    await poll(['onu']);
    for (let i = 0; i < 8; i++) await poll([]);
    const report = (await get('/api/v1/outages?month=2026-11')).json();
    expect(report).toMatchObject({ month: '2026-11', from: '2026-10-31T15:00:00.000Z', to: '2026-11-30T15:00:00.000Z' });
    const site = report.sites.find((s: { site: string }) => s.site === SITE.id);
    expect(site.provider.periods).toBe(0); // the one-camera case earlier was not site-wide: cam2 still worked
    expect(site.customer).toMatchObject({ periods: 1, reached24h: 1, reached72h: 0, damagesDays: 0, feeExemptDays: 0 });
    expect(site.customer.unusableHours).toBeGreaterThan(25);
    expect(site.periods[0]).toMatchObject({ side: 'customer', rootCauses: ['onu'], ongoing: false, terms: { reached24h: true, eligible: false } });
    const csv = await get('/api/v1/outages?month=2026-11&format=csv');
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n')[1]).toMatch(/^2026-11,api-shop,customer,/);
    expect((await get('/api/v1/outages?month=2026-10')).json().sites).toEqual([]);
  });
});
