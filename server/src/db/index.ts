import path from 'node:path';
import type { ServerConfig } from '../config.ts';
import { migrate } from './migrations.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { Database } from './types.ts';

export type { Database } from './types.ts';

export async function openDatabase(cfg: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>): Promise<Database> {
  const db = cfg.databaseUrl ? await openPostgres(cfg.databaseUrl) : await openPglite(path.join(cfg.dataDir, 'pglite'));
  await migrate(db);
  return db;
}
