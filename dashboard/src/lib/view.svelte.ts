// What the tables show: text/state/site filters over the store's sorted lists (O(n) per change).
import { DEVICE_STATES, type DeviceState, type DeviceStatus, type SiteStatus } from '@camfleet/shared';
import { fleet, type FleetStore } from './fleet.svelte.ts';

export type StateFilter = DeviceState | 'all';
export const isStateFilter = (v: string): v is StateFilter => v === 'all' || DEVICE_STATES.includes(v as DeviceState);

/** Case-, width- and kana-insensitive enough for ids and names typed on a Japanese keyboard. */
export const normalize = (s: string): string => s.normalize('NFKC').toLowerCase().trim();

// Status objects are immutable (replaced on change), so their search text can be cached per object.
const deviceText = new WeakMap<DeviceStatus, string>();
const siteText = new WeakMap<SiteStatus, string>();

function textOf(d: DeviceStatus): string {
  let s = deviceText.get(d);
  if (s === undefined) deviceText.set(d, (s = normalize(`${d.site}\n${d.device}\n${d.name ?? ''}`)));
  return s;
}

function siteTextOf(s: SiteStatus): string {
  let t = siteText.get(s);
  if (t === undefined) siteText.set(s, (t = normalize(`${s.site}\n${s.name ?? ''}`)));
  return t;
}

export class FleetView {
  /** Free text matched against site id/name and device id/name. */
  text = $state('');
  state = $state<StateFilter>('all');
  /** A site picked in the sites list: the devices table shows only its devices. */
  site = $state<string | null>(null);

  #store: FleetStore;
  constructor(store: FleetStore) {
    this.#store = store;
  }

  get active(): boolean {
    return this.text.trim() !== '' || this.state !== 'all' || this.site !== null;
  }

  clear(): void {
    this.text = '';
    this.state = 'all';
    this.site = null;
  }

  /** Devices matching text and state, ignoring the picked site (the sites list uses this). */
  readonly #matching: DeviceStatus[] = $derived.by(() => {
    const q = normalize(this.text);
    const st = this.state;
    if (!q && st === 'all') return this.#store.sortedDevices;
    return this.#store.sortedDevices.filter((d) => (st === 'all' || d.state === st) && (!q || textOf(d).includes(q)));
  });

  readonly devices: DeviceStatus[] = $derived.by(() => {
    const site = this.site;
    return site === null ? this.#matching : this.#matching.filter((d) => d.site === site);
  });

  /** Sites whose own id/name/worst state match, or that hold a matching device. */
  readonly sites: SiteStatus[] = $derived.by(() => {
    const q = normalize(this.text);
    const st = this.state;
    if (!q && st === 'all') return this.#store.sortedSites;
    const withMatch = new Set<string>();
    for (const d of this.#matching) withMatch.add(d.site);
    return this.#store.sortedSites.filter(
      (s) => withMatch.has(s.site) || ((st === 'all' || s.worst === st) && (!q || siteTextOf(s).includes(q))),
    );
  });
}

export const view = new FleetView(fleet);
