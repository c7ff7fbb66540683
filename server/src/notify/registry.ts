// The notifier registry: kind → factory. A kind is in the registry when its settings are given; adding a notifier
// kind is one entry here, never a branch elsewhere.
import type { NotifyConfig } from '../cases/config.ts';
import { EmailNotifier } from './email.ts';
import type { Notifier } from './types.ts';
import { WebhookNotifier } from './webhook.ts';

type Factory = (cfg: NotifyConfig, clock: () => number) => Notifier | null;

export const NOTIFIER_FACTORIES: Readonly<Record<string, Factory>> = {
  webhook: (cfg, clock) => (cfg.webhookUrl && cfg.webhookSecret
    ? new WebhookNotifier({ url: cfg.webhookUrl, secret: cfg.webhookSecret, timeoutMs: cfg.webhookTimeoutMs, clock })
    : null),
  email: (cfg) => (cfg.smtpUrl && cfg.emailTo.length
    ? new EmailNotifier({ smtpUrl: cfg.smtpUrl, to: cfg.emailTo, from: cfg.emailFrom, timeoutMs: cfg.webhookTimeoutMs })
    : null),
};

export type NotifierRegistry = Readonly<Record<string, Notifier>>;

export function createNotifiers(cfg: NotifyConfig, clock: () => number = Date.now): NotifierRegistry {
  const out: Record<string, Notifier> = {};
  for (const [kind, make] of Object.entries(NOTIFIER_FACTORIES)) {
    const n = make(cfg, clock);
    if (n) out[kind] = n;
  }
  return out;
}
