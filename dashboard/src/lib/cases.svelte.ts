// Live cases (docs/cases.md) as a rune class: the active cases are loaded over REST on every (re)connect, then kept
// current by the socket's 'cases:update' (CaseSummary[], once a second). The pushed summaries carry no guidance
// (contact, actions, warranty, exchange); a case first seen in a push has its full record fetched once.
// Entries are kept in a $state.raw Map replaced per change (no deep proxies), like the fleet store.
import {
  ACTIVE_CASE_STATES,
  AGENT_ROOT,
  type CaseDetail,
  type CaseRecord,
  type CaseSeverity,
  type CaseState,
  type CaseSummary,
} from '@camfleet/shared';
import { fetchAllCases, fetchCase, fetchCases, postCaseAction, type CaseAction } from './api.ts';
import type { FleetSocket } from './fleet.svelte.ts';

/** A case on the board: always the summary; the guidance once the full record was read. */
export type BoardCase = CaseSummary & Partial<CaseDetail>;

export const SEVERITIES: readonly CaseSeverity[] = ['critical', 'major', 'minor'];
export const SEVERITY_RANK: Record<CaseSeverity, number> = { critical: 3, major: 2, minor: 1 };

/** A burst of unknown cases larger than this is read as one list instead of one request per case. */
const DETAIL_ONE_BY_ONE = 20;
const DETAIL_DELAY_MS = 200;

export const isActive = (state: CaseState): boolean => ACTIVE_CASE_STATES.includes(state);
const stamp = (c: { updatedAt: string }): number => Date.parse(c.updatedAt) || 0;
const hasDetail = (c: BoardCase): boolean => Array.isArray(c.actions);

/** Board order: priority (severity, segment, devices affected), unacknowledged first, then newest. */
export function compareCases(a: BoardCase, b: BoardCase): number {
  return (
    b.priority - a.priority ||
    Number(b.state === 'open') - Number(a.state === 'open') ||
    Date.parse(b.openedAt) - Date.parse(a.openedAt) ||
    b.id - a.id
  );
}

/** The devices a case concerns: its root cause (not the agent pseudo-device) and what it affects. */
export function caseDevices(c: CaseSummary): string[] {
  return c.rootCause === AGENT_ROOT ? c.affected : [c.rootCause, ...c.affected.filter((d) => d !== c.rootCause)];
}

export class CasesStore {
  #cases = $state.raw(new Map<number, BoardCase>());
  #loadedAt = $state.raw<Date | null>(null);
  #error = $state.raw<string | null>(null);

  /** Counts loads; a push records the count at the time it touched a case (see load()). */
  #epoch = 0;
  #touched = new Map<number, number>();
  #missing = new Set<number>();
  #detailTimer: ReturnType<typeof setTimeout> | null = null;
  #unbind: (() => void) | null = null;

  /** Counters for diagnostics and the bench: summaries pushed, and applied (newer than what was held). */
  readonly stats = { received: 0, applied: 0 };

