// Logins for tests. Every test server is started with a known admin password and an admin API token
// (CAMFLEET_ADMIN_PASSWORD / CAMFLEET_ADMIN_TOKEN, docs/security.md) so tests can reach the API the way an
// integration would (a bearer token) and the dashboard the way a person would (a session cookie).
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';

export const TEST_ADMIN = { username: 'admin', password: 'test-admin-password-not-secret' };
/** Admin API token (cft_ + at least 32 base64url characters, the shape the server accepts). */
export const TEST_ADMIN_TOKEN = 'cft_testAdminTokenNotSecret0123456789abcdefghi';

/** Environment for a spawned server (startServer adds it). */
export function testAuthEnv(): Record<string, string> {
  return { CAMFLEET_ADMIN_PASSWORD: TEST_ADMIN.password, CAMFLEET_ADMIN_TOKEN: TEST_ADMIN_TOKEN };
}

/** Config for an in-process `build({ config })`. */
export const testAuthConfig = { adminPassword: TEST_ADMIN.password, adminToken: TEST_ADMIN_TOKEN };

/** Headers that authenticate a request as the test admin. */
export function authHeaders(token = TEST_ADMIN_TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** socket.io-client options that authenticate the connection as the test admin. */
export function socketAuth(token = TEST_ADMIN_TOKEN): { auth: { token: string } } {
  return { auth: { token } };
}

/** Logs in through the API and returns the session cookie header value. */
export async function loginCookie(baseUrl: string, user = TEST_ADMIN): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(user),
  });
  if (res.status !== 200) throw new Error(`login as ${user.username} failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0];
  if (!cookie) throw new Error('login answered 200 without a session cookie');
  return cookie;
}

/** A browser context already signed in (session cookie set), so a test can open any dashboard page. */
export async function signedInContext(browser: Browser, baseUrl: string, opts: BrowserContextOptions = {}, user = TEST_ADMIN): Promise<BrowserContext> {
  const ctx = await browser.newContext(opts);
  await signIn(ctx, baseUrl, user);
  return ctx;
}

/** Sets a fresh session cookie for baseUrl in an existing context. */
export async function signIn(ctx: BrowserContext, baseUrl: string, user = TEST_ADMIN): Promise<void> {
  const cookie = await loginCookie(baseUrl, user);
  const eq = cookie.indexOf('=');
  await ctx.addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: baseUrl, httpOnly: true, sameSite: 'Strict' }]);
}
