// socket.io push of changed cases to the 'fleet' room as 'cases:update', coalesced: at most one entry per case per
// second (the same rhythm as device updates).
import type { Server } from 'socket.io';
import type { CaseRecord, CaseSummary, ClientToServerEvents, ServerToClientEvents } from '@camfleet/shared';
import type { CaseService } from './service.ts';

const FLUSH_MS = 1000;

export function summaryOf(c: CaseRecord): CaseSummary {
  return {
    id: c.id, site: c.site, rootCause: c.rootCause, segment: c.segment, fault: c.fault, responsible: c.responsible,
    side: c.side, severity: c.severity, priority: c.priority, state: c.state, flapping: c.flapping, siteWide: c.siteWide,
    recurrenceOf: c.recurrenceOf, affected: c.affected, assignee: c.assignee, firstSeen: c.firstSeen, openedAt: c.openedAt,
    lastSeen: c.lastSeen, repeatCount: c.repeatCount, acknowledgedAt: c.acknowledgedAt, acknowledgedBy: c.acknowledgedBy,
    resolvedAt: c.resolvedAt, resolvedBy: c.resolvedBy, closedAt: c.closedAt, updatedAt: c.updatedAt,
  };
}

/** Starts pushing case changes; returns a function that flushes what is pending and stops. */
export function attachCasesRealtime(io: Server<ClientToServerEvents, ServerToClientEvents>, cases: CaseService): () => void {
  const pending = new Map<number, CaseSummary>();
  const flush = () => {
    if (pending.size === 0) return;
    io.to('fleet').emit('cases:update', [...pending.values()]);
    pending.clear();
  };
  const onChanged = (records: CaseRecord[]) => {
    for (const r of records) pending.set(r.id, summaryOf(r));
  };
  cases.on('changed', onChanged);
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    cases.off('changed', onChanged);
    flush();
  };
}
