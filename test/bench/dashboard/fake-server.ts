// A lightweight stand-in for the camfleet server, for the dashboard bench: serves the built dashboard
// (dashboard/dist) and a blank baseline page, answers the REST calls the dashboard makes (cases, site detail,
// history), and speaks the socket.io contract (fleet:snapshot, devices:update, sites:update, fleet:summary,
// cases:update) from a synthetic fleet it can churn at a chosen rate. Every value it sends is counted so the bench
// can compare what was sent with what the page applied.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Server } from 'socket.io';
import {
  DEVICE_STATES,
  EXAMPLE_CONTACTS,
  exchangeGuidance,
  reinstallFor,
  STATE_SEVERITY,
  warrantyFor,
  type CaseRecord,
  type CaseSummary,
  type ClientToServerEvents,
  type DeviceState,
  type DeviceStatus,
  type FleetSnapshot,
  type FleetSummary,
  type Segment,
  type ServerToClientEvents,
  type SiteStatus,
} from '@camfleet/shared';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};
export const BLANK_HTML = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body><p id="blank">baseline</p></body></html>';

export interface FleetShape {
  sites: number;
  devicesPerSite: number;
  activeCases: number;
}

/** One site: ONU → router → switch → gateway → cameras (the cameras hang under the switch). */
const LAYOUT: { id: string; segment: Segment; parent?: string }[] = [
  { id: 'onu', segment: 'onu' },
  { id: 'rt', segment: 'router', parent: 'onu' },
  { id: 'sw', segment: 'switch', parent: 'rt' },
  { id: 'gw', segment: 'gateway', parent: 'sw' },
];

