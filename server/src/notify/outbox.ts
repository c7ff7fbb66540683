// The durable notification outbox. Case events wait in `case_events`; once a site's oldest waiting event is older
// than the grouping window, all of that site's waiting events become one message per notifier (rows in
// `notifications`, rendered once so every retry sends the same content). Delivery claims due rows with
// FOR UPDATE SKIP LOCKED and a lease, so several server instances share the work and a crash mid-send only means
// the message goes again (at least once; receivers dedupe on the idempotency key). Failed attempts are retried on
// the configured schedule; after the last one the message is a dead letter, listed by the API.
import type { CaseRecord, NotificationRecord, SiteSpec } from '@camfleet/shared';
import { CASE_COLUMNS, int, iso, toCase, toNotification, type Row } from '../cases/rows.ts';
import type { Database } from '../db/types.ts';
import type { NotifierRegistry } from './registry.ts';
import { DeliveryError, type CaseEventKind, type NotificationGroup } from './types.ts';

export interface OutboxOptions {
  groupWindowMs: number;
  retryScheduleMs: readonly number[];
  /** How long a claimed row stays with its claimer before another instance may retry it. */
  leaseMs: number;
  siteSpec: (site: string) => SiteSpec | undefined;
  log: (msg: string) => void;
}

const ts = (ms: number) => new Date(ms).toISOString();
const BATCH = 20;

export class Outbox {
  constructor(private readonly db: Database, private readonly notifiers: NotifierRegistry, private readonly opts: OutboxOptions) {}

  get kinds(): string[] {
    return Object.keys(this.notifiers);
  }

  /** Groups every site whose oldest waiting event has waited the window out. Returns the messages created. */
  async group(now: number): Promise<number> {
    const { rows } = await this.db.query(
      `SELECT site_id FROM case_events WHERE grouped_at IS NULL AND NOT suppressed GROUP BY site_id HAVING min(at) <= $1`,
      [ts(now - this.opts.groupWindowMs)],
    );
    let created = 0;
    for (const r of rows) created += await this.groupSite(String(r.site_id), now);
    return created;
  }

  private groupSite(site: string, now: number): Promise<number> {
    return this.db.session(async (tx) => {
      await tx.exec('BEGIN');
      try {
        const { rows: events } = await tx.query(
          `SELECT id, case_id, kind, at, idempotency_key FROM case_events
           WHERE site_id = $1 AND grouped_at IS NULL AND NOT suppressed ORDER BY id FOR UPDATE SKIP LOCKED`,
          [site],
        );
        const ids = events.map((e) => int(e.id));
        if (ids.length === 0) {
          await tx.exec('COMMIT');
          return 0;
        }
        const key = `camfleet-${site}-${ids[0]}-${ids.at(-1)}-${ids.length}`;
        const caseIds = [...new Set(events.map((e) => int(e.case_id)))];
        const { rows: caseRows } = await tx.query(
          `SELECT ${CASE_COLUMNS} FROM cases WHERE id IN (SELECT (jsonb_array_elements_text($1::jsonb))::bigint)`,
          [JSON.stringify(caseIds)],
        );
        const cases = new Map(caseRows.map((r: Row) => [int(r.id), toCase(r)]));
        const group = this.buildGroup(site, key, now, events, cases);
        let created = 0;
        for (const [kind, notifier] of Object.entries(this.notifiers)) {
          const { rows: inserted } = await tx.query(
            `INSERT INTO notifications (notifier, site_id, idempotency_key, state, attempts, next_attempt_at, payload, case_ids, events, created_at)
             VALUES ($1, $2, $3, 'pending', 0, $4, $5::jsonb, $6::jsonb, $7::jsonb, $4) ON CONFLICT (notifier, idempotency_key) DO NOTHING RETURNING id`,
            [kind, site, key, ts(now), JSON.stringify(notifier.render(group)), JSON.stringify(caseIds),
              JSON.stringify(group.events.map((e) => e.idempotencyKey))],
          );
          created += inserted.length;
        }
        await tx.query(
          `UPDATE case_events SET grouped_at = $1, group_key = $2 WHERE id IN (SELECT (jsonb_array_elements_text($3::jsonb))::bigint)`,
          [ts(now), key, JSON.stringify(ids)],
        );
        await tx.exec('COMMIT');
        return created;
      } catch (err) {
        await tx.exec('ROLLBACK').catch(() => {});
        throw err;
      }
    });
  }

