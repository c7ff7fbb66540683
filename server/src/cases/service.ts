// The case service: evaluates a site each time FleetState has applied its telemetry or presence ('evaluated'), runs
// the pure engine, applies its commands through the store, keeps the agent-offline case's after-the-fact analysis
// up to date, and runs the notification outbox. Emits 'changed' with every case it changed (socket.io pushes them).
// A site's active cases come from an in-memory copy (active-cache.ts), and evaluations of one site coalesce: while
// one waits to start, more 'evaluated' events for the site join it — it reads the site's state when it starts, so
// the newest state is never skipped. A burst of changes of one site thus costs one evaluation and no query unless a
// case changes (docs/cases.md, "Several server instances").
import { EventEmitter } from 'node:events';
import { AGENT_ROOT, type CaseRecord } from '@camfleet/shared';
import type { Database } from '../db/types.ts';
import { createNotifiers, type NotifierRegistry } from '../notify/registry.ts';
import { Outbox } from '../notify/outbox.ts';
import type { FleetState } from '../state/fleet-state.ts';
import type { TimeSeriesStore } from '../timeseries/types.ts';
import { ActiveCaseCache } from './active-cache.ts';
import { agentOfflineDraft, analyzeOutage } from './agent-offline.ts';
import { casesConfigFromEnv, directoryFor, type CasesConfig } from './config.ts';
import { CaseEngine, type CaseCommand } from './engine.ts';
import { MaintenanceStore } from './maintenance.ts';
import { isFreshPoll, offlineEvidence, outageSamples, siteView, type SiteView } from './observe.ts';
import { CaseQueries } from './queries.ts';
import { CaseStore, SYSTEM_ACTOR, type CaseChange } from './store.ts';

export interface CaseServiceOptions {
  db: Database;
  fleet: FleetState;
  timeseries: TimeSeriesStore;
  log: (msg: string) => void;
  config?: CasesConfig;
  clock?: () => number;
  notifiers?: NotifierRegistry;
  /** Case housekeeping (agent-offline hold, auto-close, maintenance reload). */
  tickMs?: number;
  /** Notification grouping and delivery. */
  notifyTickMs?: number;
  /** Fleet-wide re-read of the active cases (catches a peer's change whose message was lost). */
  reconcileMs?: number;
}

/** The agent's buffered telemetry is re-read for the after-the-fact analysis at most this often per site. */
const ANALYSIS_EVERY_MS = 5000;
/** How long shutdown waits for a notification round in flight. */
const CLOSE_WAIT_MS = 2000;
/** How often the active-case copy is compared with the database as a whole. */
const RECONCILE_MS = 30_000;

export class CaseService extends EventEmitter<{ changed: [CaseRecord[]] }> {
  readonly config: CasesConfig;
  readonly engine: CaseEngine;
  readonly store: CaseStore;
  readonly queries: CaseQueries;
  readonly maintenance: MaintenanceStore;
  readonly outbox: Outbox;
  readonly clock: () => number;
  /** Active cases per site, in memory (active-cache.ts). */
  readonly activeCases: ActiveCaseCache;
  private readonly chains = new Map<string, Promise<void>>();
  /** Site → its evaluation that has not started yet (later calls join it). */
  private readonly waiting = new Map<string, Promise<void>>();
  private readonly lastPoll = new Map<string, number>();
  private readonly lastAnalysis = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private notifying: Promise<void> | undefined;
  private closed = false;
  private readonly onEvaluated = (site: string) => void this.evaluate(site);

  constructor(private readonly opts: CaseServiceOptions) {
    super();
    this.config = opts.config ?? casesConfigFromEnv();
    this.clock = opts.clock ?? Date.now;
    this.engine = new CaseEngine(this.config.engine);
    this.store = new CaseStore(opts.db);
    this.activeCases = new ActiveCaseCache(this.store);
    this.queries = new CaseQueries(opts.db);
    this.maintenance = new MaintenanceStore(opts.db);
    this.outbox = new Outbox(opts.db, opts.notifiers ?? createNotifiers(this.config.notify, this.clock), {
      groupWindowMs: this.config.notify.groupWindowMs,
      retryScheduleMs: this.config.notify.retryScheduleMs,
      leaseMs: this.config.notify.webhookTimeoutMs + 30_000,
      siteSpec: (site) => opts.fleet.siteSpec(site),
      log: opts.log,
    });
  }

