// Database rows → the API's shapes. node-postgres returns BIGINT as text and PGlite as numbers; both become numbers.
import type {
  CaseDetail, CaseFault, CaseLogEntry, CaseRecord, CaseSeverity, CaseState, CaseSummary, MaintenanceWindow,
  NotificationRecord, ResponsibleParty, Segment,
} from '@camfleet/shared';

export type Row = Record<string, unknown>;

export const iso = (v: unknown): string => new Date(v as string | Date).toISOString();
export const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
export const int = (v: unknown): number => Number(v);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export const CASE_COLUMNS = `id, site_id, root_cause, fault, segment, responsible, side, severity, priority, state, flapping,
  site_wide, recurrence_of, affected, detail, signature, assignee, first_seen, opened_at, last_seen, repeat_count,
  acknowledged_at, acknowledged_by, resolved_at, resolved_by, closed_at, updated_at`;

export function toSummary(r: Row): CaseSummary {
  return {
    id: int(r.id),
    site: String(r.site_id),
    rootCause: String(r.root_cause),
    segment: str(r.segment) as Segment | null,
    fault: String(r.fault) as CaseFault,
    responsible: str(r.responsible) as ResponsibleParty | null,
    side: r.side === 'provider' ? 'provider' : 'customer',
    severity: String(r.severity) as CaseSeverity,
    priority: int(r.priority),
    state: String(r.state) as CaseState,
    flapping: r.flapping === true,
    siteWide: r.site_wide === true,
    recurrenceOf: r.recurrence_of === null || r.recurrence_of === undefined ? null : int(r.recurrence_of),
    affected: json<string[]>(r.affected),
    assignee: str(r.assignee),
    firstSeen: iso(r.first_seen),
    openedAt: iso(r.opened_at),
    lastSeen: iso(r.last_seen),
    repeatCount: int(r.repeat_count),
    acknowledgedAt: isoOrNull(r.acknowledged_at),
    acknowledgedBy: str(r.acknowledged_by),
    resolvedAt: isoOrNull(r.resolved_at),
    resolvedBy: str(r.resolved_by),
    closedAt: isoOrNull(r.closed_at),
    updatedAt: iso(r.updated_at),
  };
}

export function toCase(r: Row): CaseRecord {
  return { ...toSummary(r), ...json<CaseDetail>(r.detail) };
}

export function toLogEntry(r: Row): CaseLogEntry {
  return { at: iso(r.at), actor: String(r.actor), action: String(r.action), detail: r.detail ? json<Record<string, unknown>>(r.detail) : null };
}

export function toNotification(r: Row): NotificationRecord {
  return {
    id: int(r.id),
    notifier: String(r.notifier),
    site: String(r.site_id),
    idempotencyKey: String(r.idempotency_key),
    state: String(r.state) as NotificationRecord['state'],
    attempts: int(r.attempts),
    nextAttemptAt: isoOrNull(r.next_attempt_at),
    createdAt: iso(r.created_at),
    sentAt: isoOrNull(r.sent_at),
    lastError: str(r.last_error),
    caseIds: json<unknown[]>(r.case_ids).map(int),
    events: json<string[]>(r.events),
  };
}

export function toWindow(r: Row): MaintenanceWindow {
  return {
    id: int(r.id),
    site: String(r.site_id),
    device: str(r.device_id),
    start: iso(r.starts_at),
    end: iso(r.ends_at),
    reason: str(r.reason),
    createdBy: String(r.created_by),
    createdAt: iso(r.created_at),
  };
}
