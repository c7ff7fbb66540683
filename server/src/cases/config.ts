// Case engine and notifier settings from the environment (documented in docs/cases.md). Every value has a default;
// a bad value is one ConfigError line naming the variable.
import { readFileSync } from 'node:fs';
import { EXAMPLE_CONTACTS, PARTIES, type Contact, type ContactDirectory, type ResponsibleParty } from '@camfleet/shared';
import { ConfigError } from '../config.ts';

export interface EngineConfig {
  /** Consecutive polls a condition must be seen before a case opens. */
  holdPolls: number;
  /** A case resolves itself once its condition has been absent this long (ms). */
  resolveHoldMs: number;
  /** Polls in the flapping window (Nagios: 21 checks → 20 state changes). */
  flapWindow: number;
  /** Percent state change at or above which a condition is flapping, and below which it stops. */
  flapHighPct: number;
  flapLowPct: number;
  /** An active case still seen is written back at least this often (ms), even when nothing changed. */
  refreshMs: number;
  /** The agent must stay silent this long (ms) before the agent-offline case opens. */
  agentOfflineHoldMs: number;
}

export interface NotifyConfig {
  webhookUrl?: string;
  webhookSecret?: string;
  webhookTimeoutMs: number;
  smtpUrl?: string;
  emailTo: string[];
  emailFrom: string;
  /** Case events of one site within this window go out as one message (ms). */
  groupWindowMs: number;
  /** Delay before retry n (ms); after the last one the message is a dead letter. */
  retryScheduleMs: number[];
}

export interface CasesConfig {
  engine: EngineConfig;
  notify: NotifyConfig;
  /** Resolved cases turn closed after this long (ms); 0 = never automatically. */
  closeAfterMs: number;
  contacts: ContactBook;
}

/** The provider profile's directory, plus per-site overrides (a line carrier differs per customer). */
export interface ContactBook {
  directory: ContactDirectory;
  sites: Readonly<Record<string, Partial<Record<ResponsibleParty, Contact>>>>;
}

export const DEFAULT_RETRY_S = [10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400];

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`${name}=${raw} is not a number from ${min} to ${max}`);
  return n;
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const n = num(env, name, fallback, min, max);
  if (!Number.isInteger(n)) throw new ConfigError(`${name}=${env[name]} is not a whole number`);
  return n;
}

