// Issue 7 §4 (cases board) end to end on the embedded defaults (aedes, in-process time series, PGlite): server +
// agent + simulated site, in Debian's Chromium. A camera goes down → its row and its site turn red and a case appears
// on the board; one operator acknowledges and comments in one browser context, and a second context (another
// session, no reload) sees both live, each action recorded as the logged-in user; a viewer may watch but not act; the board reads in Japanese with no English UI text left; the site and device
// views list the case; the operator resolves it and the count goes back to zero.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../dashboard/src/lib/messages/en.ts';
import { ja } from '../../dashboard/src/lib/messages/ja.ts';
import { freePort } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { authHeaders, signedInContext, TEST_ADMIN } from '../support/auth.ts';
import { launchBrowser, screenshot } from '../support/browser.ts';
import { startAgent, startServer, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

const SITE = 'cases-ui-shop-01';
/** Who the sessions are logged in as: what every action they take records. */
const OPERATOR = TEST_ADMIN.username;
const VIEWER = { username: 'viewer-kato', password: 'viewer-kato-password' };
const COMMENT = 'Called the support center, ticket 4711';

/** Every visible text of the page that is UI text: text nodes (and placeholders) outside [translate="no"] data. */
function visibleUiText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const skip = (el: Element) => el.closest('[translate="no"], script, style, noscript, option, svg');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const text = node.textContent?.replace(/\s+/g, ' ').trim();
      const el = node.parentElement;
      if (!text || !el || skip(el)) continue;
      if (!el.checkVisibility({ visibilityProperty: true })) continue;
      out.push(text);
    }
    // What a select shows is its chosen option; inputs show their placeholder.
    for (const sel of Array.from(document.querySelectorAll('select'))) {
      const opt = sel.selectedOptions[0];
      if (opt && !opt.closest('[translate="no"]') && sel.checkVisibility()) out.push(opt.text.trim());
    }
    for (const el of Array.from(document.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('input[placeholder], textarea[placeholder]'))) {
      if (el.checkVisibility() && !el.value) out.push(el.placeholder.trim());
    }
    return out;
  });
}

/** English dictionary values that differ in Japanese, as matchers: placeholders match anything. */
const englishOnly = (Object.keys(en) as (keyof typeof en)[])
  .filter((k) => en[k] !== ja[k] && en[k].replace(/\{\w+\}/g, '').replace(/[^A-Za-z]/g, '').length >= 2)
  .map((k) => {
    const pattern = en[k].replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\}/g, '.*?');
    return { key: k, re: new RegExp(`^${pattern}$`, 's') };
  });
/** Latin words a Japanese NOC screen legitimately shows (product names, units, acronyms). */
const ALLOWED_LATIN = new Set(['camfleet', 'web', 'webhook', 'english', 'utc', 'asia', 'tokyo', 'onu', 'lte', 'poe', 'onvif', 'rsrp', 'rsrq', 'sinr', 'axis', 'vivotek', 'qbic', 'cloud', 'i-pro', 'pro', 'sf', 'gigaraku']);

function englishLeftovers(texts: string[]): string[] {
  const bad: string[] = [];
  for (const text of texts) {
    const hit = englishOnly.find((m) => m.re.test(text));
    if (hit) {
      bad.push(`${JSON.stringify(text)} = en['${hit.key}']`);
      continue;
    }
    // Any other run of Latin letters that reads like an English word (3+ letters) and is not an allowed name.
    const words = (text.match(/[A-Za-z][A-Za-z-]{2,}/g) ?? []).filter((w) => !ALLOWED_LATIN.has(w.toLowerCase()));
    if (words.length) bad.push(`${JSON.stringify(text)} has ${words.join(', ')}`);
  }
  return bad;
}

