// Applies the engine's commands and the operators' actions to the case tables. Each change is one SQL statement
// (data-modifying CTEs): the case row, its log entry and the event that notifies commit together. The partial unique
// index `cases_one_active` keeps one active case per (site, root cause, fault) even when two server instances open
// the same case at once (ON CONFLICT turns the second into a refresh).
import type { AfterTheFact, CaseRecord } from '@camfleet/shared';
import type { Database } from '../db/types.ts';
import type { CaseDraft } from './draft.ts';
import type { ActiveCase } from './engine.ts';
import { CASE_COLUMNS, int, toCase, type Row } from './rows.ts';

/** A changed case and, when the change notifies, the event kind. */
export interface CaseChange {
  record: CaseRecord;
  event?: 'opened' | 'resolved';
  /** What the engine needs of the row now (the active-case cache); null once the case is no longer active. */
  active?: ActiveCase | null;
}

export const SYSTEM_ACTOR = 'camfleet';
const ACTIVE = `state IN ('open', 'acknowledged')`;
const ts = (ms: number) => new Date(ms).toISOString();
const ACTIVE_COLUMNS = 'id, site_id, root_cause, fault, flapping, last_seen, signature';

function toActive(r: Row): ActiveCase {
  return {
    id: int(r.id),
    rootCause: String(r.root_cause),
    fault: String(r.fault),
    flapping: r.flapping === true,
    lastSeenMs: new Date(r.last_seen as string).getTime(),
    signature: String(r.signature),
  };
}

/** A changed row as a CaseChange, with its cache entry. */
function changed(r: Row, event?: 'opened' | 'resolved'): CaseChange {
  const state = String(r.state);
  return { record: toCase(r), ...(event ? { event } : {}), active: state === 'open' || state === 'acknowledged' ? toActive(r) : null };
}

/** Recurrence window (DOMAIN §4.3: the same failure within 3 months of a repair). */
const RECURRENCE = `interval '3 months'`;

export class CaseStore {
  constructor(private readonly db: Database) {}

  async active(site: string): Promise<ActiveCase[]> {
    const { rows } = await this.db.query(`SELECT ${ACTIVE_COLUMNS} FROM cases WHERE site_id = $1 AND ${ACTIVE}`, [site]);
    return rows.map(toActive);
  }

  /** Every active case of the fleet by site: one query (the partial index `cases_one_active` covers it). */
  async allActive(): Promise<Map<string, ActiveCase[]>> {
    const { rows } = await this.db.query(`SELECT ${ACTIVE_COLUMNS} FROM cases WHERE ${ACTIVE}`);
    const bySite = new Map<string, ActiveCase[]>();
    for (const r of rows) {
      const site = String(r.site_id);
      let list = bySite.get(site);
      if (!list) bySite.set(site, (list = []));
      list.push(toActive(r));
    }
    return bySite;
  }

  async open(d: CaseDraft, o: { flapping: boolean; firstSeen: number; at: number; suppressed: boolean }): Promise<CaseChange | null> {
    const { rows } = await this.db.query(
      `WITH up AS (
         INSERT INTO cases (site_id, root_cause, fault, segment, responsible, side, severity, priority, state, flapping, site_wide,
           recurrence_of, affected, detail, signature, first_seen, opened_at, last_seen, updated_at)
         SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::int, 'open', $9::boolean, $10::boolean,
           (SELECT p.id FROM cases p WHERE p.site_id = $1 AND p.root_cause = $2 AND p.fault = $3 AND p.resolved_at IS NOT NULL
              AND p.resolved_at >= $14::timestamptz - ${RECURRENCE} ORDER BY p.resolved_at DESC LIMIT 1),
           $11::jsonb, $12::jsonb, $13::text, $15::timestamptz, $14::timestamptz, $14::timestamptz, $14::timestamptz
         -- An operator resolved this episode's case while the fault was still there: no new case until it recovers.
         WHERE NOT EXISTS (SELECT 1 FROM cases p WHERE p.site_id = $1 AND p.root_cause = $2 AND p.fault = $3
           AND p.resolved_at >= $15::timestamptz AND p.resolved_by IS DISTINCT FROM '${SYSTEM_ACTOR}')
         ON CONFLICT (site_id, root_cause, fault) WHERE ${ACTIVE}
         DO UPDATE SET last_seen = EXCLUDED.last_seen, updated_at = EXCLUDED.updated_at
         RETURNING ${CASE_COLUMNS}, (xmax = 0) AS inserted
       ),
       ev AS (
         INSERT INTO case_events (case_id, site_id, kind, at, idempotency_key, suppressed)
         SELECT id, site_id, 'opened', $14, 'case-' || id || '-opened', $16 FROM up WHERE inserted
         ON CONFLICT (idempotency_key) DO NOTHING
       ),
       lg AS (
         INSERT INTO case_log (case_id, at, actor, action, detail)
         SELECT id, $14, '${SYSTEM_ACTOR}', 'opened', jsonb_build_object('flapping', $9::boolean, 'recurrenceOf', recurrence_of, 'suppressed', $16::boolean)
         FROM up WHERE inserted
       )
       SELECT * FROM up`,
      [d.site, d.rootCause, d.fault, d.segment, d.responsible, d.side, d.severity, d.priority, o.flapping, d.siteWide,
        JSON.stringify(d.affected), JSON.stringify(d.detail), d.signature, ts(o.at), ts(o.firstSeen), o.suppressed],
    );
    const r = rows[0];
    if (!r) return null;
    return r.inserted === true ? changed(r, 'opened') : changed(r);
  }

