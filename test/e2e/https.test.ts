// Issue 8 §2: the server speaks HTTPS when given a certificate (CAMFLEET_TLS_CERT / CAMFLEET_TLS_KEY), and its
// session cookie is then Secure, and HSTS is sent. The certificate is made here with openssl, as docs/security.md says.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/index.ts';
import { TEST_ADMIN } from '../support/auth.ts';
import { startServer, tempDir, type ServerProcess } from '../support/processes.ts';

function request(url: string, ca: Buffer, opts: { method?: string; body?: string } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, method: opts.method ?? 'GET', headers: opts.body ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('HTTPS', () => {
  let server: ServerProcess;
  let ca: Buffer;
  let base: string;

  beforeAll(async () => {
    const dir = tempDir('https');
    const key = path.join(dir, 'server.key');
    const cert = path.join(dir, 'server.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    ca = readFileSync(cert);
    server = await startServer({
      name: 'https',
      healthy: async (port) => (await request(`https://127.0.0.1:${port}/healthz`, ca).catch(() => ({ status: 0 }))).status === 200,
      env: { CAMFLEET_MQTT_PORT: String(await freePort()), CAMFLEET_TLS_CERT: cert, CAMFLEET_TLS_KEY: key },
    });
    base = `https://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers over TLS with HSTS and a Secure session cookie', async () => {
    const health = await request(`${base}/healthz`, ca);
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const login = await request(`${base}/api/v1/session`, ca, { method: 'POST', body: JSON.stringify(TEST_ADMIN) });
    expect(login.status).toBe(200);
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/HttpOnly/i);
  });

  it('does not answer plain HTTP on the same port', async () => {
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
  });
});
