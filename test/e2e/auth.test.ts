// Issue 8 §1 and §4 on a server built in process (embedded broker, PGlite): each role can do exactly what it
// should and gets 403 otherwise; anonymous API and socket.io access is refused; logins lock after repeated
// failures; tokens are shown once and can be revoked; the audit log records who did what; the session
// cookie is HttpOnly and SameSite=Strict; security headers and a CSP are sent; no CORS for other origins.
import path from 'node:path';
import { io as ioClient } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '@camfleet/server';
import { freePort } from '../harness/index.ts';
import { startInProcess, type InProcessServer } from '../bench/ingest/inprocess.ts';
import { authHeaders, loginCookie, TEST_ADMIN } from '../support/auth.ts';
import { tempDir } from '../support/processes.ts';

const SITE_YAML = `site:
  id: auth-shop-01
  region: east
mqtt:
  url: mqtt://127.0.0.1:1883
devices:
  - id: gw
    segment: gateway
    address: 127.0.0.1
`;

describe('logins, roles and HTTP hardening', () => {
  let server: InProcessServer;
  const users = { viewer: 'viewer-pass-0001', operator: 'operator-pass-0001' } as const;
  const cookies: Record<string, string> = {};

  const call = async (method: string, url: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.includes('json');
    return { status: res.status, body: json && text ? JSON.parse(text) as Record<string, unknown> : {}, headers: res.headers };
  };

  beforeAll(async () => {
    const dir = tempDir('auth');
    server = await startInProcess({
      mqttPort: await freePort(), databaseUrl: undefined, influxUrl: undefined, mqttUrl: undefined, dataDir: path.join(dir, 'data'),
      loginMaxFailures: 3, loginLockoutS: 60, loginPerMin: 1000,
    }, 'auth');
    for (const [role, password] of Object.entries(users)) {
      const made = await call('POST', '/api/v1/users', authHeaders(), { username: `${role}1`, password, role });
      expect(made.status).toBe(201);
      cookies[role] = await loginCookie(server.url, { username: `${role}1`, password });
    }
    cookies.admin = await loginCookie(server.url, TEST_ADMIN);
    const imported = await call('POST', '/api/v1/inventory/import', authHeaders(), { yaml: SITE_YAML });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('refuses anonymous API, metrics and socket.io access, but not health, triage or the dashboard', async () => {
    for (const url of ['/api/v1/fleet', '/api/v1/sites', '/api/v1/cases', '/metrics', '/api/v1/session']) {
      const res = await call('GET', url, {});
      expect(res.status, url).toBe(401);
      expect((res.body.error as { code: string }).code).toBe('unauthenticated');
    }
    expect((await call('GET', '/healthz', {})).status).toBe(200);
    expect((await fetch(`${server.url}/`)).status).not.toBe(401);
    const triage = await call('POST', '/api/v1/triage', {}, { at: '2026-11-22T10:00:00+09:00', site: { id: 's', region: 'east', devices: [{ id: 'c', segment: 'camera' }] }, observations: [{ device: 'c', conditions: ['unreachable'] }] });
    expect(triage.status, JSON.stringify(triage.body)).toBe(200);

    const anonymous = ioClient(server.url, { transports: ['websocket'], reconnection: false });
    const refusal = await new Promise<string>((resolve) => anonymous.on('connect_error', (e) => resolve(e.message)));
    anonymous.close();
    expect(refusal).toBe('unauthenticated');
    const withCookie = ioClient(server.url, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: cookies.viewer! } });
    const snapshot = await new Promise<unknown>((resolve, reject) => {
      withCookie.on('fleet:snapshot', resolve);
      withCookie.on('connect_error', reject);
    });
    withCookie.close();
    expect(snapshot).toBeTruthy();
  });

  it('lets each role do exactly what it should', async () => {
    const as = (role: string) => ({ cookie: cookies[role]!, origin: server.url });
    // Everyone reads.
    for (const role of ['viewer', 'operator', 'admin']) {
      expect((await call('GET', '/api/v1/sites/auth-shop-01', as(role))).status, role).toBe(200);
      expect((await call('GET', '/metrics', as(role))).status, role).toBe(200);
    }
    // Operators act: a maintenance window stands in for every case/device action (same rule).
    const window = { site: 'auth-shop-01', start: new Date().toISOString(), end: new Date(Date.now() + 3_600_000).toISOString(), reason: 'test' };
    expect((await call('POST', '/api/v1/maintenance', as('viewer'), window)).status).toBe(403);
    expect((await call('POST', '/api/v1/sites/auth-shop-01/devices/gw/reboot', as('viewer'), {})).status).toBe(403);
    expect((await call('POST', '/api/v1/cases/1/ack', as('viewer'), {})).status).toBe(403);
    expect((await call('POST', '/api/v1/maintenance', as('operator'), window)).status).toBe(201);
    // Admins manage users, tokens, inventory and read the audit log.
    for (const role of ['viewer', 'operator']) {
      expect((await call('GET', '/api/v1/users', as(role))).status, role).toBe(403);
      expect((await call('POST', '/api/v1/tokens', as(role), { name: `t-${role}`, role: 'admin' })).status, role).toBe(403);
      expect((await call('POST', '/api/v1/inventory/import', as(role), { yaml: SITE_YAML })).status, role).toBe(403);
      expect((await call('GET', '/api/v1/audit', as(role))).status, role).toBe(403);
    }
    expect((await call('GET', '/api/v1/users', as('admin'))).status).toBe(200);
    const me = await call('GET', '/api/v1/session', as('operator'));
    expect(me.body).toMatchObject({ username: 'operator1', role: 'operator' });
  });

  it('refuses a cookie-authenticated change from another origin', async () => {
    const window = { site: 'auth-shop-01', start: new Date().toISOString(), end: new Date(Date.now() + 60_000).toISOString() };
    const res = await call('POST', '/api/v1/maintenance', { cookie: cookies.operator!, origin: 'https://evil.example' }, window);
    expect(res.status).toBe(403);
    expect((res.body.error as { code: string }).code).toBe('cross-origin');
  });

  it('issues a token once, accepts it for its role, and refuses it after revocation', async () => {
    const made = await call('POST', '/api/v1/tokens', authHeaders(), { name: 'ticketing', role: 'viewer' });
    expect(made.status).toBe(201);
    const token = made.body.token as string;
    expect(token).toMatch(/^cft_[A-Za-z0-9_-]{43}$/);
    const listed = await call('GET', '/api/v1/tokens', authHeaders());
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await call('GET', '/api/v1/fleet', authHeaders(token))).status).toBe(200);
    expect((await call('POST', '/api/v1/maintenance', authHeaders(token), {})).status).toBe(403);
    expect((await call('DELETE', `/api/v1/tokens/${String(made.body.id)}`, authHeaders())).status).toBe(204);
    await new Promise((r) => setTimeout(r, 5_100)); // past the principal cache
    expect((await call('GET', '/api/v1/fleet', authHeaders(token))).status).toBe(401);
  });

  it('locks an account after repeated failures, even for the right password', async () => {
    const made = await call('POST', '/api/v1/users', authHeaders(), { username: 'victim', password: 'victim-pass-0001', role: 'viewer' });
    expect(made.status).toBe(201);
    const attempt = (password: string) => call('POST', '/api/v1/session', {}, { username: 'victim', password });
    expect((await attempt('wrong-1')).status).toBe(401);
    expect((await attempt('wrong-2')).status).toBe(401);
    const third = await attempt('wrong-3');
    expect(third.status).toBe(429);
    expect((third.body.error as { code: string }).code).toBe('login-locked');
    const locked = await attempt('victim-pass-0001');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // An admin resetting the password lifts the lock.
    expect((await call('PATCH', '/api/v1/users/victim', authHeaders(), { password: 'victim-pass-0002' })).status).toBe(200);
    expect((await attempt('victim-pass-0002')).status).toBe(200);
  });

  it('records actions and logins in the audit log with who and from where', async () => {
    const res = await call('GET', '/api/v1/audit?limit=200', authHeaders());
    const entries = res.body.entries as { actor: string; action: string; target: string; ip: string }[];
    const seen = JSON.stringify(entries.map((e) => [e.actor, e.action, e.target]));
    expect(entries.some((e) => e.actor === 'operator1' && e.action === 'POST /api/v1/maintenance'), seen).toBe(true);
    expect(entries.some((e) => e.actor === 'viewer1' && e.action === 'device.reboot (denied)' && e.target === 'auth-shop-01/gw'), seen).toBe(true);
    expect(entries.some((e) => e.actor === 'token:environment' && e.action === 'inventory.import'), seen).toBe(true);
    expect(entries.some((e) => e.actor === 'victim' && e.action === 'login.failed'), seen).toBe(true);
    expect(entries.some((e) => e.actor === 'token:environment' && e.action === 'user.create' && e.target === 'victim'), seen).toBe(true);
    expect(entries.some((e) => e.actor === 'operator1' && e.action === 'POST /api/v1/tokens (denied)'), seen).toBe(true);
    expect(entries.every((e) => e.ip === '127.0.0.1' || e.ip === '' || e.ip.endsWith('127.0.0.1'))).toBe(true);
  });

  it('sets an HttpOnly SameSite=Strict cookie, security headers and no CORS', async () => {
    const res = await fetch(`${server.url}/api/v1/session`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TEST_ADMIN),
    });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/camfleet_session=[A-Za-z0-9_-]{43}/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const page = await fetch(`${server.url}/`, { headers: { origin: 'https://evil.example' } });
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    const api = await fetch(`${server.url}/api/v1/fleet`, { headers: { ...authHeaders(), origin: 'https://evil.example' } });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('logs out: the cookie stops working', async () => {
    const cookie = await loginCookie(server.url, TEST_ADMIN);
    expect((await call('GET', '/api/v1/session', { cookie })).status).toBe(200);
    expect((await call('DELETE', '/api/v1/session', { cookie })).status).toBe(204);
    expect((await call('GET', '/api/v1/session', { cookie })).status).toBe(401);
  });
});

