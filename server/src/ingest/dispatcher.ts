// One entry point for every MQTT message: topic → size → JSON → schema → site checks → dedupe → one
// handler per message kind. Never throws: every reject is counted by reason and logged at a bounded rate.
import {
  MAX_PAYLOAD_BYTES,
  parseTopic,
  type AgentEvent,
  type AgentState,
  type CommandResult,
  type Inventory,
  type MessageKind,
  type ParsedTopic,
  type TelemetryBatch,
} from '@camfleet/shared';
import type { Metrics } from '../metrics/registry.ts';
import { SeqDedupe } from './dedupe.ts';
import { validators } from './validate.ts';

export const REJECT_REASONS = ['bad-topic', 'too-large', 'bad-json', 'schema', 'site-mismatch', 'unknown-site', 'not-accepted', 'handler-error'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface MessageContext {
  topic: ParsedTopic;
  receivedAt: number;
  /** Telemetry: call once the batch is durably stored (releases its ingest-journal entry). */
  durable?: () => void;
}

export type Handler<T = unknown> = (body: T, ctx: MessageContext) => void | Promise<void>;
type ValidatedKind = keyof typeof validators;
export interface Handlers {
  state: Handler<AgentState>;
  /** A batch's effect on current state; runs before the (site, seq) claim, so it must be idempotent. */
  telemetryState: (body: TelemetryBatch, ctx: MessageContext) => void;
  /** Everything a batch does once only (history); runs after the claim is won. */
  telemetry: Handler<TelemetryBatch>;
  event: Handler<AgentEvent>;
  inventory: Handler<Inventory>;
  'cmd-result': Handler<CommandResult>;
}

export interface DispatcherOptions {
  handlers: Handlers;
  metrics: Metrics;
  /** Whether telemetry for this site may be accepted (known from inventory or the database). */
  isKnownSite: (site: string) => boolean;
  /** The database claim of (site, seq) that holds across restarts and instances (claims.ts). */
  claims?: { claim(site: string, seq: number, at: string): Promise<boolean> };
  /** Write-ahead journal of accepted telemetry (journal.ts), when the store is not in process. */
  journal?: { append(topic: string, payload: Buffer): number; done(ticket: number): void };
  log: (msg: string) => void;
}

/** Claims awaited by nobody yet; past this the dispatcher waits (and so holds the PUBACK): backpressure. */
const MAX_UNCLAIMED = 20_000;

const LOG_EVERY_MS = 10_000;

export class Dispatcher {
  readonly dedupe = new SeqDedupe();
  private readonly countReject: (labels: Record<string, string>) => void;
  private readonly countAccepted: (labels: Record<string, string>) => void;
  private readonly countDuplicate: (labels?: Record<string, string>) => void;
  private readonly countSamples: (labels?: Record<string, string>, by?: number) => void;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly lastLog = new Map<RejectReason, { at: number; suppressed: number }>();

  constructor(private readonly opts: DispatcherOptions) {
    this.countReject = opts.metrics.counter('camfleet_ingest_rejected_total', 'MQTT messages rejected, by reason');
    this.countAccepted = opts.metrics.counter('camfleet_ingest_messages_total', 'MQTT messages accepted, by kind');
    this.countDuplicate = opts.metrics.counter('camfleet_ingest_duplicates_total', 'Duplicate (site, seq) telemetry batches dropped, by where they were caught (memory, database)');
    this.countSamples = opts.metrics.counter('camfleet_ingest_samples_total', 'Device samples accepted');
  }

  /** Messages taken but not yet applied (telemetry waiting for its claim). */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves once every message taken so far has been applied (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** `replay`: a journal record from before a crash — taken already, so no dedupe and no claim. */
  async dispatch(topicName: string, payload: Buffer, authSite?: string, replay = false): Promise<void> {
    const topic = parseTopic(topicName);
    if (!topic) return this.reject('bad-topic', topicName);
    if (authSite !== undefined && authSite !== topic.site) return this.reject('site-mismatch', topicName, `authenticated as ${authSite}`);
    if (payload.length > MAX_PAYLOAD_BYTES) return this.reject('too-large', topicName, `${payload.length} bytes`);
    if (topic.kind === 'cmd') return this.reject('not-accepted', topicName, 'commands are server → agent only');
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject('bad-json', topicName);
    }
    const kind = topic.kind as ValidatedKind;
    const validator = validators[kind];
    if (!validator.Check(body)) {
      const first = validator.Errors(body).First();
      return this.reject('schema', topicName, first ? `${first.path || '/'}: ${first.message}` : undefined);
    }
    const claimed = kind === 'inventory' ? (body as { site: { id: string } }).site.id
      : kind === 'cmd-result' ? topic.site : (body as { site: string }).site;
    if (claimed !== topic.site) return this.reject('site-mismatch', topicName, `payload names site ${claimed}`);
    if ((kind === 'telemetry' || kind === 'event') && !this.opts.isKnownSite(topic.site)) {
      return this.reject('unknown-site', topicName);
    }
    const ctx: MessageContext = { topic, receivedAt: Date.now() };
    if (kind === 'telemetry') {
      const batch = body as TelemetryBatch;
      if (replay) {
        // Register it, so the broker's redelivery of a message that was not PUBACKed yet is a duplicate;
        // store it whatever the claim says (it may have been claimed but not stored).
        this.dedupe.accept(topic.site, batch.seq, batch.at);
        await this.opts.claims?.claim(topic.site, batch.seq, batch.at);
      } else if (!this.dedupe.accept(topic.site, batch.seq, batch.at)) {
        this.countDuplicate({ stage: 'memory' });
        return;
      }
      const journal = this.opts.journal;
      if (journal) {
        const ticket = journal.append(topicName, payload);
        let released = false;
        ctx.durable = () => {
          if (!released) journal.done(ticket);
          released = true;
        };
      }
      try {
        this.opts.handlers.telemetryState(batch, ctx);
      } catch (err) {
        ctx.durable?.();
        return this.reject('handler-error', topicName, err instanceof Error ? err.message : undefined);
      }
      if (this.opts.claims && !replay) {
        const applied = this.opts.claims.claim(topic.site, batch.seq, batch.at).then((won) => {
          if (!won) {
            ctx.durable?.();
            return this.countDuplicate({ stage: 'database' });
          }
          return this.apply(kind, batch, ctx, topicName);
        });
        this.inFlight.add(applied);
        void applied.finally(() => this.inFlight.delete(applied));
        if (this.inFlight.size > MAX_UNCLAIMED) await applied;
        return;
      }
    }
    await this.apply(kind, body, ctx, topicName);
  }

  private async apply(kind: ValidatedKind, body: unknown, ctx: MessageContext, topicName: string): Promise<void> {
    try {
      await (this.opts.handlers[kind] as Handler)(body, ctx);
      this.countAccepted({ kind });
      if (kind === 'telemetry') this.countSamples({}, (body as TelemetryBatch).samples.length);
    } catch (err) {
      ctx.durable?.();
      this.reject('handler-error', topicName, err instanceof Error ? err.message : undefined);
    }
  }

  /** A message the broker refused before it reached us (the embedded broker's site check). */
  rejectedByBroker(reason: RejectReason, topic: string, detail?: string): void {
    this.reject(reason, topic, detail);
  }

  private reject(reason: RejectReason, topic: string, detail?: string): void {
    this.countReject({ reason });
    const now = Date.now();
    const last = this.lastLog.get(reason);
    if (last && now - last.at < LOG_EVERY_MS) {
      last.suppressed++;
      return;
    }
    const more = last?.suppressed ? ` (${last.suppressed} more like it not logged)` : '';
    this.lastLog.set(reason, { at: now, suppressed: 0 });
    this.opts.log(`rejected MQTT message on ${JSON.stringify(topic.slice(0, 200))}: ${reason}${detail ? ` — ${detail.slice(0, 200)}` : ''}${more}`);
  }
}

export type { MessageKind };