  async refresh(id: number, d: CaseDraft, o: { flapping: boolean; repeat: boolean; at: number }): Promise<CaseChange | null> {
    const { rows } = await this.db.query(
      `WITH old AS (SELECT flapping FROM cases WHERE id = $1),
       up AS (
         UPDATE cases SET last_seen = $2, affected = $3::jsonb, detail = $4::jsonb, signature = $5, severity = $6, priority = $7,
           site_wide = $8, flapping = $9, repeat_count = repeat_count + $10, updated_at = $2
         WHERE id = $1 AND ${ACTIVE} RETURNING ${CASE_COLUMNS}
       ),
       lg AS (
         INSERT INTO case_log (case_id, at, actor, action, detail)
         SELECT up.id, $2, '${SYSTEM_ACTOR}', CASE WHEN $10 = 1 THEN 'repeated' ELSE 'flapping' END, jsonb_build_object('flapping', $9::boolean)
         FROM up, old WHERE $10 = 1 OR old.flapping <> $9
       )
       SELECT * FROM up`,
      [id, ts(o.at), JSON.stringify(d.affected), JSON.stringify(d.detail), d.signature, d.severity, d.priority, d.siteWide, o.flapping, o.repeat ? 1 : 0],
    );
    return rows[0] ? changed(rows[0]) : null;
  }

  async setFlapping(id: number, flapping: boolean, at: number): Promise<CaseChange | null> {
    const { rows } = await this.db.query(
      `WITH up AS (UPDATE cases SET flapping = $2, updated_at = $3 WHERE id = $1 AND ${ACTIVE} AND flapping <> $2 RETURNING ${CASE_COLUMNS}),
       lg AS (INSERT INTO case_log (case_id, at, actor, action, detail) SELECT id, $3, '${SYSTEM_ACTOR}', 'flapping', jsonb_build_object('flapping', $2::boolean) FROM up)
       SELECT * FROM up`,
      [id, flapping, ts(at)],
    );
    return rows[0] ? changed(rows[0]) : null;
  }

  /** Resolves an active case (by the engine or an operator); the first resolution notifies. */
  async resolve(id: number, o: { at: number; actor: string; reason: string; comment?: string; suppressed: boolean }): Promise<CaseChange | null> {
    const { rows } = await this.db.query(
      `WITH up AS (UPDATE cases SET state = 'resolved', resolved_at = $2, resolved_by = $3, updated_at = $2 WHERE id = $1 AND ${ACTIVE} RETURNING ${CASE_COLUMNS}),
       ev AS (
         INSERT INTO case_events (case_id, site_id, kind, at, idempotency_key, suppressed)
         SELECT id, site_id, 'resolved', $2, 'case-' || id || '-resolved', $6 FROM up ON CONFLICT (idempotency_key) DO NOTHING
       ),
       lg AS (
         INSERT INTO case_log (case_id, at, actor, action, detail)
         SELECT id, $2, $3, 'resolved', jsonb_strip_nulls(jsonb_build_object('reason', $4::text, 'comment', $5::text)) FROM up
       )
       SELECT * FROM up`,
      [id, ts(o.at), o.actor, o.reason, o.comment ?? null, o.suppressed],
    );
    return rows[0] ? changed(rows[0], 'resolved') : null;
  }

  /** Records what the agent's buffered telemetry showed (agent-offline cases); logs it when it changed. */
  async afterTheFact(id: number, found: AfterTheFact, at: number): Promise<CaseChange | null> {
    const { rows } = await this.db.query(
      `WITH old AS (SELECT detail->'afterTheFact' AS prev FROM cases WHERE id = $1),
       up AS (
         UPDATE cases SET detail = jsonb_set(detail, '{afterTheFact}', $2::jsonb), segment = COALESCE($3, segment),
           responsible = COALESCE($4, responsible), updated_at = $5
         WHERE id = $1 AND (detail->'afterTheFact') IS DISTINCT FROM $2::jsonb RETURNING ${CASE_COLUMNS}
       ),
       lg AS (
         INSERT INTO case_log (case_id, at, actor, action, detail)
         SELECT up.id, $5, '${SYSTEM_ACTOR}', 'root-cause-found', jsonb_build_object('rootCause', $6::text, 'cause', $7::text)
         FROM up, old WHERE old.prev IS NULL OR old.prev->>'rootCause' IS DISTINCT FROM $6::text
       )
       SELECT * FROM up`,
      [id, JSON.stringify(found), found.segment, found.responsible, ts(at), found.rootCause, found.cause],
    );
    return rows[0] ? { record: toCase(rows[0]) } : null;
  }

  /** Resolved cases turn closed after `closeAfterMs`. */
  async closeResolved(before: number, at: number): Promise<CaseChange[]> {
    const { rows } = await this.db.query(
      `WITH up AS (UPDATE cases SET state = 'closed', closed_at = $2, closed_by = '${SYSTEM_ACTOR}', updated_at = $2
         WHERE state = 'resolved' AND resolved_at < $1 RETURNING ${CASE_COLUMNS}),
       lg AS (INSERT INTO case_log (case_id, at, actor, action) SELECT id, $2, '${SYSTEM_ACTOR}', 'closed' FROM up)
       SELECT * FROM up`,
      [ts(before), ts(at)],
    );
    return rows.map((r: Row) => ({ record: toCase(r) }));
  }
}
