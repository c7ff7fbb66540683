// socket.io push of changed cases to the 'fleet' room as 'cases:update', coalesced: at most one entry per case per
// second (the same rhythm as device updates). With several instances the same flush also tells the peers which
// sites' cases this instance changed ('camfleet:cases' over the adapter's inter-server channel), so their in-memory
// copies of the active cases (active-cache.ts) reload those sites; a lost message is caught by the periodic
// reconcile, and a conflicting write by the database's unique index.
import type { Server } from 'socket.io';
import type { CaseRecord, CaseSummary, ClientToServerEvents, ServerToClientEvents } from '@camfleet/shared';
import type { CaseService } from './service.ts';

const FLUSH_MS = 1000;
const PEER_EVENT = 'camfleet:cases';

export function summaryOf(c: CaseRecord): CaseSummary {
  return {
    id: c.id, site: c.site, rootCause: c.rootCause, segment: c.segment, fault: c.fault, responsible: c.responsible,
    side: c.side, severity: c.severity, priority: c.priority, state: c.state, flapping: c.flapping, siteWide: c.siteWide,
    recurrenceOf: c.recurrenceOf, affected: c.affected, assignee: c.assignee, firstSeen: c.firstSeen, openedAt: c.openedAt,
    lastSeen: c.lastSeen, repeatCount: c.repeatCount, acknowledgedAt: c.acknowledgedAt, acknowledgedBy: c.acknowledgedBy,
    resolvedAt: c.resolvedAt, resolvedBy: c.resolvedBy, closedAt: c.closedAt, updatedAt: c.updatedAt,
  };
}

/** The sites named by a peer's message; anything else is ignored. */
function sitesOf(msg: unknown): string[] {
  const sites = (msg as { sites?: unknown } | null)?.sites;
  return Array.isArray(sites) ? sites.filter((s): s is string => typeof s === 'string') : [];
}

/** Starts pushing case changes; returns a function that flushes what is pending and stops. */
export function attachCasesRealtime(io: Server<ClientToServerEvents, ServerToClientEvents>, cases: CaseService): () => void {
  const pending = new Map<number, CaseSummary>();
  const changedSites = new Set<string>();
  const flush = () => {
    if (pending.size === 0) return;
    io.to('fleet').emit('cases:update', [...pending.values()]);
    pending.clear();
    const sites = [...changedSites];
    changedSites.clear();
    // Alone (or on the in-memory adapter, which has no inter-server channel) there is nobody to tell.
    void io.of('/').adapter.serverCount().then((n) => {
      if (n > 1) io.serverSideEmit(PEER_EVENT, { sites });
    }, () => {});
  };
  const onChanged = (records: CaseRecord[]) => {
    for (const r of records) {
      pending.set(r.id, summaryOf(r));
      changedSites.add(r.site);
    }
  };
  const onPeer = (msg: unknown) => cases.peerChanged(sitesOf(msg));
  cases.on('changed', onChanged);
  io.on(PEER_EVENT, onPeer);
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    cases.off('changed', onChanged);
    io.off(PEER_EVENT, onPeer);
    flush();
  };
}
