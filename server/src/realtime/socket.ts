// socket.io push with the typed events from shared. Rooms: `fleet` (every device and site delta; each
// client starts there), `site:<id>` (one site's deltas, joined with 'site:subscribe') and `summary` (the
// fleet summary, every client). Changes are coalesced: at most one update per device per second (a change
// of a device not pushed in the last second goes out at the next 100 ms tick; later ones wait for the
// second to pass, the newest winning), the summary at most twice a second; a (re)connecting client first
// gets a snapshot, then deltas.
// With several instances each one's FleetState is complete (state/peer-sync.ts), so every instance emits
// to its own clients only (io.local); the PostgreSQL adapter carries the instances' peer messages.
import type { IncomingHttpHeaders, Server as HttpServer } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { ID_PATTERN, type ClientToServerEvents, type DeviceStatus, type ServerToClientEvents, type SiteStatus } from '@camfleet/shared';
import type { FleetState } from '../state/fleet-state.ts';
import type { PeerMessage, PeerTransport } from '../state/peer-sync.ts';

/** At most one update per device (and per site) in this window… */
const DEVICE_MIN_INTERVAL_MS = 1000;
/** …checked this often: a device quiet for a second is pushed within a tick, not after a full second. */
const FLUSH_TICK_MS = 100;
const SUMMARY_FLUSH_MS = 500;
const MAX_SITE_ROOMS_PER_CLIENT = 200;
const ID_RE = new RegExp(ID_PATTERN);

/** Who a connecting client is: the same session cookie as the API, or an API token in `auth.token`. */
export type SocketAuthenticator = (headers: IncomingHttpHeaders, token: string | undefined) => Promise<{ name: string } | null>;

interface InterServerEvents {
  'camfleet:peer': (msg: PeerMessage) => void;
  /** Sites whose cases another instance changed (cases/realtime.ts): reload them before the next evaluation. */
  'camfleet:cases': (msg: { sites: string[] }) => void;
}

export class Realtime {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents>;
  private readonly devices = new Map<string, DeviceStatus>();
  private readonly sites = new Map<string, SiteStatus>();
  /** When each device / site was last pushed (ms). */
  private readonly pushedAt = new Map<string, number>();
  private summaryDirty = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private serverCount = 1;
  /** When more than one instance was last seen: a late heartbeat must not stop the peer deltas. */
  private peersSeenAt = 0;
  private readonly peerHandlers: ((msg: PeerMessage) => void)[] = [];

  /** Optional: told, per pushed device, the seconds from its sample time to the push. */
  onPushed?: (delayS: number) => void;

  constructor(server: HttpServer, private readonly fleet: FleetState, adapter?: ServerOptions['adapter'], authenticate?: SocketAuthenticator) {
    this.io = new Server(server, { path: '/socket.io', serveClient: false, cors: { origin: false }, ...(adapter ? { adapter } : {}) });
    // Issue 8 §4: no fleet state for anyone not logged in. Every event a client may send only reads, so
    // any role may connect; the refusal reaches the client as a connect_error it can show.
    if (authenticate) {
      this.io.use((socket, next) => {
        const raw: unknown = (socket.handshake.auth as Record<string, unknown> | undefined)?.token;
        const token = typeof raw === 'string' ? raw : undefined;
        authenticate(socket.handshake.headers, token).then((who) => {
          if (!who) return next(new Error('unauthenticated'));
          socket.data = { user: who.name };
          next();
        }, () => next(new Error('unavailable')));
      });
    }
    this.io.on('connection', (socket) => {
      void socket.join(['fleet', 'summary']);
      socket.emit('fleet:snapshot', this.fleet.snapshot());
      socket.on('fleet:resync', () => socket.emit('fleet:snapshot', this.fleet.snapshot()));
      socket.on('fleet:unsubscribe', () => void socket.leave('fleet'));
      socket.on('fleet:subscribe', () => {
        void socket.join('fleet');
        socket.emit('fleet:snapshot', this.fleet.snapshot());
      });
      socket.on('site:subscribe', (site) => {
        if (typeof site !== 'string' || !ID_RE.test(site)) return;
        if (socket.rooms.size > MAX_SITE_ROOMS_PER_CLIENT) return;
        void socket.join(`site:${site}`);
        socket.emit('site:snapshot', { site, status: this.fleet.siteStatus(site) ?? null, devices: this.fleet.siteDevices(site) });
      });
      socket.on('site:unsubscribe', (site) => {
        if (typeof site === 'string') void socket.leave(`site:${site}`);
      });
    });
    this.io.on('camfleet:peer', (msg) => {
      for (const h of this.peerHandlers) h(msg);
    });
    fleet.on('device', (d) => {
      this.devices.set(`${d.site}/${d.device}`, d);
      this.summaryDirty = true;
    });
    fleet.on('site', (s) => {
      this.sites.set(s.site, s);
      this.summaryDirty = true;
    });
    this.timers.push(setInterval(() => this.flushChanges(), FLUSH_TICK_MS));
    this.timers.push(setInterval(() => this.flushSummary(), SUMMARY_FLUSH_MS));
    this.timers.push(setInterval(() => void this.refreshServerCount(), 1000));
    for (const t of this.timers) t.unref();
    void this.refreshServerCount();
  }