  /** Every known case (active ones, plus resolved/closed ones seen in this session), board order. */
  readonly all: BoardCase[] = $derived([...this.#cases.values()].sort(compareCases));
  readonly active: BoardCase[] = $derived(this.all.filter((c) => isActive(c.state)));
  readonly activeCount: number = $derived(this.active.length);
  /** Active cases that nobody acknowledged yet. */
  readonly openCount: number = $derived(this.active.reduce((n, c) => n + (c.state === 'open' ? 1 : 0), 0));
  /** Active cases per site, board order. */
  readonly bySite: ReadonlyMap<string, BoardCase[]> = $derived.by(() => {
    const out = new Map<string, BoardCase[]>();
    for (const c of this.active) {
      const list = out.get(c.site);
      if (list) list.push(c);
      else out.set(c.site, [c]);
    }
    return out;
  });
  /** Active cases per `site/device` (root cause or affected), board order. */
  readonly byDevice: ReadonlyMap<string, BoardCase[]> = $derived.by(() => {
    const out = new Map<string, BoardCase[]>();
    for (const c of this.active) {
      for (const d of caseDevices(c)) {
        const key = `${c.site}/${d}`;
        const list = out.get(key);
        if (list) list.push(c);
        else out.set(key, [c]);
      }
    }
    return out;
  });

  get(id: number): BoardCase | undefined {
    return this.#cases.get(id);
  }
  get size(): number {
    return this.#cases.size;
  }
  /** When the active cases were last read; null before the first answer. */
  get loadedAt(): Date | null {
    return this.#loadedAt;
  }
  get error(): string | null {
    return this.#error;
  }

  /**
   * Listens on the fleet socket: loads on every connect (the first and each reconnect) and applies pushes. Also
   * loads once at once, in parallel with the socket's handshake, so the board fills sooner; the load on connect
   * then covers what changed before the socket joined.
   */
  attach(socket: FleetSocket): () => void {
    this.detach();
    if (!socket.connected) void this.load();
    const onConnect = (): void => void this.load();
    const onUpdate = (list: CaseSummary[]): void => this.apply(list);
    socket.on('connect', onConnect);
    socket.on('cases:update', onUpdate);
    this.#unbind = () => {
      socket.off('connect', onConnect);
      socket.off('cases:update', onUpdate);
    };
    if (socket.connected) void this.load();
    return () => this.detach();
  }

  detach(): void {
    this.#unbind?.();
    this.#unbind = null;
    if (this.#detailTimer !== null) clearTimeout(this.#detailTimer);
    this.#detailTimer = null;
  }

  /**
   * Reads every active case and merges it in: per case the newer `updatedAt` wins (a push may overtake the answer),
   * and a case held as active but absent from the answer ended while we were away — unless a push touched it
   * after this read started. Loads may overlap (the early one and the one on connect): each merges on its own.
   */
  async load(): Promise<void> {
    const epoch = ++this.#epoch;
    try {
      const list = await fetchAllCases('active');
      const fetched = new Map(list.map((c) => [c.id, c]));
      const next = new Map<number, BoardCase>();
      for (const [id, held] of this.#cases) {
        const got = fetched.get(id);
        if (got) {
          fetched.delete(id);
          // Same version already held with its guidance: keep the object (no re-render of its row).
          if (stamp(held) > stamp(got)) next.set(id, hasDetail(held) ? held : { ...got, ...pickSummary(held) });
          else if (stamp(held) === stamp(got) && hasDetail(held)) next.set(id, held);
          else next.set(id, got);
        } else if (!isActive(held.state) || (this.#touched.get(id) ?? 0) >= epoch) {
          next.set(id, held);
        }
      }
      for (const [id, c] of fetched) next.set(id, c);
      this.#cases = next;
      this.#loadedAt = new Date();
      this.#error = null;
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Also reads the newest cases in a state the load does not cover (resolved, closed) for the board's filter. */
  async loadState(state: 'resolved' | 'closed', limit = 200): Promise<void> {
    try {
      const { cases } = await fetchCases({ state, limit });
      this.#merge(cases);
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Applies pushed summaries: newer than what is held wins; guidance already read is kept. */
  apply(list: readonly CaseSummary[]): void {
    this.stats.received += list.length;
    let next: Map<number, BoardCase> | null = null;
    for (const s of list) {
      const held = (next ?? this.#cases).get(s.id);
      if (held && stamp(held) > stamp(s)) continue;
      next ??= new Map(this.#cases);
      next.set(s.id, held ? { ...held, ...s } : s);
      this.#touched.set(s.id, this.#epoch);
      this.stats.applied++;
      if (!held || !hasDetail(held)) this.#missing.add(s.id);
    }
    if (next) this.#cases = next;
    if (this.#missing.size) this.#detailTimer ??= setTimeout(() => void this.#fetchMissing(), DETAIL_DELAY_MS);
  }

  /** Full records (from an action's answer or a detail read): newer than what is held wins. */
  upsert(record: CaseRecord): void {
    this.#merge([record]);
  }

  #merge(records: readonly CaseRecord[]): void {
    let next: Map<number, BoardCase> | null = null;
    for (const r of records) {
      const held = (next ?? this.#cases).get(r.id);
      if (held && stamp(held) > stamp(r)) {
        if (hasDetail(held)) continue;
        // Older summary fields, but the guidance is new to us: keep the newer summary over it.
        next ??= new Map(this.#cases);
        next.set(r.id, { ...r, ...pickSummary(held) });
        continue;
      }
      next ??= new Map(this.#cases);
      next.set(r.id, r);
      this.#missing.delete(r.id);
    }
    if (next) this.#cases = next;
  }

  async #fetchMissing(): Promise<void> {
    this.#detailTimer = null;
    const ids = [...this.#missing];
    this.#missing.clear();
    try {
      if (ids.length > DETAIL_ONE_BY_ONE) {
        this.#merge(await fetchAllCases('active'));
      } else {
        const got = await Promise.all(ids.map((id) => fetchCase(id).catch(() => null)));
        this.#merge(got.filter((c): c is NonNullable<typeof c> => c !== null));
      }
    } catch {
      /* the summary stays; the next push or reconnect tries again */
    }
  }

  /** Runs an operator action; the server records the logged-in user. The answer is applied at once (the push follows for the others). */
  async act(id: number, action: CaseAction, extra: Record<string, string> = {}): Promise<CaseRecord> {
    const record = await postCaseAction(id, action, extra);
    this.upsert(record);
    return record;
  }
}

function pickSummary(c: BoardCase): CaseSummary {
  const { id, site, rootCause, segment, fault, responsible, side, severity, priority, state, flapping, siteWide, recurrenceOf,
    affected, assignee, firstSeen, openedAt, lastSeen, repeatCount, acknowledgedAt, acknowledgedBy, resolvedAt, resolvedBy,
    closedAt, updatedAt } = c;
  return { id, site, rootCause, segment, fault, responsible, side, severity, priority, state, flapping, siteWide, recurrenceOf,
    affected, assignee, firstSeen, openedAt, lastSeen, repeatCount, acknowledgedAt, acknowledgedBy, resolvedAt, resolvedBy,
    closedAt, updatedAt };
}

export const cases = new CasesStore();
