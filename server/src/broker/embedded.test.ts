// The embedded broker says once, at start, when it runs without site logins (issue 8 §2: open only for the demo),
// and stays quiet when it has them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashSitePassword } from './credentials.ts';
import { OPEN_BROKER_WARNING, startEmbeddedBroker } from './embedded.ts';
import { readSiteCredentials } from './site-auth.ts';

describe('startEmbeddedBroker', () => {
  it('warns once that it is open when no site credentials are configured', async () => {
    const logs: string[] = [];
    const broker = await startEmbeddedBroker(0, '127.0.0.1', undefined, (m) => logs.push(m));
    await broker.close();
    expect(logs).toEqual([OPEN_BROKER_WARNING]);
    expect(OPEN_BROKER_WARNING).toContain('CAMFLEET_MQTT_SITE_CREDENTIALS');
  });

  it('does not warn with site credentials', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'camfleet-embedded-')), 'sites.txt');
    writeFileSync(file, `shop-a:${await hashSitePassword('pw', { N: 1024, r: 8, p: 1 })}\n`, { mode: 0o600 });
    const logs: string[] = [];
    const auth = { sites: readSiteCredentials(file), server: { username: 'camfleet-server', password: 'x' }, onReject: () => {} };
    const broker = await startEmbeddedBroker(0, '127.0.0.1', auth, (m) => logs.push(m));
    await broker.close();
    expect(logs).toEqual([]);
  });
});
