// Ordered, append-only schema migrations: one .sql file each in ./migrations, applied in name order.
// Never edit a shipped one: add the next (NNN-what.sql). The same SQL runs on PostgreSQL and PGlite.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './types.ts';

const DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'migrations');

export function loadMigrations(): { id: number; name: string; sql: string }[] {
  return readdirSync(DIR)
    .filter((f) => /^\d{3}-[a-z0-9-]+\.sql$/.test(f))
    .sort()
    .map((f, i, all) => {
      const twin = all.find((g, j) => j !== i && g.slice(0, 3) === f.slice(0, 3));
      if (twin) throw new Error(`migrations ${f} and ${twin} share the number ${f.slice(0, 3)}; renumber one`);
      return { id: Number(f.slice(0, 3)), name: f.slice(4, -4), sql: readFileSync(path.join(DIR, f), 'utf8') };
    });
}

/** Applies pending migrations under an advisory lock so two server instances starting together don't race. */
export function migrate(database: Database): Promise<number> {
  return database.session((db) => migrateOn(db));
}

async function migrateOn(db: Pick<Database, 'query' | 'exec'>): Promise<number> {
  // Lock first: two concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalogue.
  await db.query('SELECT pg_advisory_lock(727001)');
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await db.query<{ id: number }>('SELECT id FROM schema_migrations');
    const done = new Set(rows.map((r) => Number(r.id)));
    let applied = 0;
    for (const m of loadMigrations()) {
      if (done.has(m.id)) continue;
      try {
        await db.exec(`BEGIN;\n${m.sql}\nINSERT INTO schema_migrations (id, name) VALUES (${m.id}, '${m.name}');\nCOMMIT;`);
      } catch (err) {
        await db.exec('ROLLBACK').catch(() => {}); // leave the connection usable; the error names the migration
        throw new Error(`migration ${m.id}-${m.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      applied++;
    }
    return applied;
  } finally {
    await db.query('SELECT pg_advisory_unlock(727001)');
  }
}
