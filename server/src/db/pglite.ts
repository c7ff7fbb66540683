import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from './types.ts';

/** PGlite in a data folder (`memory://` for tests): PostgreSQL's own SQL, in process. */
export async function openPglite(dir: string): Promise<Database> {
  if (!dir.startsWith('memory://')) await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const self: Database = {
    kind: 'pglite',
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const res = await db.query<T>(sql, params);
      return { rows: res.rows };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
    session: (fn) => fn(self), // one connection only
    async ping() {
      return !db.closed;
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
  return self;
}
