// Site logins and the ACL hooks of the embedded broker, and credential rotation: SIGHUP or a changed file
// reloads, a bad file is logged as file:line and the running credentials kept (issue 8 §2).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSitePassword } from './credentials.ts';
import { LoginCache } from './login-cache.ts';
import { readSiteCredentials, siteAuthHooks, watchSiteCredentials } from './site-auth.ts';

const FAST = { N: 1024, r: 8, p: 1 };
const line = async (site: string, pw: string) => `${site}:${await hashSitePassword(pw, FAST)}\n`;

function credentialsFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'camfleet-site-auth-')), 'sites.txt');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

const stops: Array<() => void> = [];
afterEach(() => stops.splice(0).forEach((s) => s()));

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`timed out waiting for ${what}`);
}

describe('site auth hooks', () => {
  it('logs a site in with its own password only, the server with its login; refuses the rest with code 4', async () => {
    const sites = readSiteCredentials(credentialsFile((await line('shop-a', 'pw-a')) + (await line('shop-b', 'pw-b'))));
    const cache = new LoginCache();
    const hooks = siteAuthHooks({ sites, server: { username: 'camfleet-server', password: 'srv' }, onReject: () => {}, cache });
    const login = (username: string | undefined, password: string | undefined) =>
      new Promise<{ ok: boolean; code?: number; site?: string }>((resolve) => {
        const client: { id: string; camfleetSite?: string } = { id: 'c' };
        hooks.authenticate(client, username, password === undefined ? undefined : Buffer.from(password), (err, ok) =>
          resolve({ ok: Boolean(ok), ...(err ? { code: (err as Error & { returnCode: number }).returnCode } : {}), ...(client.camfleetSite ? { site: client.camfleetSite } : {}) }));
      });
    expect(await login('shop-a', 'pw-a')).toEqual({ ok: true, site: 'shop-a' });
    expect(await login('shop-a', 'pw-b')).toEqual({ ok: false, code: 4 });
    expect(await login('shop-c', 'pw-a')).toEqual({ ok: false, code: 4 });
    expect(await login(undefined, undefined)).toEqual({ ok: false, code: 4 });
    expect(await login('camfleet-server', 'srv')).toEqual({ ok: true });
    expect(await login('camfleet-server', 'pw-a')).toEqual({ ok: false, code: 4 });
    const before = cache.verifications;
    for (let i = 0; i < 20; i++) expect((await login('shop-a', 'pw-a')).ok).toBe(true);
    expect(cache.verifications).toBe(before); // a reconnect storm is answered from the cache
  });

  it('lets a site publish its own telemetry topics and subscribe to its own commands, nothing else', async () => {
    const rejects: string[] = [];
    const hooks = siteAuthHooks({
      sites: readSiteCredentials(credentialsFile(await line('shop-a', 'x'))),
      server: { username: 's', password: 's' },
      onReject: (reason, topic) => rejects.push(`${reason} ${topic}`),
    });
    const site = { id: 'c', camfleetSite: 'shop-a' };
    const pub = (topic: string, client: { id: string; camfleetSite?: string } = site) =>
      new Promise<boolean>((resolve) => hooks.authorizePublish(client, { topic }, (err) => resolve(!err)));
    const sub = (topic: string) => new Promise<boolean>((resolve) => hooks.authorizeSubscribe(site, { topic, qos: 1 }, (_e, s) => resolve(s !== null)));
    for (const t of ['agent/state', 'telemetry', 'event', 'inventory', 'cmd/reboot/result']) expect(await pub(`camfleet/v1/shop-a/${t}`)).toBe(true);
    expect(await pub('camfleet/v1/shop-b/telemetry')).toBe(false);
    expect(await pub('camfleet/v1/shop-a/cmd/reboot')).toBe(false);
    expect(await pub('elsewhere/x')).toBe(false);
    expect(await pub('camfleet/v1/shop-b/cmd/reboot', { id: 'server' })).toBe(true); // the server's login
    expect(rejects).toEqual(['site-mismatch camfleet/v1/shop-b/telemetry', 'site-mismatch camfleet/v1/shop-a/cmd/reboot', 'bad-topic elsewhere/x']);
    expect(await sub('camfleet/v1/shop-a/cmd/+')).toBe(true);
    expect(await sub('camfleet/v1/shop-a/telemetry')).toBe(false);
    expect(await sub('camfleet/v1/shop-b/cmd/+')).toBe(false);
    expect(await sub('camfleet/v1/#')).toBe(false);
    expect(await sub('#')).toBe(false);
  });
});

describe('credential rotation', () => {
  it('reloads when the file changes and on SIGHUP, reporting changed sites; a bad file keeps the old ones', async () => {
    const file = credentialsFile((await line('shop-a', 'old-a')) + (await line('shop-b', 'pw-b')) + (await line('shop-c', 'pw-c')));
    const sites = readSiteCredentials(file);
    const logs: string[] = [];
    const changes: string[][] = [];
    stops.push(watchSiteCredentials(sites, { log: (m) => logs.push(m), onChange: (c) => changes.push(c), intervalMs: 20 }));

    // Rotate shop-a, remove shop-b, keep shop-c as it was.
    const keepC = readFileSync(file, 'utf8').split('\n')[2];
    writeFileSync(file, `${await line('shop-a', 'new-a')}${keepC}\n# shop-b removed\n`);
    await until('the change to be picked up', () => changes.length === 1);
    expect(changes[0]).toEqual(['shop-a', 'shop-b']);
    expect(logs.at(-1)).toBe(`site credentials file changed: reloaded ${file} (2 sites; changed or removed: shop-a, shop-b)`);
    expect(sites.get('shop-b')).toBeUndefined();

    // A broken file: one line naming file:line, the running credentials kept.
    writeFileSync(file, `${await line('shop-a', 'newer-a')}shop-d:plaintext\n`);
    await until('the bad file to be logged', () => logs.length === 2);
    expect(logs[1]).toBe(`site credentials file changed: site credentials not reloaded, keeping the running ones: ${file}:2: expected "site:scrypt$N$r$p$salt$hash" (write it with scripts/site-credentials.ts; plaintext passwords are not accepted)`);
    expect(sites.size).toBe(2);

    // Fixed, and SIGHUP (as `systemctl reload` / `kill -HUP` sends) reloads at once, without waiting for the poll.
    writeFileSync(file, `${await line('shop-a', 'newer-a')}${keepC}\n`);
    process.emit('SIGHUP', 'SIGHUP');
    expect(logs[2]).toBe(`SIGHUP: reloaded ${file} (2 sites; changed or removed: shop-a)`);
    expect(changes[1]).toEqual(['shop-a']);
  });

  it('stop() removes the SIGHUP handler', () => {
    const sites = readSiteCredentials(credentialsFile('# none yet\n'));
    const before = process.listenerCount('SIGHUP');
    const stop = watchSiteCredentials(sites, { log: () => {}, onChange: () => {} });
    expect(process.listenerCount('SIGHUP')).toBe(before + 1);
    stop();
    expect(process.listenerCount('SIGHUP')).toBe(before);
  });
});