  private buildGroup(site: string, key: string, now: number, events: Row[], cases: Map<number, CaseRecord>): NotificationGroup {
    const spec = this.opts.siteSpec(site);
    return {
      idempotencyKey: key,
      site: {
        id: site,
        name: spec?.name ?? null,
        contractId: spec?.contractId ?? null,
        address: typeof spec?.address === 'string' ? spec.address : null,
        region: spec?.region ?? null,
      },
      spec,
      createdAt: ts(now),
      events: events.flatMap((e) => {
        const c = cases.get(int(e.case_id));
        return c ? [{ idempotencyKey: String(e.idempotency_key), kind: String(e.kind) as CaseEventKind, at: iso(e.at), case: c }] : [];
      }),
    };
  }

  /** Sends every due message once; returns how many were sent. */
  async deliver(now: number): Promise<number> {
    const { rows } = await this.db.query(
      `UPDATE notifications SET state = 'sending', attempts = attempts + 1, locked_until = $2
       WHERE id IN (
         SELECT id FROM notifications
         WHERE (state = 'pending' AND next_attempt_at <= $1) OR (state = 'sending' AND locked_until <= $1)
         ORDER BY next_attempt_at, id LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
       RETURNING id, notifier, idempotency_key, attempts, payload`,
      [ts(now), ts(now + this.opts.leaseMs)],
    );
    const results = await Promise.all(rows.map((r) => this.attempt(r, now)));
    return results.filter(Boolean).length;
  }

  private async attempt(r: Row, now: number): Promise<boolean> {
    const id = int(r.id);
    const attempts = int(r.attempts);
    const notifier = this.notifiers[String(r.notifier)];
    let error: string;
    if (!notifier) {
      error = `notifier "${String(r.notifier)}" is not configured`;
    } else {
      try {
        const payload = typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload;
        await notifier.send(payload, { idempotencyKey: String(r.idempotency_key), attempt: attempts });
        await this.db.query(`UPDATE notifications SET state = 'sent', sent_at = $2, locked_until = NULL, last_error = NULL WHERE id = $1`, [id, ts(now)]);
        return true;
      } catch (err) {
        error = err instanceof DeliveryError ? err.message : 'delivery failed';
        if (!(err instanceof DeliveryError)) this.opts.log(`notification ${id} (${String(r.notifier)}): unexpected error: ${String(err)}`);
      }
    }
    const delay = notifier ? this.opts.retryScheduleMs[attempts - 1] : undefined;
    if (delay === undefined) {
      this.opts.log(`notification ${id} (${String(r.notifier)}) is a dead letter after ${attempts} attempt(s): ${error}`);
      await this.db.query(`UPDATE notifications SET state = 'dead', locked_until = NULL, next_attempt_at = NULL, last_error = $2 WHERE id = $1`, [id, error]);
    } else {
      await this.db.query(`UPDATE notifications SET state = 'pending', locked_until = NULL, next_attempt_at = $2, last_error = $3 WHERE id = $1`, [id, ts(now + delay), error]);
    }
    return false;
  }

  async deadLetters(limit: number): Promise<NotificationRecord[]> {
    const { rows } = await this.db.query(`SELECT * FROM notifications WHERE state = 'dead' ORDER BY id DESC LIMIT $1`, [limit]);
    return rows.map(toNotification);
  }

  /** Puts a dead letter back in the queue for a fresh round of attempts. */
  async retry(id: number, now: number): Promise<NotificationRecord | null> {
    const { rows } = await this.db.query(
      `UPDATE notifications SET state = 'pending', attempts = 0, next_attempt_at = $2 WHERE id = $1 AND state = 'dead' RETURNING *`,
      [id, ts(now)],
    );
    return rows[0] ? toNotification(rows[0]) : null;
  }

  async get(id: number): Promise<NotificationRecord | null> {
    const { rows } = await this.db.query('SELECT * FROM notifications WHERE id = $1', [id]);
    return rows[0] ? toNotification(rows[0]) : null;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.notifiers).map((n) => n.close?.().catch(() => {})));
  }
}