function httpUrl(env: NodeJS.ProcessEnv, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a URL (expected e.g. ${protocols[0]}//host:port)`);
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must start with ${protocols.join(' or ')}, not ${parsed.protocol}`);
  return raw;
}

function retrySchedule(env: NodeJS.ProcessEnv): number[] {
  const raw = env.CAMFLEET_NOTIFY_RETRY_S;
  if (!raw) return DEFAULT_RETRY_S.map((s) => s * 1000);
  const parts = raw.split(',').map((p) => Number(p.trim()));
  if (parts.length === 0 || parts.length > 50 || parts.some((n) => !Number.isFinite(n) || n < 0 || n > 7 * 86_400)) {
    throw new ConfigError(`CAMFLEET_NOTIFY_RETRY_S=${raw} must be up to 50 comma-separated delays in seconds, e.g. 10,30,60`);
  }
  return parts.map((s) => Math.round(s * 1000));
}

function validContact(party: ResponsibleParty, value: unknown, where: string): Contact {
  const c = value as Partial<Contact> | null;
  if (typeof c !== 'object' || c === null || typeof c.name?.ja !== 'string' || typeof c.name?.en !== 'string') {
    throw new ConfigError(`${where}: a contact needs name.ja and name.en`);
  }
  return { ...c, party, name: c.name, configured: c.configured ?? true } as Contact;
}

function contactMap(value: unknown, where: string): Partial<Record<ResponsibleParty, Contact>> {
  if (typeof value !== 'object' || value === null) throw new ConfigError(`${where} must be an object`);
  const out: Partial<Record<ResponsibleParty, Contact>> = {};
  for (const [party, c] of Object.entries(value)) {
    if (!(PARTIES as readonly string[]).includes(party)) throw new ConfigError(`${where}.${party}: unknown party; expected one of ${PARTIES.join(', ')}`);
    out[party as ResponsibleParty] = validContact(party as ResponsibleParty, c, `${where}.${party}`);
  }
  return out;
}

/** CAMFLEET_CONTACTS_FILE: `{ "profile", "contacts": { party: Contact }, "sites": { siteId: { party: Contact } } }`. */
export function loadContacts(file: string | undefined): ContactBook {
  if (!file) return { directory: EXAMPLE_CONTACTS, sites: {} };
  let parsed: { profile?: unknown; contacts?: unknown; sites?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not valid JSON';
    throw new ConfigError(`CAMFLEET_CONTACTS_FILE=${file}: ${why}`);
  }
  const contacts = { ...EXAMPLE_CONTACTS.contacts, ...contactMap(parsed.contacts ?? {}, 'CAMFLEET_CONTACTS_FILE contacts') };
  const sites: Record<string, Partial<Record<ResponsibleParty, Contact>>> = {};
  for (const [site, map] of Object.entries((parsed.sites ?? {}) as Record<string, unknown>)) {
    sites[site] = contactMap(map, `CAMFLEET_CONTACTS_FILE sites.${site}`);
  }
  const profile = typeof parsed.profile === 'string' ? parsed.profile : 'custom';
  return { directory: { profile, contacts }, sites };
}

/** The directory a site's cases use: the profile with that site's overrides on top. */
export function directoryFor(book: ContactBook, site: string): ContactDirectory {
  const own = book.sites[site];
  return own ? { ...book.directory, contacts: { ...book.directory.contacts, ...own } } : book.directory;
}

export function casesConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CasesConfig {
  const webhookUrl = httpUrl(env, 'CAMFLEET_WEBHOOK_URL', ['http:', 'https:']);
  const smtpUrl = httpUrl(env, 'CAMFLEET_SMTP_URL', ['smtp:', 'smtps:']);
  if (webhookUrl && !env.CAMFLEET_WEBHOOK_SECRET) throw new ConfigError('CAMFLEET_WEBHOOK_URL is set but CAMFLEET_WEBHOOK_SECRET is not: webhooks are always signed');
  const emailTo = (env.CAMFLEET_NOTIFY_EMAIL_TO ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (smtpUrl && emailTo.length === 0) throw new ConfigError('CAMFLEET_SMTP_URL is set but CAMFLEET_NOTIFY_EMAIL_TO is not');
  const flapLowPct = num(env, 'CAMFLEET_CASE_FLAP_LOW_PCT', 5, 0, 100);
  const flapHighPct = num(env, 'CAMFLEET_CASE_FLAP_HIGH_PCT', 20, 0, 100);
  if (flapLowPct > flapHighPct) throw new ConfigError('CAMFLEET_CASE_FLAP_LOW_PCT must not be above CAMFLEET_CASE_FLAP_HIGH_PCT');
  return {
    engine: {
      holdPolls: whole(env, 'CAMFLEET_CASE_HOLD_POLLS', 2, 1, 100),
      resolveHoldMs: num(env, 'CAMFLEET_CASE_RESOLVE_HOLD_S', 300, 0, 7 * 86_400) * 1000,
      flapWindow: whole(env, 'CAMFLEET_CASE_FLAP_WINDOW', 21, 3, 200),
      flapHighPct,
      flapLowPct,
      refreshMs: num(env, 'CAMFLEET_CASE_REFRESH_S', 60, 1, 86_400) * 1000,
      agentOfflineHoldMs: num(env, 'CAMFLEET_CASE_AGENT_OFFLINE_HOLD_S', 60, 0, 86_400) * 1000,
    },
    notify: {
      ...(webhookUrl ? { webhookUrl, webhookSecret: env.CAMFLEET_WEBHOOK_SECRET } : {}),
      webhookTimeoutMs: num(env, 'CAMFLEET_WEBHOOK_TIMEOUT_S', 10, 0.1, 300) * 1000,
      ...(smtpUrl ? { smtpUrl } : {}),
      emailTo,
      emailFrom: env.CAMFLEET_NOTIFY_EMAIL_FROM || 'camfleet@localhost',
      groupWindowMs: num(env, 'CAMFLEET_NOTIFY_GROUP_WINDOW_S', 30, 0, 3600) * 1000,
      retryScheduleMs: retrySchedule(env),
    },
    closeAfterMs: num(env, 'CAMFLEET_CASE_CLOSE_AFTER_H', 168, 0, 24 * 365) * 3_600_000,
    contacts: loadContacts(env.CAMFLEET_CONTACTS_FILE),
  };
}
