// Webhook notifier (docs/webhooks.md): one JSON POST per message, signed with HMAC-SHA256 over
// "<timestamp>.<body>", an Idempotency-Key header per message and an idempotencyKey per case event in the body.
import { createHmac } from 'node:crypto';
import { subject, textBody, cameraSerials } from './render.ts';
import { DeliveryError, type NotificationGroup, type Notifier, type SendContext } from './types.ts';

export const SIGNATURE_HEADER = 'x-camfleet-signature';
export const TIMESTAMP_HEADER = 'x-camfleet-timestamp';

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). Receivers recompute it the same way. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookOptions {
  url: string;
  secret: string;
  timeoutMs: number;
  clock?: () => number;
}

/** A short reason for a failed attempt (shown in the dead-letter list): status, or the network error's code. */
function reason(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const code = e.cause?.code;
  return code ? `network error ${code}` : 'network error';
}

export class WebhookNotifier implements Notifier {
  readonly kind = 'webhook';
  readonly target: string;

  constructor(private readonly opts: WebhookOptions) {
    const u = new URL(opts.url);
    this.target = `${u.protocol}//${u.host}${u.pathname}`; // no credentials or query in logs
  }

  render(g: NotificationGroup): unknown {
    return {
      type: 'camfleet.case-events',
      version: 1,
      id: g.idempotencyKey,
      createdAt: g.createdAt,
      site: g.site,
      summary: { ja: subject(g), en: g.events.map((e) => `${e.kind} #${e.case.id}`).join(', ') },
      text: textBody(g),
      events: g.events.map((e) => ({
        idempotencyKey: e.idempotencyKey,
        kind: e.kind,
        at: e.at,
        case: { ...e.case, cameraSerials: cameraSerials(e.case, g.spec) },
      })),
    };
  }

  async send(payload: unknown, ctx: SendContext): Promise<void> {
    const body = JSON.stringify(payload);
    const timestamp = String(Math.floor((this.opts.clock ?? Date.now)() / 1000));
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'camfleet-webhook/1',
          'idempotency-key': ctx.idempotencyKey,
          'x-camfleet-delivery-attempt': String(ctx.attempt),
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signature(this.opts.secret, timestamp, body),
        },
      });
    } catch (err) {
      throw new DeliveryError(reason(err, this.opts.timeoutMs));
    }
    await res.arrayBuffer().catch(() => undefined); // drain so the connection is reused
    if (res.status < 200 || res.status >= 300) throw new DeliveryError(`HTTP ${res.status}`);
  }
}