  async start(): Promise<void> {
    await this.maintenance.reload(this.clock());
    this.opts.fleet.on('evaluated', this.onEvaluated);
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err: unknown) => this.opts.log(`cases: ${errText(err)}`)), ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.tickMs ?? 5000, () => this.tick());
    every(this.opts.notifyTickMs ?? 500, () => this.notify());
    every(this.opts.reconcileMs ?? RECONCILE_MS, () => this.activeCases.reconcile());
  }

  /**
   * Evaluates one site once its state as it is now has been evaluated: calls for the same site run one after
   * another, and calls made while an evaluation waits to start share it (it reads the state when it starts).
   */
  evaluate(site: string): Promise<void> {
    const waiting = this.waiting.get(site);
    if (waiting) return waiting;
    const prev = this.chains.get(site) ?? Promise.resolve();
    const next = prev
      .then(() => {
        this.waiting.delete(site); // from here on, a change of the site needs an evaluation of its own
        return this.evaluateNow(site);
      })
      .catch((err: unknown) => this.opts.log(`cases: evaluating ${site} failed: ${errText(err)}`));
    this.waiting.set(site, next);
    this.chains.set(site, next);
    void next.finally(() => {
      if (this.chains.get(site) === next) this.chains.delete(site);
    });
    return next;
  }

  private async evaluateNow(site: string): Promise<void> {
    if (this.closed) return;
    const view = siteView(this.opts.fleet, site);
    if (!view) return;
    const now = this.clock();
    const poll = isFreshPoll(view, this.lastPoll.get(site) ?? 0, now);
    if (poll) this.lastPoll.set(site, view.newestSampleMs);
    const active = await this.activeCases.get(site);
    const silenced = this.maintenance.silenced(site, now);
    const commands = this.engine.evaluate({
      at: now,
      site: view.spec,
      agent: { state: view.status.agent, sinceMs: Date.parse(view.status.agentSince) },
      poll,
      observations: view.observations,
      noData: view.noData,
      active,
      maintenance: silenced,
      contacts: directoryFor(this.config.contacts, site),
    });
    const agentCase = active.find((a) => a.rootCause === AGENT_ROOT);
    if (agentCase && poll) await this.analyze(view, agentCase.id, now, commands.some((c) => c.kind === 'resolve' && c.caseId === agentCase.id));
    const changes: CaseChange[] = [];
    for (const cmd of commands) {
      const change = await this.apply(cmd, view);
      this.track(site, cmd, change);
      if (change) changes.push(change);
    }
    this.publish(changes);
  }

  /** Keeps the active-case copy in step with what the database answered to a command. */
  private track(site: string, cmd: CaseCommand, change: CaseChange | null): void {
    if (change?.active !== undefined) this.activeCases.applyChange(site, change.record.id, change.active);
    const opening = cmd.kind === 'open' || cmd.kind === 'open-agent-offline';
    // Opening met an active case (another instance opened it: the unique index decided), or an update found the
    // case no longer active (resolved by an operator or a peer): the copy of this site is behind.
    // (Opening that yields nothing is an episode an operator resolved: nothing to reload.)
    if (opening ? change !== null && change.event !== 'opened' : change === null) this.activeCases.invalidate(site);
  }

  /** Another instance changed cases of these sites (cases/realtime.ts): re-read them before their next evaluation. */
  peerChanged(sites: readonly string[]): void {
    for (const site of sites) this.activeCases.invalidate(site);
  }

  private async apply(cmd: CaseCommand, view: SiteView): Promise<CaseChange | null> {
    const site = view.spec.id;
    switch (cmd.kind) {
      case 'open':
        return this.store.open(cmd.draft, { ...cmd, suppressed: this.maintenance.isSilenced(site, cmd.draft.rootCause, cmd.at) });
      case 'open-agent-offline': {
        const evidence = await offlineEvidence(this.opts.fleet, this.opts.timeseries, view);
        return this.store.open(agentOfflineDraft(view.spec, evidence), { flapping: false, firstSeen: cmd.since, at: cmd.at, suppressed: false });
      }
      case 'refresh':
        return this.store.refresh(cmd.caseId, cmd.draft, cmd);
      case 'flapping':
        return this.store.setFlapping(cmd.caseId, cmd.flapping, cmd.at);
      case 'resolve': {
        const record = await this.queries.get(cmd.caseId);
        const device = record && record.rootCause !== AGENT_ROOT ? record.rootCause : null;
        return this.store.resolve(cmd.caseId, { at: cmd.at, actor: SYSTEM_ACTOR, reason: cmd.reason, suppressed: this.maintenance.isSilenced(site, device, cmd.at) });
      }
    }
  }

  /** Re-reads the agent's buffered telemetry of the silence and records what it shows (throttled unless forced). */
  private async analyze(view: SiteView, caseId: number, now: number, force: boolean): Promise<void> {
    const site = view.spec.id;
    if (!force && now - (this.lastAnalysis.get(site) ?? 0) < ANALYSIS_EVERY_MS) return;
    this.lastAnalysis.set(site, now);
    const record = await this.queries.get(caseId);
    const evidence = record?.evidence as { since?: string; lastTelemetry?: string | null } | undefined;
    if (!record || !evidence?.since) return;
    const from = Date.parse(evidence.lastTelemetry ?? evidence.since);
    const to = Date.parse(view.status.agentSince);
    const found = analyzeOutage(view.spec, await outageSamples(this.opts.timeseries, view.spec, from, to), { from, to });
    const change = await this.store.afterTheFact(caseId, found, now);
    if (change) this.publish([change]);
  }

  private async tick(): Promise<void> {
    const now = this.clock();
    await this.maintenance.reload(now);
    for (const site of this.opts.fleet.siteIds()) {
      if (this.opts.fleet.siteStatus(site)?.agent !== 'online') void this.evaluate(site);
    }
    if (this.config.closeAfterMs > 0) this.publish(await this.store.closeResolved(now - this.config.closeAfterMs, now));
  }

  /** One round of grouping and delivery; rounds never overlap. */
  notify(): Promise<void> {
    if (this.notifying) return this.notifying;
    this.notifying = (async () => {
      const now = this.clock();
      await this.outbox.group(now);
      await this.outbox.deliver(now);
    })().finally(() => {
      this.notifying = undefined;
    });
    return this.notifying;
  }

  /** Tells listeners (socket.io) which cases changed. Bare records come from operators' actions (the API). */
  publish(changes: readonly (CaseChange | CaseRecord)[]): void {
    if (changes.length === 0) return;
    // Made outside the site's evaluation, possibly while one runs: reload the site rather than patch the copy.
    for (const c of changes) if (!('record' in c)) this.activeCases.invalidate(c.site);
    this.emit('changed', changes.map((c) => ('record' in c ? c.record : c)));
  }

  /** Operator resolution: records who and when; notifies like an automatic one. */
  async resolveByOperator(id: number, actor: string, comment?: string): Promise<CaseChange | null> {
    const now = this.clock();
    const record = await this.queries.get(id);
    if (!record) return null;
    const device = record.rootCause !== AGENT_ROOT ? record.rootCause : null;
    const change = await this.store.resolve(id, { at: now, actor, reason: 'operator', ...(comment ? { comment } : {}), suppressed: this.maintenance.isSilenced(record.site, device, now) });
    this.activeCases.invalidate(record.site);
    if (change) this.publish([change]);
    return change;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.opts.fleet.off('evaluated', this.onEvaluated);
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.chains.values()]);
    // A send in flight is not waited for long: its row keeps a lease and is retried after a restart if unrecorded.
    await Promise.race([this.notifying?.catch(() => {}), new Promise((r) => setTimeout(r, CLOSE_WAIT_MS).unref())]);
    await this.outbox.close();
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] ?? 'error' : String(err);
}
