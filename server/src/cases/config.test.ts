// Case and notifier settings from the environment: defaults, bad values as one line naming the variable, the
// contact directory file with per-site overrides.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.ts';
import { DEFAULT_RETRY_S, casesConfigFromEnv, directoryFor } from './config.ts';

describe('casesConfigFromEnv', () => {
  it('has documented defaults and no notifier without settings', () => {
    const c = casesConfigFromEnv({});
    expect(c.engine).toEqual({ holdPolls: 2, resolveHoldMs: 300_000, flapWindow: 21, flapHighPct: 20, flapLowPct: 5, refreshMs: 60_000, agentOfflineHoldMs: 60_000 });
    expect(c.notify).toMatchObject({ groupWindowMs: 30_000, emailTo: [], emailFrom: 'camfleet@localhost', retryScheduleMs: DEFAULT_RETRY_S.map((s) => s * 1000) });
    expect(c.notify.webhookUrl).toBeUndefined();
    expect(c.closeAfterMs).toBe(168 * 3_600_000);
    expect(c.contacts.directory.profile).toBe('gigaraku-camera-example');
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ CAMFLEET_CASE_HOLD_POLLS: '0' }, /^CAMFLEET_CASE_HOLD_POLLS=0 is not a number from 1 to 100$/],
    [{ CAMFLEET_CASE_HOLD_POLLS: '2.5' }, /^CAMFLEET_CASE_HOLD_POLLS=2.5 is not a whole number$/],
    [{ CAMFLEET_NOTIFY_RETRY_S: '10,soon' }, /^CAMFLEET_NOTIFY_RETRY_S=10,soon must be/],
    [{ CAMFLEET_WEBHOOK_URL: 'https://hooks.example.jp/x' }, /CAMFLEET_WEBHOOK_SECRET is not/],
    [{ CAMFLEET_WEBHOOK_URL: 'ftp://x', CAMFLEET_WEBHOOK_SECRET: 's' }, /must start with http: or https:/],
    [{ CAMFLEET_SMTP_URL: 'smtp://mail:25' }, /CAMFLEET_NOTIFY_EMAIL_TO is not/],
    [{ CAMFLEET_CASE_FLAP_LOW_PCT: '30', CAMFLEET_CASE_FLAP_HIGH_PCT: '20' }, /must not be above/],
    [{ CAMFLEET_CONTACTS_FILE: '/no/such/file.json' }, /no such file/],
  ])('%o → a ConfigError', (env, message) => {
    expect(() => casesConfigFromEnv(env)).toThrow(ConfigError);
    expect(() => casesConfigFromEnv(env)).toThrow(message);
  });

  it('reads a contact directory with per-site overrides; a contact needs a bilingual name', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'camfleet-contacts-'));
    const file = path.join(dir, 'contacts.json');
    writeFileSync(file, JSON.stringify({
      profile: 'acme',
      contacts: { 'purchase-vendor': { name: { ja: '山田電機', en: 'Yamada Denki' }, phone: '03-0000-0000' } },
      sites: { 'shop-1': { 'line-carrier': { name: { ja: 'NTT東日本 故障窓口', en: 'NTT East repairs' }, phone: '113' } } },
    }));
    const { contacts } = casesConfigFromEnv({ CAMFLEET_CONTACTS_FILE: file });
    expect(directoryFor(contacts, 'shop-1').contacts['line-carrier']).toMatchObject({ phone: '113', configured: true, party: 'line-carrier' });
    expect(directoryFor(contacts, 'shop-2').contacts['line-carrier'].configured).toBe(false);
    expect(directoryFor(contacts, 'shop-2').contacts['purchase-vendor']).toMatchObject({ name: { en: 'Yamada Denki' } });
    expect(directoryFor(contacts, 'shop-2').contacts['support-center'].phone).toBe('0120-511-244');
    writeFileSync(file, JSON.stringify({ contacts: { 'line-carrier': { phone: '113' } } }));
    expect(() => casesConfigFromEnv({ CAMFLEET_CONTACTS_FILE: file })).toThrow(/contacts.line-carrier: a contact needs name.ja and name.en/);
  });
});
