// Ordered, append-only schema migrations. Never edit a shipped one: add the next.
import type { Database } from './types.ts';

export const MIGRATIONS: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'sites-devices-state',
    sql: `
      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        name TEXT,
        region TEXT,
        contract_id TEXT,
        inventory JSONB,
        agent_id TEXT,
        agent_state TEXT NOT NULL DEFAULT 'unknown',
        agent_since TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_seq BIGINT NOT NULL DEFAULT 0,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE TABLE devices (
        site_id TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
        id TEXT NOT NULL,
        segment TEXT,
        parent TEXT,
        spec JSONB,
        state TEXT NOT NULL DEFAULT 'UNKNOWN',
        since TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_sample TIMESTAMPTZ,
        status JSONB,
        PRIMARY KEY (site_id, id)
      );
      CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL DEFAULT now(),
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        detail JSONB
      );
    `,
  },
];

/** Applies pending migrations under an advisory lock so two server instances starting together don't race. */
export async function migrate(db: Database): Promise<number> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  await db.query('SELECT pg_advisory_lock(727001)');
  try {
    const { rows } = await db.query<{ id: number }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((r) => Number(r.id)));
    let applied = 0;
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      await db.exec(`BEGIN; ${m.sql}; INSERT INTO schema_migrations (id, name) VALUES (${m.id}, '${m.name}'); COMMIT;`);
      applied++;
    }
    return applied;
  } finally {
    await db.query('SELECT pg_advisory_unlock(727001)');
  }
}
