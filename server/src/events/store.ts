// Agent events kept for the dashboard's device and site history. Thumbnails are stripped: pictures live only in
// the thumbnail store, never in the database.
import type { AgentEvent } from '@camfleet/shared';
import type { Database } from '../db/types.ts';

export interface StoredEvent {
  at: string;
  kind: AgentEvent['kind'];
  device: string | null;
  data: Record<string, unknown> | null;
}

export class EventStore {
  constructor(private readonly db: Database) {}

  /** Stores an event once per (site, seq); a replay is ignored. */
  async record(ev: AgentEvent): Promise<void> {
    const data = ev.data ? { ...ev.data } : null;
    if (data) delete data.thumbnail;
    await this.db.query(
      `INSERT INTO agent_events (site_id, seq, device, kind, at, data) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (site_id, seq) DO NOTHING`,
      [ev.site, ev.seq, ev.device ?? null, ev.kind, ev.at, data ? JSON.stringify(data) : null],
    );
  }

  /** Newest first; `device` narrows to one device. */
  async list(site: string, device: string | undefined, limit: number): Promise<StoredEvent[]> {
    const { rows } = await this.db.query<{ at: Date; kind: AgentEvent['kind']; device: string | null; data: Record<string, unknown> | null }>(
      device
        ? 'SELECT at, kind, device, data FROM agent_events WHERE site_id = $1 AND device = $2 ORDER BY at DESC, id DESC LIMIT $3'
        : 'SELECT at, kind, device, data FROM agent_events WHERE site_id = $1 ORDER BY at DESC, id DESC LIMIT $2',
      device ? [site, device, limit] : [site, limit],
    );
    return rows.map((r) => ({ at: new Date(r.at).toISOString(), kind: r.kind, device: r.device, data: r.data }));
  }
}
