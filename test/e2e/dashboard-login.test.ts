// Issue 8 §1 in Debian's Chromium: the dashboard shows only a login form until a login succeeds (in
// Japanese too), says why a login failed, shows who is logged in with which role, keeps a viewer's hands off
// case actions, and a logout ends the live connection and returns to the form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/index.ts';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { authHeaders, TEST_ADMIN } from '../support/auth.ts';
import { startServer, type ServerProcess } from '../support/processes.ts';

const VIEWER = { username: 'night-viewer', password: 'night-viewer-pass-01' };

describe('dashboard login', () => {
  let server: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer({ name: 'dashboard-login', env: { CAMFLEET_MQTT_PORT: String(await freePort()) } });
    const made = await fetch(`${server.url}/api/v1/users`, {
      method: 'POST', headers: { ...authHeaders(), 'content-type': 'application/json' }, body: JSON.stringify({ ...VIEWER, role: 'viewer' }),
    });
    expect(made.status).toBe(201);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the login form, refuses a wrong password, lets the admin in and out', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US' });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/`);
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('site-row').count()).toBe(0);
    await screenshot(page, 'login-en');

    await page.getByTestId('login-username').fill(TEST_ADMIN.username);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('Wrong username or password.');

    await page.getByTestId('login-password').fill(TEST_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
    expect(await page.getByTestId('user-role').textContent()).toBe('admin');
    await expect.poll(() => page.getByTestId('connection').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');
    const cookies = await ctx.cookies();
    expect(cookies.find((c) => c.name === 'camfleet_session')?.httpOnly).toBe(true);
    expect(await page.evaluate(() => document.cookie)).not.toContain('camfleet_session');

    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    expect(me).toBe(401);
    await ctx.close();
  });

  it('shows the form in Japanese and a viewer role that cannot act', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'ja-JP' });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/cases`);
    await page.getByTestId('login-form').waitFor();
    expect(await page.getByTestId('login-submit').textContent()).toBe('ログイン');
    await screenshot(page, 'login-ja');
    await page.getByTestId('login-username').fill(VIEWER.username);
    await page.getByTestId('login-password').fill(VIEWER.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('user-menu').waitFor();
    expect(await page.getByTestId('user-role').textContent()).toBe('閲覧者');
    // The same session reaches the API; what the viewer may not do, the server refuses (the page hides it too).
    const [read, act] = await page.evaluate(async () => [
      (await fetch('/api/v1/cases')).status,
      (await fetch('/api/v1/maintenance', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status,
    ]);
    expect(read).toBe(200);
    expect(act).toBe(403);
    await ctx.close();
  });
});
