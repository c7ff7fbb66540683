// Keeps fleet state in the relational store so a restarted server tells the same truth (issue 4 §3).
// Writes only real state changes (state, since, conditions), batched once a second.
import type { DeviceState, DeviceStatus, SiteSpec, SiteStatus } from '@camfleet/shared';
import type { Database } from '../db/types.ts';
import type { FleetState } from './fleet-state.ts';

const FLUSH_MS = 1000;
const fingerprint = (d: DeviceStatus) => `${d.state}|${d.since}|${d.conditions.join(',')}`;
/** Rows per statement. */
const BATCH = 1000;

export class StatePersistence {
  private readonly dirtyDevices = new Map<string, DeviceStatus>();
  private readonly dirtySites = new Map<string, SiteStatus>();
  /** What the database holds per site and device (state, since, conditions): only real changes are written. */
  private readonly persisted = new Map<string, Map<string, string>>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Database, private readonly fleet: FleetState, private readonly log: (m: string) => void) {}

  async restore(): Promise<number> {
    const sites = await this.db.query<{ id: string; name: string | null; region: string | null; agent_state: string; agent_since: Date; inventory: SiteSpec | null }>(
      'SELECT id, name, region, agent_state, agent_since, inventory FROM sites',
    );
    const devices = await this.db.query<{ site_id: string; id: string; status: DeviceStatus | null; state: string; since: Date }>(
      'SELECT site_id, id, status, state, since FROM devices',
    );
    this.fleet.restore(
      sites.rows.map((s) => ({
        site: s.id,
        ...(s.name ? { name: s.name } : {}),
        ...(s.region ? { region: s.region } : {}),
        agent: s.agent_state as SiteStatus['agent'],
        agentSince: new Date(s.agent_since).toISOString(),
        worst: 'UNKNOWN',
        deviceCount: 0,
      })),
      devices.rows.map((d) => ({
        ...(d.status ?? { site: d.site_id, device: d.id, conditions: [] }),
        site: d.site_id,
        device: d.id,
        state: d.state as DeviceState,
        since: new Date(d.since).toISOString(),
      })),
    );
    for (const s of sites.rows) if (s.inventory) this.fleet.restoreSpec(s.inventory);
    for (const d of devices.rows) {
      this.remember(d.site_id, d.id, `${d.state}|${new Date(d.since).toISOString()}|${(d.status?.conditions ?? []).join(',')}`);
    }
    return devices.rows.length;
  }

  private remember(site: string, device: string, print: string): void {
    let bySite = this.persisted.get(site);
    if (!bySite) this.persisted.set(site, (bySite = new Map()));
    bySite.set(device, print);
  }

  start(): void {
    // Called for every sample applied: no key string, one fingerprint.
    this.fleet.on('device', (d) => {
      if (this.persisted.get(d.site)?.get(d.device) === fingerprint(d)) return;
      this.dirtyDevices.set(`${d.site}/${d.device}`, d);
    });
    this.fleet.on('site', (s) => this.dirtySites.set(s.site, s));
    this.timer = setInterval(() => void this.flush(), FLUSH_MS);
    this.timer.unref();
  }

  async saveInventory(spec: SiteSpec, agentId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO sites (id, name, region, contract_id, inventory, agent_id) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET name = $2, region = $3, contract_id = $4, inventory = $5, agent_id = $6, updated_at = now()`,
      [spec.id, spec.name ?? null, spec.region ?? null, spec.contractId ?? null, JSON.stringify(spec), agentId],
    );
    // One statement for all devices: an inventory of a big site is not a round trip per device.
    await this.db.query(
      `INSERT INTO devices (site_id, id, segment, parent, spec)
       SELECT $1, d->>'id', d->>'segment', d->>'parent', d FROM jsonb_array_elements($2::jsonb) AS d
       ON CONFLICT (site_id, id) DO UPDATE SET segment = EXCLUDED.segment, parent = EXCLUDED.parent, spec = EXCLUDED.spec`,
      [spec.id, JSON.stringify(spec.devices)],
    );
  }

  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch((err: unknown) => {
      this.log(`state persistence failed, will retry: ${err instanceof Error ? err.message : String(err)}`);
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    const sites = [...this.dirtySites.values()];
    const devices = [...this.dirtyDevices.entries()];
    this.dirtySites.clear();
    this.dirtyDevices.clear();
    try {
      for (let i = 0; i < sites.length; i += BATCH) {
        await this.db.query(
          `INSERT INTO sites (id, agent_state, agent_since)
           SELECT s->>'site', s->>'agent', (s->>'agentSince')::timestamptz FROM jsonb_array_elements($1::jsonb) AS s
           ON CONFLICT (id) DO UPDATE SET agent_state = EXCLUDED.agent_state, agent_since = EXCLUDED.agent_since`,
          [JSON.stringify(sites.slice(i, i + BATCH))],
        );
      }
      for (let i = 0; i < devices.length; i += BATCH) {
        const part = devices.slice(i, i + BATCH);
        await this.db.query(
          `INSERT INTO sites (id) SELECT DISTINCT d->>'site' FROM jsonb_array_elements($1::jsonb) AS d ON CONFLICT (id) DO NOTHING`,
          [JSON.stringify(part.map(([, d]) => ({ site: d.site })))],
        );
        await this.db.query(
          `INSERT INTO devices (site_id, id, segment, parent, state, since, last_sample, status)
           SELECT d->>'site', d->>'device', d->>'segment', d->>'parent', d->>'state', (d->>'since')::timestamptz,
                  (d->>'lastSample')::timestamptz, d
           FROM jsonb_array_elements($1::jsonb) AS d
           ON CONFLICT (site_id, id) DO UPDATE SET state = EXCLUDED.state, since = EXCLUDED.since,
             last_sample = EXCLUDED.last_sample, status = EXCLUDED.status`,
          [JSON.stringify(part.map(([, d]) => d))],
        );
        for (const [, d] of part) this.remember(d.site, d.device, fingerprint(d));
      }
    } catch (err) {
      // Put them back so nothing is lost while the database is away.
      for (const s of sites) if (!this.dirtySites.has(s.site)) this.dirtySites.set(s.site, s);
      for (const [k, d] of devices) if (!this.dirtyDevices.has(k)) this.dirtyDevices.set(k, d);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
