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
}

export type Handler<T = unknown> = (body: T, ctx: MessageContext) => void | Promise<void>;
type ValidatedKind = keyof typeof validators;
export interface Handlers {
  state: Handler<AgentState>;
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
  log: (msg: string) => void;
}

const LOG_EVERY_MS = 10_000;

export class Dispatcher {
  readonly dedupe = new SeqDedupe();
  private readonly countReject: (labels: Record<string, string>) => void;
  private readonly countAccepted: (labels: Record<string, string>) => void;
  private readonly countDuplicate: (labels?: Record<string, string>) => void;
  private readonly lastLog = new Map<RejectReason, { at: number; suppressed: number }>();

  constructor(private readonly opts: DispatcherOptions) {
    this.countReject = opts.metrics.counter('camfleet_ingest_rejected_total', 'MQTT messages rejected, by reason');
    this.countAccepted = opts.metrics.counter('camfleet_ingest_messages_total', 'MQTT messages accepted, by kind');
    this.countDuplicate = opts.metrics.counter('camfleet_ingest_duplicates_total', 'Duplicate (site, seq) messages dropped');
  }

  async dispatch(topicName: string, payload: Buffer, authSite?: string): Promise<void> {
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
    if (kind === 'telemetry' && !this.dedupe.accept(topic.site, (body as { seq: number }).seq)) {
      this.countDuplicate();
      return;
    }
    try {
      await (this.opts.handlers[kind] as Handler)(body, { topic, receivedAt: Date.now() });
      this.countAccepted({ kind });
    } catch (err) {
      this.reject('handler-error', topicName, err instanceof Error ? err.message : undefined);
    }
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
