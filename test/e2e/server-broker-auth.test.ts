// Issue 4 §1: with a site credential file, the embedded aedes broker lets a site's login publish only
// under its own camfleet/v1/<site>/ subtree; anything else is refused by the broker and counted as a
// reject at /metrics, while the site's own telemetry is stored. (With Mosquitto the ACL does this.)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@camfleet/shared';
import { hashSitePassword } from '@camfleet/server/broker/credentials';
import { freePort, waitFor } from '../harness/index.ts';
import { startInProcess, type InProcessServer } from '../bench/ingest/inprocess.ts';
import { announce, telemetry } from '../bench/ingest/sim-agents.ts';
import { tempDir } from '../support/processes.ts';

describe('embedded broker with site credentials', () => {
  let server: InProcessServer;
  let url: string;

  beforeAll(async () => {
    const dir = tempDir('broker-auth');
    const credentials = path.join(dir, 'sites.txt');
    writeFileSync(credentials, `# site:scrypt hash (scripts/site-credentials.ts)\nauth-shop-a:${await hashSitePassword('secret-a')}\nauth-shop-b:${await hashSitePassword('secret-b')}\n`, { mode: 0o600 });
    const mqttPort = await freePort();
    server = await startInProcess({ mqttPort, mqttSiteCredentials: credentials, databaseUrl: undefined, influxUrl: undefined, mqttUrl: undefined, dataDir: path.join(dir, 'data') }, 'broker-auth');
    url = `mqtt://127.0.0.1:${mqttPort}`;
  });

  afterAll(async () => {
    await server?.close();
  });

  const login = (username: string, password: string) =>
    mqtt.connectAsync(url, { protocolVersion: 4, username, password, reconnectPeriod: 0, connectTimeout: 3000 });

  it('refuses a wrong password', async () => {
    await expect(login('auth-shop-a', 'wrong')).rejects.toThrow();
    await expect(login('no-such-site', 'secret-a')).rejects.toThrow();
  });

  it('accepts a site\'s own topics, refuses and counts another site\'s', async () => {
    const a = await login('auth-shop-a', 'secret-a');
    await announce(a, ['auth-shop-a'], 4);
    await a.publishAsync(topics.telemetry('auth-shop-a'), JSON.stringify(telemetry('auth-shop-a', 1, Date.now(), 4)), { qos: 1 });
    await waitFor(() => server.app.core.fleet.deviceStatus('auth-shop-a', 'gw')?.state === 'UP', { timeoutMs: 5000, what: 'shop-a telemetry applied' });
    expect(server.metric('camfleet_ingest_rejected_total')).toBe(0);

    // shop-a pretending to be shop-b: refused by the broker (which then drops the connection), counted.
    const closed = new Promise<void>((r) => a.once('close', () => r()));
    a.publish(topics.telemetry('auth-shop-b'), JSON.stringify(telemetry('auth-shop-b', 1, Date.now(), 4)), { qos: 1 });
    await closed;
    await waitFor(() => server.metric('camfleet_ingest_rejected_total', { reason: 'site-mismatch' }) === 1, { timeoutMs: 5000, what: 'the reject counted' });
    expect(server.app.core.fleet.hasSite('auth-shop-b')).toBe(false);
    a.end(true);

    // A site may not send commands either (server → agent only).
    const a2 = await login('auth-shop-a', 'secret-a');
    const closed2 = new Promise<void>((r) => a2.once('close', () => r()));
    a2.publish(topics.cmd('auth-shop-a', 'reboot'), '{}', { qos: 1 });
    await closed2;
    await waitFor(() => server.metric('camfleet_ingest_rejected_total', { reason: 'site-mismatch' }) === 2, { timeoutMs: 5000, what: 'the second reject counted' });
    a2.end(true);

    // And the server's own ingest still works for the other site.
    const b = await login('auth-shop-b', 'secret-b');
    await announce(b, ['auth-shop-b'], 4);
    await b.publishAsync(topics.telemetry('auth-shop-b'), JSON.stringify(telemetry('auth-shop-b', 1, Date.now(), 4)), { qos: 1 });
    await waitFor(() => server.app.core.fleet.deviceStatus('auth-shop-b', 'gw')?.state === 'UP', { timeoutMs: 5000, what: 'shop-b telemetry applied' });
    await b.endAsync();
  });
});