describe('first start', () => {
  it('creates one admin with a random password, announced once and stored only as a hash', async () => {
    const dataDir = path.join(tempDir('first-admin'), 'data');
    const announced: { username: string; password: string }[] = [];
    const start = async () => {
      const app = await build({
        config: { dataDir, mqttPort: await freePort(), databaseUrl: undefined, influxUrl: undefined, mqttUrl: undefined },
        logger: false,
        announceAdmin: (username, password) => announced.push({ username, password }),
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      return { app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
    };
    const first = await start();
    expect(announced).toHaveLength(1);
    const { username, password } = announced[0]!;
    expect(username).toBe('admin');
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    const { rows } = await first.app.core.db.query<{ password_hash: string }>('SELECT password_hash FROM users');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$/);
    expect(rows[0]!.password_hash).not.toContain(password);
    await first.app.close();

    const again = await start();
    expect(announced).toHaveLength(1); // the second start prints nothing
    expect(await loginCookie(again.url, { username, password })).toMatch(/^camfleet_session=/);
    await again.app.close();
  });
});

describe('login rate limit', () => {
  it('answers 429 rate-limited past the per-address login budget, whatever the username', async () => {
    const server = await startInProcess({
      mqttPort: await freePort(), databaseUrl: undefined, influxUrl: undefined, mqttUrl: undefined,
      dataDir: path.join(tempDir('login-limit'), 'data'), loginPerMin: 3,
    }, 'login-limit');
    try {
      const statuses: number[] = [];
      for (const username of ['a', 'b', 'c', 'd', 'admin']) {
        const res = await fetch(`${server.url}/api/v1/session`, {
          method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'wrong-password' }),
        });
        statuses.push(res.status);
        if (res.status === 429) expect(((await res.json()) as { error: { code: string } }).error.code).toBe('rate-limited');
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await server.close();
    }
  });
});
