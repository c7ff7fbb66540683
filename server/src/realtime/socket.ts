// socket.io push with the typed events from shared. Changes are coalesced: at most one update per device
// per second, the fleet summary at most twice a second; a (re)connecting client first gets a snapshot.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, DeviceStatus, ServerToClientEvents, SiteStatus } from '@camfleet/shared';
import type { FleetState } from '../state/fleet-state.ts';

const DEVICE_FLUSH_MS = 1000;
const SUMMARY_FLUSH_MS = 500;

export class Realtime {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents>;
  private readonly devices = new Map<string, DeviceStatus>();
  private readonly sites = new Map<string, SiteStatus>();
  private summaryDirty = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(server: HttpServer, private readonly fleet: FleetState) {
    this.io = new Server(server, { path: '/socket.io', serveClient: false, cors: { origin: false } });
    this.io.on('connection', (socket) => {
      void socket.join('fleet');
      socket.emit('fleet:snapshot', this.fleet.snapshot());
      socket.on('fleet:resync', () => socket.emit('fleet:snapshot', this.fleet.snapshot()));
    });
    fleet.on('device', (d) => {
      this.devices.set(`${d.site}/${d.device}`, d);
      this.summaryDirty = true;
    });
    fleet.on('site', (s) => {
      this.sites.set(s.site, s);
      this.summaryDirty = true;
    });
    this.timers.push(setInterval(() => this.flushChanges(), DEVICE_FLUSH_MS));
    this.timers.push(setInterval(() => this.flushSummary(), SUMMARY_FLUSH_MS));
    for (const t of this.timers) t.unref();
  }

  private flushChanges(): void {
    if (this.sites.size > 0) {
      this.io.to('fleet').emit('sites:update', [...this.sites.values()]);
      this.sites.clear();
    }
    if (this.devices.size > 0) {
      this.io.to('fleet').emit('devices:update', [...this.devices.values()]);
      this.devices.clear();
    }
  }

  private flushSummary(): void {
    if (!this.summaryDirty) return;
    this.summaryDirty = false;
    this.io.to('fleet').emit('fleet:summary', this.fleet.summary());
  }

  clientCount(): number {
    return this.io.engine.clientsCount;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.flushChanges();
    // io.close() would also close the HTTP server, which Fastify owns; end the sockets only.
    this.io.disconnectSockets(true);
    this.io.engine.close();
  }
}