  private async refreshServerCount(): Promise<void> {
    try {
      this.serverCount = await this.io.of('/').adapter.serverCount();
      if (this.serverCount > 1) this.peersSeenAt = Date.now();
    } catch {
      // keep the last count
    }
  }

  /** The channel to the other server instances (socket.io's serverSideEmit through the adapter). */
  peerTransport(): PeerTransport {
    return {
      send: (msg) => this.io.serverSideEmit('camfleet:peer', msg),
      onMessage: (cb) => void this.peerHandlers.push(cb),
      // A peer that missed a heartbeat or two (a loaded machine) still gets the deltas for 30 s.
      peers: () => (this.serverCount > 1 ? this.serverCount - 1 : Date.now() - this.peersSeenAt < 30_000 ? 1 : 0),
    };
  }

  /** Takes the entries whose last push is at least a second old (all of them with `all`). */
  private due<T>(pending: Map<string, T>, prefix: string, now: number, all: boolean): T[] {
    const out: T[] = [];
    for (const [key, value] of pending) {
      const k = prefix + key;
      if (!all && now - (this.pushedAt.get(k) ?? 0) < DEVICE_MIN_INTERVAL_MS) continue;
      this.pushedAt.set(k, now);
      pending.delete(key);
      out.push(value);
    }
    return out;
  }

  private flushChanges(all = false): void {
    const local = this.io.local;
    const now = Date.now();
    const sites = this.due(this.sites, 's:', now, all);
    const devices = this.due(this.devices, 'd:', now, all);
    if (sites.length > 0) local.to('fleet').emit('sites:update', sites);
    if (devices.length > 0) {
      local.to('fleet').emit('devices:update', devices);
      if (this.onPushed) for (const d of devices) if (d.lastSample) this.onPushed((now - Date.parse(d.lastSample)) / 1000);
    }
    if (sites.length === 0 && devices.length === 0) return;
    // Per-site rooms: only the sites someone subscribed to.
    const rooms = this.io.of('/').adapter.rooms;
    const bySite = new Map<string, { status?: SiteStatus; devices: DeviceStatus[] }>();
    const entry = (site: string) => {
      if (!rooms.has(`site:${site}`)) return undefined;
      let e = bySite.get(site);
      if (!e) bySite.set(site, (e = { devices: [] }));
      return e;
    };
    for (const s of sites) {
      const e = entry(s.site);
      if (e) e.status = s;
    }
    for (const d of devices) entry(d.site)?.devices.push(d);
    for (const [site, e] of bySite) local.to(`site:${site}`).emit('site:update', { site, ...e });
  }

  private flushSummary(): void {
    if (!this.summaryDirty) return;
    this.summaryDirty = false;
    this.io.local.to('summary').emit('fleet:summary', this.fleet.summary());
  }

  clientCount(): number {
    return this.io.engine.clientsCount;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.flushChanges(true);
    // io.close() would also close the HTTP server, which Fastify owns; end the sockets only.
    this.io.disconnectSockets(true);
    this.io.engine.close();
    await Promise.resolve(this.io.of('/').adapter.close?.()).catch(() => {});
  }
}
