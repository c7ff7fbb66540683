// What the overview tables show: filters over the store's sorted lists (O(n) per change, no O(n²)).
// Device filters (text, state, segment, maker) pick devices; site filters (region, responsible party of the
// site's root cause) pick sites, and the devices table shows only devices of picked sites.
import {
  DEVICE_STATES,
  PARTIES,
  SEGMENTS,
  type DeviceState,
  type DeviceStatus,
  type Region,
  type ResponsibleParty,
  type Segment,
  type SiteStatus,
} from '@camfleet/shared';
import { fleet, type FleetStore } from './fleet.svelte.ts';
import { siteParty } from './responsibility.ts';

export type StateFilter = DeviceState | 'all';
export type RegionFilter = Region | 'all';
export type SegmentFilter = Segment | 'all';
export type PartyFilter = ResponsibleParty | 'all';
export const REGIONS: readonly Region[] = ['east', 'west'];
export const isStateFilter = (v: string): v is StateFilter => v === 'all' || DEVICE_STATES.includes(v as DeviceState);
export const isRegionFilter = (v: string): v is RegionFilter => v === 'all' || REGIONS.includes(v as Region);
export const isSegmentFilter = (v: string): v is SegmentFilter => v === 'all' || SEGMENTS.includes(v as Segment);
export const isPartyFilter = (v: string): v is PartyFilter => v === 'all' || PARTIES.includes(v as ResponsibleParty);

/** Case-, width- and kana-insensitive enough for ids and names typed on a Japanese keyboard. */
export const normalize = (s: string): string => s.normalize('NFKC').toLowerCase().trim();

// Status objects are immutable (replaced on change), so their search text can be cached per object.
const deviceText = new WeakMap<DeviceStatus, string>();
const siteText = new WeakMap<SiteStatus, string>();

function textOf(d: DeviceStatus): string {
  let s = deviceText.get(d);
  if (s === undefined) {
    const info = d.info;
    s = normalize(`${d.site}\n${d.device}\n${d.name ?? ''}\n${info?.vendor ?? ''}\n${info?.model ?? ''}\n${info?.serial ?? ''}`);
    deviceText.set(d, s);
  }
  return s;
}

function siteTextOf(s: SiteStatus): string {
  let t = siteText.get(s);
  if (t === undefined) siteText.set(s, (t = normalize(`${s.site}\n${s.name ?? ''}`)));
  return t;
}

export class FleetView {
  /** Free text matched against site id/name and device id/name/maker/model/serial. */
  text = $state('');
  state = $state<StateFilter>('all');
  region = $state<RegionFilter>('all');
  segment = $state<SegmentFilter>('all');
  /** A maker as reported in DeviceStatus.info.vendor, or '' for all. */
  maker = $state('');
  party = $state<PartyFilter>('all');
  /** A site picked in the sites list: the devices table shows only its devices. */
  site = $state<string | null>(null);

  #store: FleetStore;
  constructor(store: FleetStore) {
    this.#store = store;
  }

  get active(): boolean {
    return (
      this.text.trim() !== '' ||
      this.state !== 'all' ||
      this.region !== 'all' ||
      this.segment !== 'all' ||
      this.maker !== '' ||
      this.party !== 'all' ||
      this.site !== null
    );
  }

  clear(): void {
    this.text = '';
    this.state = 'all';
    this.region = 'all';
    this.segment = 'all';
    this.maker = '';
    this.party = 'all';
    this.site = null;
  }

  /** Sites passing the site filters (region, responsible party); null when none is set. */
  readonly #siteFilter: Set<string> | null = $derived.by(() => {
    const region = this.region;
    const party = this.party;
    if (region === 'all' && party === 'all') return null;
    const devices = this.#store.devices;
    const out = new Set<string>();
    for (const s of this.#store.sortedSites) {
      if (region !== 'all' && s.region !== region) continue;
      if (party !== 'all' && siteParty(s, devices) !== party) continue;
      out.add(s.site);
    }
    return out;
  });

  /** Devices matching the device filters and the site filters, ignoring the picked site. */
  readonly #matching: DeviceStatus[] = $derived.by(() => {
    const q = normalize(this.text);
    const { state: st, segment: seg, maker } = this;
    const sites = this.#siteFilter;
    if (!q && st === 'all' && seg === 'all' && !maker && !sites) return this.#store.sortedDevices;
    return this.#store.sortedDevices.filter(
      (d) =>
        (st === 'all' || d.state === st) &&
        (seg === 'all' || d.segment === seg) &&
        (!maker || d.info?.vendor === maker) &&
        (!sites || sites.has(d.site)) &&
        (!q || textOf(d).includes(q)),
    );
  });

  readonly devices: DeviceStatus[] = $derived.by(() => {
    const site = this.site;
    return site === null ? this.#matching : this.#matching.filter((d) => d.site === site);
  });

  /** Sites passing the site filters whose own id/name/worst state match, or that hold a matching device. */
  readonly sites: SiteStatus[] = $derived.by(() => {
    const q = normalize(this.text);
    const { state: st, segment: seg, maker } = this;
    const sites = this.#siteFilter;
    const deviceFilters = q !== '' || st !== 'all' || seg !== 'all' || maker !== '';
    if (!deviceFilters && !sites) return this.#store.sortedSites;
    const withMatch = new Set<string>();
    if (deviceFilters) for (const d of this.#matching) withMatch.add(d.site);
    // A site can match on its own (id/name, worst state) only while no device-only filter is set.
    const selfMatch = seg === 'all' && !maker;
    return this.#store.sortedSites.filter(
      (s) =>
        (!sites || sites.has(s.site)) &&
        (!deviceFilters ||
          withMatch.has(s.site) ||
          (selfMatch && (st === 'all' || s.worst === st) && (!q || siteTextOf(s).includes(q)))),
    );
  });
}

export const view = new FleetView(fleet);
