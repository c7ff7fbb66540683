// Keeps fleet state in the relational store so a restarted server tells the same truth (issue 4 §3).
// Writes only real state changes (state, since, conditions), batched once a second.
import type { DeviceState, DeviceStatus, SiteSpec, SiteStatus } from '@camfleet/shared';
import type { Database } from '../db/types.ts';
import type { FleetState } from './fleet-state.ts';

const FLUSH_MS = 1000;

export class StatePersistence {
  private readonly dirtyDevices = new Map<string, DeviceStatus>();
  private readonly dirtySites = new Map<string, SiteStatus>();
  private readonly persisted = new Map<string, string>();
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
      this.persisted.set(`${d.site_id}/${d.id}`, `${d.state}|${new Date(d.since).toISOString()}|${(d.status?.conditions ?? []).join(',')}`);
    }
    return devices.rows.length;
  }

  start(): void {
    this.fleet.on('device', (d) => {
      const key = `${d.site}/${d.device}`;
      if (this.persisted.get(key) !== `${d.state}|${d.since}|${d.conditions.join(',')}`) this.dirtyDevices.set(key, d);
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
    for (const d of spec.devices) {
      await this.db.query(
        `INSERT INTO devices (site_id, id, segment, parent, spec) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (site_id, id) DO UPDATE SET segment = $3, parent = $4, spec = $5`,
        [spec.id, d.id, d.segment, d.parent ?? null, JSON.stringify(d)],
      );
    }
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
      for (const s of sites) {
        await this.db.query(
          `INSERT INTO sites (id, agent_state, agent_since) VALUES ($1, $2, $3)
           ON CONFLICT (id) DO UPDATE SET agent_state = $2, agent_since = $3`,
          [s.site, s.agent, s.agentSince],
        );
      }
      for (const [key, d] of devices) {
        await this.db.query(
          `INSERT INTO devices (site_id, id, segment, parent, state, since, last_sample, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (site_id, id) DO UPDATE SET state = $5, since = $6, last_sample = $7, status = $8`,
          [d.site, d.device, d.segment ?? null, d.parent ?? null, d.state, d.since, d.lastSample ?? null, JSON.stringify(d)],
        );
        this.persisted.set(key, `${d.state}|${d.since}|${d.conditions.join(',')}`);
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
