// Maintenance windows per site or device: while one is in force, no new case opens for what it covers and no
// notification goes out for it (issue 5 §2). Windows are kept in memory and reloaded every few seconds, so a window
// created through another server instance takes effect here too.
import type { MaintenanceWindow } from '@camfleet/shared';
import type { Database } from '../db/types.ts';
import { toWindow } from './rows.ts';

export interface NewWindow {
  site: string;
  device: string | null;
  start: number;
  end: number;
  reason: string | null;
  actor: string;
}

const ts = (ms: number) => new Date(ms).toISOString();

export class MaintenanceStore {
  private windows: MaintenanceWindow[] = [];

  constructor(private readonly db: Database) {}

  /** Reloads the windows that have not ended yet. */
  async reload(now: number): Promise<void> {
    const { rows } = await this.db.query('SELECT * FROM maintenance_windows WHERE ends_at > $1 ORDER BY id', [ts(now)]);
    this.windows = rows.map(toWindow);
  }

  /** What is silenced at `at`: the whole site, or these devices. */
  silenced(site: string, at: number): { site: boolean; devices: Set<string> } {
    const out = { site: false, devices: new Set<string>() };
    for (const w of this.windows) {
      if (w.site !== site || Date.parse(w.start) > at || Date.parse(w.end) <= at) continue;
      if (w.device === null) out.site = true;
      else out.devices.add(w.device);
    }
    return out;
  }

  /** True when a notification about `device` (null: the site itself) at `site` is silenced at `at`. */
  isSilenced(site: string, device: string | null, at: number): boolean {
    const s = this.silenced(site, at);
    return s.site || (device !== null && s.devices.has(device));
  }

  async create(w: NewWindow, now: number): Promise<MaintenanceWindow> {
    const { rows } = await this.db.query(
      `INSERT INTO maintenance_windows (site_id, device_id, starts_at, ends_at, reason, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [w.site, w.device, ts(w.start), ts(w.end), w.reason, w.actor, ts(now)],
    );
    await this.reload(now);
    return toWindow(rows[0]!);
  }

  async list(f: { site?: string; activeAt?: number; includeEnded: boolean; now: number }): Promise<MaintenanceWindow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.site) {
      params.push(f.site);
      where.push(`site_id = $${params.length}`);
    }
    if (f.activeAt !== undefined) {
      params.push(ts(f.activeAt));
      where.push(`starts_at <= $${params.length} AND ends_at > $${params.length}`);
    } else if (!f.includeEnded) {
      params.push(ts(f.now));
      where.push(`ends_at > $${params.length}`);
    }
    const { rows } = await this.db.query(
      `SELECT * FROM maintenance_windows ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY starts_at, id LIMIT 1000`,
      params,
    );
    return rows.map(toWindow);
  }

  async remove(id: number, now: number): Promise<boolean> {
    const { rows } = await this.db.query('DELETE FROM maintenance_windows WHERE id = $1 RETURNING id', [id]);
    await this.reload(now);
    return rows.length > 0;
  }
}
