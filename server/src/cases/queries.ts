// Reading cases for the API, and the operators' own actions (acknowledge, comment, assign, close). There are no
// logins yet: every action records the `actor` string it was given, and when.
import type { CaseLogEntry, CaseRecord, CaseState, NotificationRecord, ResponsibleParty } from '@camfleet/shared';
import type { Database } from '../db/types.ts';
import { CASE_COLUMNS, toCase, toLogEntry, toNotification, type Row } from './rows.ts';

export interface CaseFilter {
  state?: CaseState | 'active';
  site?: string;
  responsible?: ResponsibleParty;
  limit: number;
  /** Only cases with a smaller id (paging from the newest). */
  before?: number;
}

/** Why an operator action was refused: the case does not exist, or its state does not allow it. */
export type ActionOutcome = { ok: true; record: CaseRecord } | { ok: false; reason: 'not-found' | 'state'; state?: CaseState };

const ts = (ms: number) => new Date(ms).toISOString();

export class CaseQueries {
  constructor(private readonly db: Database) {}

  async list(f: CaseFilter): Promise<CaseRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.state === 'active') where.push(`state IN ('open', 'acknowledged')`);
    else if (f.state) add('state = ?', f.state);
    if (f.site) add('site_id = ?', f.site);
    if (f.responsible) add('responsible = ?', f.responsible);
    if (f.before !== undefined) add('id < ?', f.before);
    params.push(f.limit);
    const { rows } = await this.db.query(
      `SELECT ${CASE_COLUMNS} FROM cases ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toCase);
  }

  async get(id: number): Promise<CaseRecord | null> {
    const { rows } = await this.db.query(`SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1`, [id]);
    return rows[0] ? toCase(rows[0]) : null;
  }

  async log(id: number): Promise<CaseLogEntry[]> {
    const { rows } = await this.db.query('SELECT at, actor, action, detail FROM case_log WHERE case_id = $1 ORDER BY id', [id]);
    return rows.map(toLogEntry);
  }

  /** The case's notification log: every message that carried one of its events. */
  async notifications(id: number): Promise<NotificationRecord[]> {
    const { rows } = await this.db.query(`SELECT * FROM notifications WHERE case_ids @> $1::jsonb ORDER BY id`, [JSON.stringify([id])]);
    return rows.map(toNotification);
  }

  private async change(id: number, sql: string, params: unknown[], allowed: CaseState[]): Promise<ActionOutcome> {
    const { rows } = await this.db.query(sql, [id, ...params]);
    if (rows[0]) return { ok: true, record: toCase(rows[0]) };
    const current = await this.get(id);
    if (!current) return { ok: false, reason: 'not-found' };
    return allowed.includes(current.state) ? { ok: true, record: current } : { ok: false, reason: 'state', state: current.state };
  }

  /** open → acknowledged; acknowledging an acknowledged case changes nothing. */
  acknowledge(id: number, actor: string, at: number, comment?: string): Promise<ActionOutcome> {
    return this.change(id,
      `WITH up AS (UPDATE cases SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3, updated_at = $2
         WHERE id = $1 AND state = 'open' RETURNING ${CASE_COLUMNS}),
       lg AS (INSERT INTO case_log (case_id, at, actor, action, detail)
         SELECT id, $2, $3, 'acknowledged', jsonb_strip_nulls(jsonb_build_object('comment', $4::text)) FROM up)
       SELECT * FROM up`,
      [ts(at), actor, comment ?? null], ['acknowledged']);
  }

  comment(id: number, actor: string, at: number, text: string): Promise<ActionOutcome> {
    return this.change(id,
      `WITH up AS (UPDATE cases SET updated_at = $2 WHERE id = $1 RETURNING ${CASE_COLUMNS}),
       lg AS (INSERT INTO case_log (case_id, at, actor, action, detail) SELECT id, $2, $3, 'comment', jsonb_build_object('text', $4::text) FROM up)
       SELECT * FROM up`,
      [ts(at), actor, text], []);
  }

  assign(id: number, actor: string, at: number, assignee: string): Promise<ActionOutcome> {
    return this.change(id,
      `WITH up AS (UPDATE cases SET assignee = $4, updated_at = $2 WHERE id = $1 AND state <> 'closed' RETURNING ${CASE_COLUMNS}),
       lg AS (INSERT INTO case_log (case_id, at, actor, action, detail) SELECT id, $2, $3, 'assigned', jsonb_build_object('assignee', $4::text) FROM up)
       SELECT * FROM up`,
      [ts(at), actor, assignee], []);
  }

  /** resolved → closed; closing a closed case changes nothing. */
  close(id: number, actor: string, at: number, comment?: string): Promise<ActionOutcome> {
    return this.change(id,
      `WITH up AS (UPDATE cases SET state = 'closed', closed_at = $2, closed_by = $3, updated_at = $2 WHERE id = $1 AND state = 'resolved' RETURNING ${CASE_COLUMNS}),
       lg AS (INSERT INTO case_log (case_id, at, actor, action, detail)
         SELECT id, $2, $3, 'closed', jsonb_strip_nulls(jsonb_build_object('comment', $4::text)) FROM up)
       SELECT * FROM up`,
      [ts(at), actor, comment ?? null], ['closed']);
  }

  /** Every site-wide case that overlaps [from, to) — the outage report's input. */
  async siteWide(from: number, to: number, site?: string): Promise<Row[]> {
    const { rows } = await this.db.query(
      `SELECT id, site_id, root_cause, fault, side, responsible, opened_at, resolved_at, closed_at FROM cases
       WHERE site_wide AND opened_at < $2 AND (resolved_at IS NULL OR resolved_at > $1) ${site ? 'AND site_id = $3' : ''}
       ORDER BY site_id, opened_at`,
      site ? [ts(from), ts(to), site] : [ts(from), ts(to)],
    );
    return rows;
  }
}