describe('dashboard cases board: live cases, two operators, Japanese', () => {
  let site: SimSite;
  let server: ServerProcess;
  let agent: AgentProcess;
  let browser: Browser;
  let ctxA: BrowserContext;
  let ctxB: BrowserContext;
  let a: Page;
  let b: Page;
  let caseId = 0;

  const newSession = async (user = TEST_ADMIN): Promise<[BrowserContext, Page]> => {
    const ctx = await signedInContext(browser, server.url, { viewport: { width: 1366, height: 768 }, locale: 'en-US' }, user);
    // Start in English whatever the machine's locale (the language is remembered in localStorage).
    await ctx.addInitScript(() => {
      if (!sessionStorage.getItem('cases-test')) {
        sessionStorage.setItem('cases-test', '1');
        localStorage.setItem('camfleet.lang', 'en');
      }
    });
    const page = await ctx.newPage();
    page.setDefaultTimeout(5000);
    return [ctx, page];
  };

  beforeAll(async () => {
    const mqttPort = await freePort();
    server = await startServer({ name: 'dashboard-cases', env: { CAMFLEET_MQTT_PORT: String(mqttPort), CAMFLEET_CASE_HOLD_POLLS: '2' } });
    site = await startSimSite({ id: SITE, cameras: 2 });
    const dir = tempDir('agent-cases-ui');
    const config = path.join(dir, 'site.yaml');
    writeFileSync(config, site.yaml({ mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, stateDir: path.join(dir, 'state'), intervalS: 2, timeoutS: 1, keepaliveS: 2 }), { mode: 0o600 });
    agent = startAgent(config, path.join(dir, 'agent.log'));
    browser = await launchBrowser();
    [ctxA, a] = await newSession();
    [ctxB, b] = await newSession();
  });

  afterAll(async () => {
    await ctxA?.close();
    await ctxB?.close();
    await browser?.close();
    await agent?.stop();
    await server?.stop();
    await site?.close();
  });

  const deviceRow = (p: Page, device: string) => p.locator(`[data-testid="device-row"][data-site="${SITE}"][data-device="${device}"]`);
  const siteRow = (p: Page) => p.locator(`[data-testid="site-row"][data-site="${SITE}"]`);
  const caseRow = (p: Page) => p.locator(`[data-testid="case-row"][data-site="${SITE}"][data-root-cause="cam1"]`);
  const count = (p: Page) => p.locator('[data-testid="cases-count"]').getAttribute('data-count');
  /** The row's state stripe colour (inset box shadow). */
  const stripe = (p: Page, loc: ReturnType<Page['locator']>) => loc.evaluate((el) => getComputedStyle(el).boxShadow);
  const RED = 'rgb(255, 107, 107)';

  it('a camera goes down: its row and its site turn red and a case appears on the board', async () => {
    await a.goto(server.url);
    await expect.poll(() => deviceRow(a, 'cam1').getAttribute('data-state'), { timeout: 45_000 }).toBe('UP');
    await expect.poll(() => count(a), { timeout: 10_000 }).toBe('0');

    await site.cameras.get('cam1')!.stop();
    await expect.poll(() => deviceRow(a, 'cam1').getAttribute('data-state'), { timeout: 30_000, interval: 250 }).toBe('DOWN');
    await expect.poll(() => siteRow(a).getAttribute('data-state'), { timeout: 5_000 }).toBe('DOWN');
    expect(await stripe(a, deviceRow(a, 'cam1'))).toContain(RED);
    expect(await stripe(a, siteRow(a))).toContain(RED);
    // The count in the navigation follows the case as soon as it opens, on any view.
    await expect.poll(() => count(a), { timeout: 30_000, interval: 250 }).toBe('1');
    await screenshot(a, 'dashboard-cases-overview-down');

    await a.locator('[data-testid="nav-cases"]').click();
    await expect.poll(() => a.locator('[data-testid="cases-board"]').count()).toBe(1);
    await expect.poll(() => caseRow(a).count(), { timeout: 30_000 }).toBe(1);
    const row = caseRow(a);
    caseId = Number(await row.getAttribute('data-case-id'));
    expect(caseId).toBeGreaterThan(0);
    expect(await row.getAttribute('data-fault')).toBe('unreachable');
    expect(await row.getAttribute('data-state')).toBe('open');
    expect(await row.getAttribute('data-responsible')).toBe('support-center');
    // The guidance arrives with the record: whom to call (phone, hours), the action words, the exchange date.
    await expect.poll(() => row.locator('.tel').count(), { timeout: 10_000 }).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('Major');
    expect(text).toContain('Open');
    expect(text).toContain('Support center');
    expect(text).toContain('0120-511-244');
    expect(text).toContain('Call the support center');
    expect(text).toContain('Request an exchange');
    expect(text).toMatch(/Camera in hand by \d{4}-\d{2}-\d{2}/);
    expect(await a.locator('[data-testid="case-row"]').count()).toBe(1);
    await screenshot(a, 'dashboard-cases-board');
  }, 120_000);

  it('acknowledges and comments in one session; another session sees both live without a reload', async () => {
    // Session B opens the same case first and stays on it.
    await b.goto(`${server.url}/#/cases/${caseId}`);
    const detailB = b.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`);
    await expect.poll(() => detailB.getAttribute('data-state'), { timeout: 15_000 }).toBe('open');
    await expect.poll(() => detailB.locator('[data-testid="case-log-entry"][data-action="opened"]').count(), { timeout: 10_000 }).toBe(1);
    const navigations: string[] = [];
    b.on('framenavigated', (f) => {
      if (f === b.mainFrame()) navigations.push(f.url());
    });
    const loadsBefore = await b.evaluate(() => performance.getEntriesByType('navigation').length);

    // A viewer's session sees the case but its actions say so and are disabled.
    const made = await fetch(`${server.url}/api/v1/users`, {
      method: 'POST',
      headers: { ...authHeaders(), 'content-type': 'application/json' },
      body: JSON.stringify({ ...VIEWER, role: 'viewer' }),
    });
    expect(made.status, await made.text()).toBe(201);
    const [ctxV, v] = await newSession(VIEWER);
    try {
      await v.goto(`${server.url}/#/cases/${caseId}`);
      const detailV = v.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`);
      await expect.poll(() => detailV.getAttribute('data-state'), { timeout: 15_000 }).toBe('open');
      await expect.poll(() => detailV.locator('[data-testid="operator-required"]').count()).toBe(1);
      expect(await detailV.locator('[data-testid="case-ack"]').isDisabled()).toBe(true);
    } finally {
      await ctxV.close();
    }

    // Session A (an operator's role and more): keyboard to the case and act as the logged-in user.
    const rowA = caseRow(a);
    await rowA.focus();
    await a.keyboard.press('Enter');
    const detailA = a.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`);
    await expect.poll(() => detailA.count()).toBe(1);
    expect(a.url()).toContain(`#/cases/${caseId}`);
    expect(await a.evaluate(() => document.activeElement?.closest('[data-testid="case-detail"]') !== null)).toBe(true);
    expect(await detailA.locator('[data-testid="operator-required"]').count()).toBe(0);
    await expect.poll(() => detailA.locator('[data-testid="case-ack"]').isEnabled()).toBe(true);
    // The detail: contact with phone, mail and hours; the exchange flows with their expected dates; deliveries.
    const contact = detailA.locator('[data-testid="case-contact"]');
    expect(await contact.getAttribute('data-party')).toBe('support-center');
    expect(await contact.locator('a[href^="tel:"]').textContent()).toBe('0120-511-244');
    expect(await contact.locator('a[href^="mailto:"]').count()).toBe(1);
    expect(await contact.textContent()).toContain('9:00–21:00');
    expect(await detailA.locator('[data-testid="exchange-flow"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-flow')))).toEqual(['advance-replacement', 'send-back-first']);
    expect(await detailA.locator('[data-testid="case-exchange"]').textContent()).toMatch(/\d{4}-\d{2}-\d{2}/);
    expect(await detailA.locator('[data-testid="case-warranty"] [data-in="true"]').count()).toBe(1);

    await detailA.locator('[data-testid="case-ack"]').click();
    await expect.poll(() => detailA.getAttribute('data-state')).toBe('acknowledged');
    await detailA.locator('[data-testid="case-comment-input"]').fill(COMMENT);
    await detailA.locator('[data-testid="case-comment-submit"]').click();
    await expect.poll(() => detailA.locator('[data-testid="case-log-entry"][data-action="comment"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await detailA.locator('[data-testid="case-log-entry"][data-action="acknowledged"]').getAttribute('data-actor')).toBe(OPERATOR);

    // Session B, live: the state, who acknowledged, and the comment with its author.
    await expect.poll(() => detailB.getAttribute('data-state'), { timeout: 15_000 }).toBe('acknowledged');
    await expect.poll(() => caseRow(b).getAttribute('data-state'), { timeout: 5_000 }).toBe('acknowledged');
    expect(await detailB.locator('[data-testid="case-acknowledged"]').getAttribute('data-by')).toBe(OPERATOR);
    const commentB = detailB.locator('[data-testid="case-log-entry"][data-action="comment"]');
    await expect.poll(() => commentB.count(), { timeout: 15_000 }).toBe(1);
    expect(await commentB.getAttribute('data-actor')).toBe(OPERATOR);
    expect(await commentB.textContent()).toContain(COMMENT);
    expect(await caseRow(b).textContent()).toContain(`Acknowledged by ${OPERATOR}`);
    expect(await b.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loadsBefore);
    expect(navigations.filter((u) => !u.includes('#'))).toEqual([]);
    await screenshot(b, 'dashboard-cases-detail-second-session');
    await detailA.locator('[data-testid="case-exchange"]').scrollIntoViewIfNeeded();
    await screenshot(a, 'dashboard-cases-exchange');
    await detailA.locator('.body').evaluate((el) => el.scrollTo(0, 0));
    await screenshot(a, 'dashboard-cases-detail');
  }, 60_000);

  it('a session that lost its connection catches up on reconnect: the board reloads the active cases', async () => {
    // Session B on the board alone (no detail open, so nothing but the socket and the reload can bring news).
    await b.goto(`${server.url}/#/cases`);
    await expect.poll(() => caseRow(b).getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
    await b.evaluate(() => (globalThis as unknown as { __camfleet: { fleet: { socket: { disconnect(): void } } } }).__camfleet.fleet.socket.disconnect());
    await expect.poll(() => b.locator('[data-testid="connection"]').getAttribute('data-state')).toBe('disconnected');

    // Session A assigns the case while B is away; the push for it goes out (once a second) and B misses it.
    const detailA = a.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`);
    await detailA.locator('[data-testid="case-assign-input"]').fill('Tanaka');
    await detailA.locator('[data-testid="case-assign-submit"]').click();
    await expect.poll(() => detailA.locator('[data-testid="case-assignee"]').textContent()).toContain('Tanaka');
    await expect.poll(() => detailA.locator('[data-testid="case-log-entry"][data-action="assigned"]').count()).toBe(1);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await caseRow(b).textContent()).not.toContain('Tanaka');

    await b.evaluate(() => (globalThis as unknown as { __camfleet: { fleet: { socket: { connect(): void } } } }).__camfleet.fleet.socket.connect());
    await expect.poll(() => b.locator('[data-testid="connection"]').getAttribute('data-state'), { timeout: 10_000 }).toBe('live');
    await expect.poll(() => caseRow(b).textContent(), { timeout: 10_000 }).toContain('Assigned to Tanaka');
  }, 60_000);

  it('reads in Japanese: no English UI text is left on the board or the detail', async () => {
    // The detector itself: on the English page it finds plenty of English UI text.
    expect(englishLeftovers(await visibleUiText(a)).length).toBeGreaterThan(40);
    await a.locator('[data-testid="lang-switch"]').selectOption('ja');
    await expect.poll(() => a.locator('html').getAttribute('lang')).toBe('ja');
    await expect.poll(() => a.locator(`[data-testid="case-detail"] [data-testid="case-log-entry"]`).count()).toBeGreaterThanOrEqual(3);
    const row = caseRow(a);
    const rowText = (await row.textContent()) ?? '';
    for (const word of ['重要', '確認済み', 'サポートセンター', 'サポートセンターへ連絡', '交換を依頼']) expect(rowText).toContain(word);
    const texts = await visibleUiText(a);
    expect(texts.length).toBeGreaterThan(50);
    expect(englishLeftovers(texts)).toEqual([]);
    await a.locator('[data-testid="case-detail"] .body').evaluate((el) => el.scrollTo(0, 0));
    await screenshot(a, 'dashboard-cases-ja');
    await a.setViewportSize({ width: 3840, height: 2160 });
    expect(englishLeftovers(await visibleUiText(a))).toEqual([]);
    await screenshot(a, 'dashboard-cases-ja-4k');
    // The same board in English on the wall screen size.
    await b.setViewportSize({ width: 3840, height: 2160 });
    await screenshot(b, 'dashboard-cases-en-4k');
    await b.setViewportSize({ width: 1366, height: 768 });
    await a.setViewportSize({ width: 1366, height: 768 });
  }, 60_000);

  it('lists the case in the site and device views, with links back to the board', async () => {
    await a.locator('[data-testid="case-detail"] [data-testid="case-site-link"]').click();
    await expect.poll(() => a.locator(`[data-testid="site-view"][data-site="${SITE}"]`).count()).toBe(1);
    const siteItem = a.locator(`[data-testid="site-cases"] [data-testid="case-list-item"][data-case-id="${caseId}"]`);
    await expect.poll(() => siteItem.count()).toBe(1);
    await screenshot(a, 'dashboard-cases-site-ja');
    await a.goto(`${server.url}/#/site/${SITE}/device/cam1`);
    const deviceItem = a.locator(`[data-testid="device-cases"] [data-testid="case-list-item"][data-case-id="${caseId}"]`);
    await expect.poll(() => deviceItem.count(), { timeout: 10_000 }).toBe(1);
    expect(await deviceItem.textContent()).toContain('この機器が原因');
    // cam2 is not concerned by the case.
    await a.goto(`${server.url}/#/site/${SITE}/device/cam2`);
    await expect.poll(() => a.locator('[data-testid="device-cases"] [data-testid="case-list-empty"]').count()).toBe(1);
    await a.goto(`${server.url}/#/site/${SITE}/device/cam1`);
    await deviceItem.locator('a').first().click();
    await expect.poll(() => a.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`).count()).toBe(1);
  }, 60_000);

  it('resolves the case: recorded with who and when, and the active count goes back to zero everywhere', async () => {
    const detailA = a.locator(`[data-testid="case-detail"][data-case-id="${caseId}"]`);
    await detailA.locator('[data-testid="case-resolve"]').click();
    await expect.poll(() => detailA.getAttribute('data-state')).toBe('resolved');
    await expect.poll(() => detailA.locator('[data-testid="case-log-entry"][data-action="resolved"]').getAttribute('data-actor'), { timeout: 10_000 }).toBe(OPERATOR);
    await expect.poll(() => count(a)).toBe('0');
    await expect.poll(() => count(b), { timeout: 15_000 }).toBe('0');
    // Gone from the active board in both sessions; listed under "resolved".
    await expect.poll(() => caseRow(b).count(), { timeout: 5_000 }).toBe(0);
    await a.locator('[data-testid="cases-filter-state"]').selectOption('resolved');
    await expect.poll(() => caseRow(a).getAttribute('data-state'), { timeout: 10_000 }).toBe('resolved');
    // Esc closes the detail (keyboard), keeping the board's filter.
    await a.locator('#cases-title').focus();
    await a.keyboard.press('Escape');
    await expect.poll(() => a.locator('[data-testid="case-detail"]').count()).toBe(0);
    expect(a.url()).toMatch(/#\/cases\?state=resolved$/);
    await site.cameras.get('cam1')!.start();
  }, 60_000);
});
