// Live fleet state from the server's socket.io feed, as a rune class (immich-style store).
// Sized for ~10,000 devices: entries are kept in $state.raw Maps (no deep proxies), deltas are
// coalesced and applied once per batch, and sorting runs once per batch in a $derived.
import { io, type Socket } from 'socket.io-client';
import {
  DEVICE_STATES,
  STATE_SEVERITY,
  type ClientToServerEvents,
  type DeviceState,
  type DeviceStatus,
  type FleetSnapshot,
  type FleetSummary,
  type ServerToClientEvents,
  type SiteStatus,
} from '@camfleet/shared';

export type FleetSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionState = 'connecting' | 'live' | 'disconnected';
export interface Connection {
  state: ConnectionState;
  since: Date;
  /** Last connect_error message, cleared on connect. */
  error?: string;
}

/** Devices are unique per site only: the key is `site/device`. */
export const deviceKey = (site: string, device: string): string => `${site}/${device}`;

/** Delay that coalesces bursts (devices + sites + summary of one server tick) into one render. */
const BATCH_MS = 50;
/**
 * At most one batch per this interval: a feed faster than the server's once-a-second rhythm (several instances, a
 * burst after a reconnect) costs one render and layout per interval, not one per message (the bench: ten 100-device
 * messages a second took ~4× the main-thread time of one 1,000-device message).
 */
const MIN_BATCH_INTERVAL_MS = 250;
/** After the tab was hidden this long, ask for a fresh snapshot when it is shown again. */
const RESYNC_AFTER_HIDDEN_MS = 60_000;

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function compareSites(a: SiteStatus, b: SiteStatus): number {
  return (
    STATE_SEVERITY[b.worst] - STATE_SEVERITY[a.worst] ||
    collator.compare(a.name ?? a.site, b.name ?? b.site) ||
    collator.compare(a.site, b.site)
  );
}

export function compareDevices(a: DeviceStatus, b: DeviceStatus): number {
  return (
    STATE_SEVERITY[b.state] - STATE_SEVERITY[a.state] ||
    collator.compare(a.site, b.site) ||
    collator.compare(a.device, b.device)
  );
}

const compareSiteNames = (a: SiteStatus, b: SiteStatus): number =>
  collator.compare(a.name ?? a.site, b.name ?? b.site) || collator.compare(a.site, b.site);
const compareDeviceIds = (a: DeviceStatus, b: DeviceStatus): number =>
  collator.compare(a.site, b.site) || collator.compare(a.device, b.device);

/** The entries of `map` in `order`, worst state first: a stable bucket pass, O(n). */
function byState<T>(order: readonly string[], map: ReadonlyMap<string, T>, stateOf: (x: T) => DeviceState): T[] {
  const buckets: T[][] = DEVICE_STATES.map(() => []);
  for (const key of order) {
    const x = map.get(key);
    if (x !== undefined) buckets[4 - STATE_SEVERITY[stateOf(x)]]!.push(x);
  }
  return buckets.flat();
}

export function countStates(devices: Iterable<DeviceStatus>): Record<DeviceState, number> {
  const counts = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
  for (const d of devices) counts[d.state]++;
  return counts;
}

export class FleetStore {
  #devices = $state.raw(new Map<string, DeviceStatus>());
  #sites = $state.raw(new Map<string, SiteStatus>());
  #summary = $state.raw<FleetSummary | null>(null);
  #connection = $state.raw<Connection>({ state: 'connecting', since: new Date() });
  #snapshotAt = $state.raw<Date | null>(null);

  #pendingDevices = new Map<string, DeviceStatus>();
  #pendingSites = new Map<string, SiteStatus>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #socket: FleetSocket | null = null;
  #hiddenAt = 0;
  #lastFlush = 0;

  /** Counters for diagnostics and the bench: device entries pushed, written (after coalescing), batches. */
  readonly stats = { received: 0, applied: 0, batches: 0 };

  // Sorting without sorting: the order by name/id is kept apart and recomputed only when the set of keys (or a
  // site's name) changes; each batch then puts the entries into one bucket per state in that order — O(n), no
  // collator comparisons (a full sort of 10,000 devices cost ~25 ms a batch).
  #deviceOrder: string[] = [];
  #deviceOrderStale = true;
  #siteOrder: string[] = [];
  #siteOrderStale = true;