/** Deterministic pseudo-random numbers (mulberry32), so every run churns the same way. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FakeFleet {
  readonly devices = new Map<string, DeviceStatus>();
  readonly sites = new Map<string, SiteStatus>();
  readonly cases = new Map<number, CaseRecord>();
  /** Per device key: the `latencyMs` of the last update sent (a sequence number), to check what the page holds. */
  readonly lastSent = new Map<string, number>();
  readonly lastCaseSent = new Map<number, string>();
  sent = { devices: 0, deviceBatches: 0, cases: 0 };
  #seq = 0;
  #random = rng(7);

  constructor(readonly shape: FleetShape) {
    const now = new Date().toISOString();
    for (let s = 0; s < shape.sites; s++) {
      const site = `site-${String(s + 1).padStart(4, '0')}`;
      for (let i = 0; i < shape.devicesPerSite; i++) {
        const l = LAYOUT[i];
        const cam = i - LAYOUT.length + 1;
        const d: DeviceStatus = {
          site,
          device: l ? l.id : `cam${cam}`,
          segment: l ? l.segment : 'camera',
          ...(l?.parent ? { parent: l.parent } : l ? {} : { parent: 'sw' }),
          name: l ? l.id.toUpperCase() : `Camera ${cam}`,
          state: 'UP',
          since: now,
          lastSample: now,
          conditions: [],
          latencyMs: 0,
          info: l ? { vendor: 'Generic', model: 'X1' } : { vendor: 'AXIS', model: 'M3085-V', serial: `ACCC8E${String(s * 100 + cam).padStart(6, '0')}`, firmware: '11.9.60' },
        };
        this.devices.set(`${site}/${d.device}`, d);
      }
      this.sites.set(site, {
        site,
        name: `Shop ${s + 1}`,
        region: s % 2 ? 'west' : 'east',
        agent: 'online',
        agentSince: now,
        worst: 'UP',
        deviceCount: shape.devicesPerSite,
      });
    }
    // A fixed share of the fleet is down from the start: the cameras the cases are about.
    const siteIds = [...this.sites.keys()];
    for (let n = 0; n < shape.activeCases; n++) {
      const site = siteIds[n % siteIds.length]!;
      const cam = `cam${1 + Math.floor(n / siteIds.length)}`;
      const key = `${site}/${cam}`;
      const d = this.devices.get(key);
      if (d) this.devices.set(key, { ...d, state: 'DOWN', conditions: ['unreachable'] });
      this.cases.set(n + 1, this.#caseFor(n + 1, site, cam));
    }
    for (const site of siteIds) this.#refreshSite(site);
  }

  #caseFor(id: number, site: string, device: string): CaseRecord {
    const opened = new Date(Date.now() - (id % 180) * 60_000).toISOString();
    const warranty = warrantyFor({ vendor: 'AXIS', model: 'M3085-V', purchaseDate: '2024-04-10', shipDate: '2024-04-01' }, new Date());
    const severities = ['critical', 'major', 'minor'] as const;
    return {
      id, site, rootCause: device, segment: 'camera', fault: 'unreachable', responsible: 'support-center', side: 'provider',
      severity: severities[id % 3]!, priority: 300 - (id % 3) * 100 + 20 + (id % 9), state: id % 4 === 0 ? 'acknowledged' : 'open',
      flapping: id % 17 === 0, siteWide: false, recurrenceOf: id % 23 === 0 ? id + 1000 : null, affected: [],
      assignee: id % 4 === 0 ? 'Suzuki' : null, firstSeen: opened, openedAt: opened, lastSeen: opened, repeatCount: id % 5 === 0 ? 2 : 0,
      acknowledgedAt: id % 4 === 0 ? opened : null, acknowledgedBy: id % 4 === 0 ? 'Tanaka' : null, resolvedAt: null, resolvedBy: null,
      closedAt: null, updatedAt: opened,
      actions: ['contact-support-center', 'request-exchange'],
      warranty, reinstall: reinstallFor('east', 2.8),
      exchange: exchangeGuidance(opened.slice(0, 10) as Parameters<typeof exchangeGuidance>[0], warranty?.inWarranty ?? null),
      maintenance: null, contact: EXAMPLE_CONTACTS.contacts['support-center'],
      ticket: { siteId: site, siteName: this.sites.get(site)?.name ?? null, contractId: `DEM${String(id).padStart(7, '0')}`, siteAddress: '東京都新宿区西新宿2-8-1', serial: 'ACCC8E000001', vendor: 'AXIS', model: 'M3085-V' },
      evidence: {}, notes: { ja: ['カメラ本体の故障と判断された場合は修理ではなく代替機との交換。'], en: ['A camera found faulty is exchanged, not repaired.'] },
    };
  }

  #refreshSite(site: string): SiteStatus | null {
    const s = this.sites.get(site);
    if (!s) return null;
    let worst: DeviceState = 'UP';
    let cause: string | undefined;
    for (let i = 0; i < this.shape.devicesPerSite; i++) {
      const l = LAYOUT[i];
      const d = this.devices.get(`${site}/${l ? l.id : `cam${i - LAYOUT.length + 1}`}`);
      if (d && STATE_SEVERITY[d.state] > STATE_SEVERITY[worst]) {
        worst = d.state;
        cause = d.device;
      }
    }
    if (worst === s.worst && cause === s.rootCause) return null;
    const next: SiteStatus = { ...s, worst, ...(cause ? { rootCause: cause } : {}) };
    if (!cause) delete next.rootCause;
    this.sites.set(site, next);
    return next;
  }

  snapshot(): FleetSnapshot {
    return { sites: [...this.sites.values()], devices: [...this.devices.values()], summary: this.summary() };
  }

  summary(): FleetSummary {
    const byState = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
    for (const d of this.devices.values()) byState[d.state]++;
    return { sites: this.sites.size, devices: this.devices.size, byState, at: new Date().toISOString() };
  }

  /** `n` distinct devices change (latency always, state sometimes); returns them and the sites that changed. */
  churn(n: number): { devices: DeviceStatus[]; sites: SiteStatus[] } {
    const keys = [...this.devices.keys()];
    const picked = new Set<string>();
    while (picked.size < Math.min(n, keys.length)) picked.add(keys[Math.floor(this.#random() * keys.length)]!);
    const now = new Date().toISOString();
    const out: DeviceStatus[] = [];
    const touched = new Set<string>();
    for (const key of picked) {
      const d = this.devices.get(key)!;
      const seq = ++this.#seq;
      const flip = this.#random() < 0.05;
      const state: DeviceState = flip ? (d.state === 'UP' ? 'DOWN' : 'UP') : d.state;
      const next: DeviceStatus = {
        ...d,
        state,
        since: flip ? now : d.since,
        conditions: state === 'DOWN' ? ['unreachable'] : [],
        lastSample: now,
        latencyMs: seq,
      };
      this.devices.set(key, next);
      this.lastSent.set(key, seq);
      out.push(next);
      if (flip) touched.add(d.site);
    }
    const sites: SiteStatus[] = [];
    for (const site of touched) {
      const s = this.#refreshSite(site);
      if (s) sites.push(s);
    }
    this.sent.devices += out.length;
    this.sent.deviceBatches++;
    return { devices: out, sites };
  }

  /** `n` active cases are seen again (lastSeen, updatedAt); a few are acknowledged. Returns their summaries. */
  churnCases(n: number): CaseSummary[] {
    const ids = [...this.cases.keys()];
    const out: CaseSummary[] = [];
    const now = new Date().toISOString();
    for (let i = 0; i < Math.min(n, ids.length); i++) {
      const id = ids[Math.floor(this.#random() * ids.length)]!;
      const c = this.cases.get(id)!;
      const ack = c.state === 'open' && this.#random() < 0.1;
      const next: CaseRecord = { ...c, lastSeen: now, updatedAt: now, ...(ack ? { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: 'bench' } : {}) };
      this.cases.set(id, next);
      this.lastCaseSent.set(id, now);
      const { actions: _a, warranty: _w, reinstall: _r, exchange: _x, maintenance: _m, contact: _c, ticket: _t, evidence: _e, notes: _n, ...summary } = next;
      out.push(summary);
    }
    this.sent.cases += out.length;
    return out;
  }
}

export interface FakeServer {
  url: string;
  fleet: FakeFleet;
  io: Server<ClientToServerEvents, ServerToClientEvents>;
  close(): Promise<void>;
}

export async function startFakeServer(dist: string, fleet: FakeFleet): Promise<FakeServer> {
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error(`${dist}/index.html is missing: run npm run build -w @camfleet/dashboard`);
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    if (p === '/blank.html') {
      res.writeHead(200, { 'content-type': MIME['.html']! });
      res.end(BLANK_HTML);
      return;
    }
    if (p === '/healthz') return json(res, 200, { status: 'ok' });
    // The dashboard asks who is logged in before it shows anything: an admin, as on a real server.
    if (p === '/api/v1/session') return json(res, 200, { username: 'admin', role: 'admin' });
    if (p === '/api/v1/cases') {
      const state = url.searchParams.get('state');
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const list = [...fleet.cases.values()]
        .filter((c) => (state === 'active' ? c.state === 'open' || c.state === 'acknowledged' : !state || c.state === state))
        .sort((a, b) => b.id - a.id)
        .slice(0, limit);
      return json(res, 200, { cases: list });
    }
    const one = /^\/api\/v1\/cases\/(\d+)$/.exec(p);
    if (one) {
      const c = fleet.cases.get(Number(one[1]));
      return c ? json(res, 200, { ...c, log: [], notifications: [] }) : json(res, 404, { error: { code: 'unknown-case', message: 'No case.' } });
    }
    const site = /^\/api\/v1\/sites\/([^/]+)$/.exec(p);
    if (site) {
      const id = decodeURIComponent(site[1]!);
      return json(res, 200, { site: fleet.sites.get(id), devices: [...fleet.devices.values()].filter((d) => d.site === id) });
    }
    if (p.startsWith('/api/')) return json(res, 200, { samples: [] });
    const file = path.join(dist, p === '/' ? 'index.html' : path.normalize(p).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(dist) || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  };
  const http: HttpServer = createServer(handler);
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { path: '/socket.io', serveClient: false });
  io.on('connection', (socket) => {
    void socket.join('fleet');
    socket.emit('fleet:snapshot', fleet.snapshot());
    socket.on('fleet:resync', () => socket.emit('fleet:snapshot', fleet.snapshot()));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    fleet,
    io,
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
