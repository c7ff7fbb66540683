// The relational store: PostgreSQL in production, PGlite in the embedded default — the same SQL and
// migrations run on both, so only this thin interface differs.
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs several statements (migrations); no parameters. */
  exec(sql: string): Promise<void>;
  /** Runs fn on one connection (advisory locks, transactions): a pool would spread it over several. */
  session<T>(fn: (db: Pick<Database, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  /** Cheap liveness check for /healthz. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