  /** Sites worst first (STATE_SEVERITY), then by name (same order as compareSites). */
  readonly sortedSites: SiteStatus[] = $derived.by(() => {
    const sites = this.#sites;
    if (this.#siteOrderStale) {
      this.#siteOrder = [...sites.values()].sort(compareSiteNames).map((s) => s.site);
      this.#siteOrderStale = false;
    }
    return byState(this.#siteOrder, sites, (s) => s.worst);
  });
  /** Devices worst first, then site and device id (same order as compareDevices). */
  readonly sortedDevices: DeviceStatus[] = $derived.by(() => {
    const devices = this.#devices;
    if (this.#deviceOrderStale) {
      this.#deviceOrder = [...devices.values()].sort(compareDeviceIds).map((d) => deviceKey(d.site, d.device));
      this.#deviceOrderStale = false;
    }
    return byState(this.#deviceOrder, devices, (d) => d.state);
  });
  /** Counts by state: the server's summary when it sent one, else counted here. */
  readonly counts: Record<DeviceState, number> = $derived(
    this.#summary?.byState ?? countStates(this.#devices.values()),
  );
  /** Each site's devices, worst first (one O(n) pass per batch, computed only while a view reads it). */
  readonly bySite: ReadonlyMap<string, DeviceStatus[]> = $derived.by(() => {
    const out = new Map<string, DeviceStatus[]>();
    for (const d of this.sortedDevices) {
      const list = out.get(d.site);
      if (list) list.push(d);
      else out.set(d.site, [d]);
    }
    return out;
  });
  /** Makers reported by the devices (DeviceStatus.info.vendor), sorted; for the maker filter. */
  readonly makers: string[] = $derived.by(() => {
    const set = new Set<string>();
    for (const d of this.#devices.values()) if (d.info?.vendor) set.add(d.info.vendor);
    return [...set].sort(collator.compare);
  });
  readonly siteCount: number = $derived(this.#summary?.sites ?? this.#sites.size);
  readonly deviceCount: number = $derived(this.#summary?.devices ?? this.#devices.size);

  /** Keyed `site/device`. Read-only view: replaced as a whole on every batch. */
  get devices(): ReadonlyMap<string, DeviceStatus> {
    return this.#devices;
  }
  get sites(): ReadonlyMap<string, SiteStatus> {
    return this.#sites;
  }
  get summary(): FleetSummary | null {
    return this.#summary;
  }
  /** The socket of the current connection (other live stores listen on it too); null when disconnected. */
  get socket(): FleetSocket | null {
    return this.#socket;
  }
  get connection(): Connection {
    return this.#connection;
  }
  /** When the last snapshot arrived; null until the first one (the UI shows "waiting"). */
  get snapshotAt(): Date | null {
    return this.#snapshotAt;
  }

  /** Replaces everything; deltas queued before it are dropped (the snapshot supersedes them). */
  applySnapshot(snapshot: FleetSnapshot): void {
    this.#cancelFlush();
    this.#pendingDevices.clear();
    this.#pendingSites.clear();
    const devices = new Map<string, DeviceStatus>();
    for (const d of snapshot.devices) devices.set(deviceKey(d.site, d.device), d);
    const sites = new Map<string, SiteStatus>();
    for (const s of snapshot.sites) sites.set(s.site, s);
    this.#devices = devices;
    this.#sites = sites;
    this.#deviceOrderStale = true;
    this.#siteOrderStale = true;
    this.#summary = snapshot.summary;
    this.#snapshotAt = new Date();
  }

  applyDevices(devices: readonly DeviceStatus[]): void {
    this.stats.received += devices.length;
    for (const d of devices) this.#pendingDevices.set(deviceKey(d.site, d.device), d);
    this.#scheduleFlush();
  }

  applySites(sites: readonly SiteStatus[]): void {
    for (const s of sites) this.#pendingSites.set(s.site, s);
    this.#scheduleFlush();
  }

  applySummary(summary: FleetSummary): void {
    this.#summary = summary;
  }

  /** Applies queued deltas now: one copy of each touched Map per batch, O(n + k). */
  flush(): void {
    this.#cancelFlush();
    this.#lastFlush = Date.now();
    if (this.#pendingDevices.size || this.#pendingSites.size) this.stats.batches++;
    if (this.#pendingDevices.size) {
      this.stats.applied += this.#pendingDevices.size;
      const next = new Map(this.#devices);
      for (const [k, d] of this.#pendingDevices) {
        if (!this.#deviceOrderStale && !next.has(k)) this.#deviceOrderStale = true;
        next.set(k, d);
      }
      this.#pendingDevices.clear();
      this.#devices = next;
    }
    if (this.#pendingSites.size) {
      const next = new Map(this.#sites);
      for (const [k, s] of this.#pendingSites) {
        if (!this.#siteOrderStale && next.get(k)?.name !== s.name) this.#siteOrderStale = true;
        next.set(k, s);
      }
      this.#pendingSites.clear();
      this.#sites = next;
    }
  }

  /** Opens the socket (same origin, cookies sent) and wires the contract's events. Returns a disposer. */
  connect(
    socket: FleetSocket = io({ path: '/socket.io', withCredentials: true }),
  ): () => void {
    this.disconnect();
    this.#socket = socket;
    this.#setConnection('connecting');
    socket.on('connect', () => this.#setConnection('live'));
    socket.on('disconnect', (reason) => {
      this.#setConnection('disconnected');
      // The server closed us on purpose: socket.io will not retry by itself.
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('connect_error', (err) => this.#setConnection('disconnected', err.message));
    socket.on('fleet:snapshot', (s) => this.applySnapshot(s));
    socket.on('devices:update', (d) => this.applyDevices(d));
    socket.on('sites:update', (s) => this.applySites(s));
    socket.on('fleet:summary', (s) => this.applySummary(s));
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.#onVisibility);
    if (socket.connected) this.#setConnection('live');
    else if (!socket.active) socket.connect();
    return () => this.disconnect();
  }

  disconnect(): void {
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.#onVisibility);
    this.#socket?.removeAllListeners();
    this.#socket?.disconnect();
    this.#socket = null;
    this.#cancelFlush();
  }

  /** Asks the server for a fresh snapshot. */
  resync(): void {
    if (this.#socket?.connected) this.#socket.emit('fleet:resync');
  }

  #onVisibility = (): void => {
    if (document.visibilityState === 'hidden') {
      this.#hiddenAt = Date.now();
    } else if (this.#hiddenAt && Date.now() - this.#hiddenAt > RESYNC_AFTER_HIDDEN_MS) {
      this.#hiddenAt = 0;
      this.resync();
    }
  };

  #setConnection(state: ConnectionState, error?: string): void {
    const current = this.#connection;
    // Keep `since` across repeated reconnect failures: it tells when the outage started.
    if (current.state === state && current.error === error) return;
    this.#connection = { state, since: current.state === state ? current.since : new Date(), error };
  }

  #scheduleFlush(): void {
    this.#timer ??= setTimeout(() => this.flush(), Math.max(BATCH_MS, this.#lastFlush + MIN_BATCH_INTERVAL_MS - Date.now()));
  }

  #cancelFlush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

export const fleet = new FleetStore();
