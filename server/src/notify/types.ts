// The notifier registry's contract (DESIGN §5: a registry map for notifiers, never an if/else over kinds).
// A notifier renders a group of one site's case events into the message it stores in the outbox — so every retry
// sends the same content — and sends a stored message.
import type { CaseRecord, SiteSpec } from '@camfleet/shared';

export type CaseEventKind = 'opened' | 'resolved';

export interface GroupedEvent {
  /** One key per case event, e.g. `case-12-opened`: the receiver's dedupe key for the event itself. */
  idempotencyKey: string;
  kind: CaseEventKind;
  at: string;
  case: CaseRecord;
}

/** Every case event of one site within the grouping window. */
export interface NotificationGroup {
  /** One key per message (the same across retries and notifiers). */
  idempotencyKey: string;
  site: { id: string; name: string | null; contractId: string | null; address: string | null; region: string | null };
  spec: SiteSpec | undefined;
  createdAt: string;
  events: GroupedEvent[];
}

export interface SendContext {
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/** A failed attempt, with a short reason safe to show an operator (never a stack or an internal message). */
export class DeliveryError extends Error {}

export interface Notifier {
  readonly kind: string;
  /** Where it sends, for logs and the API (no secrets). */
  readonly target: string;
  render(group: NotificationGroup): unknown;
  send(payload: unknown, ctx: SendContext): Promise<void>;
  close?(): Promise<void>;
}
