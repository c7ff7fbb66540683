// The audit log (issue 8 §1): every operator action and every login, with who, when and from where.
// Writing it must never fail the action it records — a database hiccup is logged instead.
import type { Database } from '../db/types.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  target?: string;
  detail?: unknown;
  ip?: string;
}

export interface AuditRow extends Required<Omit<AuditEntry, 'detail'>> {
  id: number;
  at: string;
  detail: unknown;
}

export class AuditLog {
  constructor(private readonly db: Database, private readonly log: (msg: string) => void) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.query('INSERT INTO audit (actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5)', [
      entry.actor, entry.action, entry.target ?? null, entry.detail === undefined ? null : JSON.stringify(entry.detail), entry.ip ?? null,
    ]).catch(() => this.log(`audit: could not record ${entry.action} by ${entry.actor}; the database did not answer`));
  }

  async list(opts: { limit: number; before?: number; actor?: string; action?: string }): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.before) where.push(`id < $${params.push(opts.before)}`);
    if (opts.actor) where.push(`actor = $${params.push(opts.actor)}`);
    if (opts.action) where.push(`action LIKE $${params.push(`${opts.action}%`)}`);
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT id, at, actor, action, target, detail, ip FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY id DESC LIMIT $${params.push(opts.limit)}`, params);
    return rows.map((r) => ({
      id: Number(r.id), at: new Date(r.at as string).toISOString(), actor: String(r.actor), action: String(r.action),
      target: r.target == null ? '' : String(r.target), detail: typeof r.detail === 'string' ? JSON.parse(r.detail) as unknown : r.detail ?? null,
      ip: r.ip == null ? '' : String(r.ip),
    }));
  }
}
