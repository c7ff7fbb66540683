// E-mail notifier: SMTP through nodemailer (CAMFLEET_SMTP_URL, e.g. smtp://user:pass@mail:587 or smtps://…:465).
// One plain-text message per group, Japanese then English; the Message-ID derives from the idempotency key so a
// retried message is recognisably the same one.
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { subject, textBody } from './render.ts';
import { DeliveryError, type NotificationGroup, type Notifier, type SendContext } from './types.ts';

export interface EmailOptions {
  smtpUrl: string;
  to: string[];
  from: string;
  timeoutMs: number;
}

interface EmailPayload {
  subject: string;
  text: string;
}

function reason(err: unknown): string {
  const e = err as { code?: string; responseCode?: number };
  return ['SMTP', e.code, e.responseCode].filter(Boolean).join(' ') || 'SMTP error';
}

export class EmailNotifier implements Notifier {
  readonly kind = 'email';
  readonly target: string;
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(private readonly opts: EmailOptions) {
    const u = new URL(opts.smtpUrl);
    this.target = `${u.protocol}//${u.host} → ${opts.to.join(', ')}`;
    const options: SMTPTransport.Options = {
      url: opts.smtpUrl,
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
    };
    this.transport = nodemailer.createTransport(options);
  }

  render(g: NotificationGroup): EmailPayload {
    return { subject: subject(g), text: textBody(g) };
  }

  async send(payload: unknown, ctx: SendContext): Promise<void> {
    const p = payload as EmailPayload;
    try {
      await this.transport.sendMail({
        from: this.opts.from,
        to: this.opts.to,
        subject: p.subject,
        text: p.text,
        textEncoding: 'base64',
        messageId: `<${ctx.idempotencyKey}@camfleet>`,
        headers: { 'X-Camfleet-Idempotency-Key': ctx.idempotencyKey, 'X-Camfleet-Delivery-Attempt': String(ctx.attempt) },
      });
    } catch (err) {
      throw new DeliveryError(reason(err));
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
