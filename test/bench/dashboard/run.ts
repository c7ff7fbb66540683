// Dashboard benchmark (issue 7 §4, docs/bench-dashboard.md): the built dashboard in Debian's Chromium against a
// lightweight fake server (fake-server.ts: static dist + the socket.io contract + the cases REST calls) holding a
// synthetic fleet of 10,000 devices on 500 sites with 300 active cases. Prints, each as the median of --runs loads:
//   - a baseline: a blank page's first render in the same browser and run;
//   - time to first render of the fleet overview and of the cases board: the first screenful, and the whole first
//     page (500 device rows; 100 case rows);
//   - under --rate device changes per second for --seconds (in --hz batches; the real server sends one batch a
//     second), on the overview and on the cases board (plus --case-rate case updates a second): the longest main-thread
//     task (PerformanceObserver 'longtask') and dropped updates (sent by the server vs received and held by the page);
// and the ratios to the baseline. The load phase's own longest task is printed apart (the snapshot arrives as one
// message; the churn starts once the page holds it). Timings are printed, never asserted; targets: first render < 1.5 s, no task > 100 ms.
//
//   npx tsx test/bench/dashboard/run.ts [--sites 500] [--devices-per-site 20] [--cases 300] [--rate 1000] [--hz 1]
//                                        [--seconds 20] [--case-rate 10] [--runs 3] [--json]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../../support/browser.ts';
import { REPO } from '../../support/processes.ts';
import { FakeFleet, startFakeServer, type FakeServer } from './fake-server.ts';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? def) : def;
};
const SITES = Number(arg('sites', '500'));
const PER_SITE = Number(arg('devices-per-site', '20'));
const CASES = Number(arg('cases', '300'));
const RATE = Number(arg('rate', '1000'));
const HZ = Number(arg('hz', '1'));
const SECONDS = Number(arg('seconds', '20'));
const CASE_RATE = Number(arg('case-rate', '10'));
const RUNS = Number(arg('runs', '3'));
const JSON_OUT = process.argv.includes('--json');
const DIST = path.join(REPO, 'dashboard/dist');
const VIEWPORT = { width: 1366, height: 768 };

const median = (xs: number[]): number => {
  const ok = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return ok[Math.floor(ok.length / 2)] ?? NaN;
};
const ms = (x: number): string => `${Math.round(x)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/**
 * In every page: long tasks from the start (buffered), and `rendered(selector, min)` — the time (performance.now(),
 * from navigation start) of the frame after `min` elements matching `selector` first exist, polled every frame.
 */
function instrument(): void {
  const w = window as unknown as { __bench: { longtasks: { start: number; duration: number }[]; seen: Record<string, number> } };
  w.__bench = { longtasks: [], seen: {} };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__bench.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no longtask support: reported as such */
  }
}

async function renderedAt(page: Page, selector: string, min: number, timeoutMs = 60_000): Promise<number> {
  return page.evaluate(
    ({ selector, min, timeoutMs }) =>
      new Promise<number>((resolve, reject) => {
        const t0 = performance.now();
        const check = (): void => {
          if (document.querySelectorAll(selector).length >= min) {
            // The frame after the one that has the elements: they are laid out and painted by then.
            requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())));
            return;
          }
          if (performance.now() - t0 > timeoutMs) reject(new Error(`${selector} ×${min} not rendered`));
          else requestAnimationFrame(check);
        };
        check();
      }),
    { selector, min, timeoutMs },
  );
}

async function newPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US' });
  // tsx (esbuild keepNames) wraps named inner functions in __name(); give the page a no-op one.
  await ctx.addInitScript({ content: 'globalThis.__name ??= (f) => f;' });
  await ctx.addInitScript(instrument);
  await ctx.addInitScript(() => localStorage.setItem('camfleet.lang', 'en'));
  return ctx.newPage();
}

interface Load {
  rendered: number;
  fcp: number;
  /** Main-thread CPU time of the page until then (Chromium's ThreadTime): what a busy machine does not inflate. */
  cpu: number;
}

async function load(browser: Browser, url: string, selector: string, min: number): Promise<{ page: Page; load: Load }> {
  const page = await newPage(browser);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(url, { waitUntil: 'commit' });
  const rendered = await renderedAt(page, selector, min);
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  const { metrics } = await cdp.send('Performance.getMetrics');
  const cpu = (metrics.find((m) => m.name === 'ThreadTime')?.value ?? NaN) * 1000;
  await cdp.detach();
  return { page, load: { rendered, fcp, cpu } };
}

async function firstRenders(browser: Browser, url: string, selector: string, min: number): Promise<Load> {
  const loads: Load[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { page, load: l } = await load(browser, url, selector, min);
    loads.push(l);
    await page.context().close();
  }
  return { rendered: median(loads.map((l) => l.rendered)), fcp: median(loads.map((l) => l.fcp)), cpu: median(loads.map((l) => l.cpu)) };
}

interface Churn {
  /** Per message the server sent: main-thread CPU time and task / script / layout / style durations, ms. */
  work: { cpu: number; task: number; script: number; layout: number; style: number };
  longest: number;
  over50: number;
  over100: number;
  sent: number;
  received: number;
  applied: number;
  batches: number;
  stale: number;
  casesSent: number;
  casesReceived: number;
  casesStale: number;
}

/** Waits until the page holds the fleet snapshot and the cases, then 1 s more; returns the longest task so far. */
async function settle(page: Page): Promise<number> {
  await page.waitForFunction(() => {
    const c = (globalThis as unknown as { __camfleet: { fleet: { snapshotAt: Date | null }; cases: { loadedAt: Date | null } } }).__camfleet;
    return c.fleet.snapshotAt !== null && c.cases.loadedAt !== null;
  }, undefined, { timeout: 60_000 });
  await sleep(1000);
  return page.evaluate(() => Math.max(0, ...(globalThis as unknown as { __bench: { longtasks: { duration: number }[] } }).__bench.longtasks.map((t) => t.duration)));
}

/** Churns the fleet (and the cases) for SECONDS on an open page; returns its long tasks and what it holds. */
async function churn(server: FakeServer, page: Page, caseRate: number): Promise<Churn> {
  const { fleet, io } = server;
  const before = await page.evaluate(() => {
    const c = (globalThis as unknown as { __camfleet: { fleet: { stats: Record<string, number> }; cases: { stats: Record<string, number> } } }).__camfleet;
    return { start: performance.now(), fleet: { ...c.fleet.stats }, cases: { ...c.cases.stats } };
  });
  const sent0 = { ...fleet.sent };
  // Chromium's own counters for the page's main thread: CPU time (robust to a busy machine) and task, script,
  // layout and style durations.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async (): Promise<Record<string, number>> =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const m0 = await metrics();
  const every = 1000 / HZ;
  const perBatch = Math.round(RATE / HZ);
  const t0 = Date.now();
  let tick = 0;
  let summaryAt = 0;
  let casesAt = 0;
  while (Date.now() - t0 < SECONDS * 1000) {
    const { devices, sites } = fleet.churn(perBatch);
    if (sites.length) io.to('fleet').emit('sites:update', sites);
    io.to('fleet').emit('devices:update', devices);
    const now = Date.now();
    if (now - summaryAt >= 500) {
      io.emit('fleet:summary', fleet.summary());
      summaryAt = now;
    }
    if (caseRate > 0 && now - casesAt >= 900) {
      io.to('fleet').emit('cases:update', fleet.churnCases(caseRate));
      casesAt = now;
    }
    tick++;
    await sleep(Math.max(0, t0 + tick * every - Date.now()));
  }
  await sleep(2000); // let the last batch land and render
  const m1 = await metrics();
  const per = (name: string): number => (((m1[name] ?? 0) - (m0[name] ?? 0)) * 1000) / Math.max(1, tick);
  const work = { cpu: per('ThreadTime'), task: per('TaskDuration'), script: per('ScriptDuration'), layout: per('LayoutDuration'), style: per('RecalcStyleDuration') };
  await cdp.detach();
  const lastSent = Object.fromEntries(fleet.lastSent);
  const lastCase = Object.fromEntries(fleet.lastCaseSent);
  const after = await page.evaluate(
    ({ start, lastSent, lastCase }) => {
      const c = (globalThis as unknown as {
        __camfleet: {
          fleet: { stats: Record<string, number>; devices: ReadonlyMap<string, { latencyMs?: number }> };
          cases: { stats: Record<string, number>; get(id: number): { updatedAt: string } | undefined };
        };
        __bench: { longtasks: { start: number; duration: number }[] };
      }).__camfleet;
      const b = (globalThis as unknown as { __bench: { longtasks: { start: number; duration: number }[] } }).__bench;
      let stale = 0;
      for (const [key, seq] of Object.entries(lastSent)) if (c.fleet.devices.get(key)?.latencyMs !== seq) stale++;
      let casesStale = 0;
      for (const [id, at] of Object.entries(lastCase)) if (c.cases.get(Number(id))?.updatedAt !== at) casesStale++;
      const tasks = b.longtasks.filter((t) => t.start >= start).map((t) => t.duration);
      return { tasks, stale, casesStale, fleet: { ...c.fleet.stats }, cases: { ...c.cases.stats } };
    },
    { start: before.start, lastSent, lastCase },
  );
  return {
    work,
    longest: Math.max(0, ...after.tasks),
    over50: after.tasks.length,
    over100: after.tasks.filter((d) => d > 100).length,
    sent: fleet.sent.devices - sent0.devices,
    received: (after.fleet.received ?? 0) - (before.fleet.received ?? 0),
    applied: (after.fleet.applied ?? 0) - (before.fleet.applied ?? 0),
    batches: (after.fleet.batches ?? 0) - (before.fleet.batches ?? 0),
    stale: after.stale,
    casesSent: fleet.sent.cases - sent0.cases,
    casesReceived: (after.cases.received ?? 0) - (before.cases.received ?? 0),
    casesStale: after.casesStale,
  };
}

async function main(): Promise<void> {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    console.log('building the dashboard…');
    const r = spawnSync('npm', ['run', 'build', '-w', '@camfleet/dashboard'], { cwd: REPO, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('dashboard build failed');
  }
  const fleet = new FakeFleet({ sites: SITES, devicesPerSite: PER_SITE, activeCases: CASES });
  const server = await startFakeServer(DIST, fleet);
  const browser = await launchBrowser();
  const version = browser.version();
  const snapshotBytes = Buffer.byteLength(JSON.stringify(fleet.snapshot()));
  // Wall-clock figures on a shared machine: say how busy it was (1-minute load average, per core).
  const loadAvg = (): string => `${os.loadavg()[0]!.toFixed(2)} on ${os.cpus().length} cores`;
  const loadBefore = loadAvg();
  try {
    // Warm-up (disk cache, JIT of the server path) — not counted.
    await (await load(browser, `${server.url}/#/`, '[data-testid="device-row"]', 1)).page.context().close();

    const baseline = await firstRenders(browser, `${server.url}/blank.html`, '#blank', 1);
    const devicesShown = Math.min(500, fleet.devices.size);
    const sitesShown = Math.min(300, fleet.sites.size);
    const overviewFirst = await firstRenders(browser, `${server.url}/#/`, '[data-testid="device-row"]', Math.min(60, devicesShown));
    const overview = await firstRenders(browser, `${server.url}/#/`, '[data-testid="device-row"]', devicesShown);
    const casesShown = Math.min(100, CASES);
    const boardFirst = await firstRenders(browser, `${server.url}/#/cases`, '[data-testid="case-row"]', Math.min(30, casesShown));
    const board = await firstRenders(browser, `${server.url}/#/cases`, '[data-testid="case-row"]', casesShown);

    const o = await load(browser, `${server.url}/#/`, '[data-testid="site-row"]', sitesShown);
    await renderedAt(o.page, '[data-testid="device-row"]', devicesShown);
    const overviewLoadTask = await settle(o.page);
    const overviewChurn = await churn(server, o.page, 0);
    await o.page.context().close();
    const c = await load(browser, `${server.url}/#/cases`, '[data-testid="case-row"]', casesShown);
    const boardLoadTask = await settle(c.page);
    const boardChurn = await churn(server, c.page, CASE_RATE);
    await c.page.context().close();

    const result = {
      chromium: version,
      fleet: { sites: fleet.sites.size, devices: fleet.devices.size, activeCases: CASES, snapshotKiB: Math.round(snapshotBytes / 1024) },
      load: { runs: RUNS, baseline, overviewFirst, overview, boardFirst, board, longestTaskWhileLoading: { overview: overviewLoadTask, board: boardLoadTask } },
      ratios: {
        overviewFirst: overviewFirst.rendered / baseline.rendered,
        overview: overview.rendered / baseline.rendered,
        boardFirst: boardFirst.rendered / baseline.rendered,
        board: board.rendered / baseline.rendered,
      },
      churn: { ratePerS: RATE, hz: HZ, seconds: SECONDS, caseRatePerS: CASE_RATE, overview: overviewChurn, board: boardChurn },
      loadAverage: { before: loadBefore, after: loadAvg() },
    };
    if (JSON_OUT) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const line = (label: string, l: Load, ratio?: number) =>
      console.log(
        `  ${label.padEnd(34)} ${ms(l.rendered).padStart(8)}${ratio ? `  ×${ratio.toFixed(1).padEnd(5)}` : '         '}` +
          `  main-thread CPU ${ms(l.cpu).padStart(7)}  (first contentful paint ${Number.isFinite(l.fcp) ? ms(l.fcp) : 'not reported'})`,
      );
    const churnLines = (label: string, r: Churn) => {
      console.log(`  ${label}`);
      console.log(`    longest main-thread task        ${(r.over50 ? ms(r.longest) : 'none over 50 ms').padStart(8)}   (tasks > 50 ms: ${r.over50}, > 100 ms: ${r.over100})`);
      const w = r.work;
      console.log(`    main thread per message         ${ms(w.cpu).padStart(8)} CPU   (tasks ${ms(w.task)}: script ${ms(w.script)}, layout ${ms(w.layout)}, style ${ms(w.style)})`);
      console.log(`    device updates sent / received  ${r.sent} / ${r.received}   applied after coalescing ${r.applied} in ${r.batches} batches`);
      console.log(`    dropped (device not at its last sent value after 2 s)  ${r.stale} of ${fleet.lastSent.size}`);
      if (r.casesSent) console.log(`    case updates sent / received    ${r.casesSent} / ${r.casesReceived}   dropped ${r.casesStale}`);
    };
    console.log(`dashboard bench — ${version}, viewport ${VIEWPORT.width}×${VIEWPORT.height}, fake server`);
    console.log(`machine load average (1 min): ${result.loadAverage.before} at the start, ${result.loadAverage.after} at the end`);
    console.log(`fleet: ${fleet.sites.size} sites, ${fleet.devices.size} devices (snapshot ${Math.round(snapshotBytes / 1024)} KiB), ${CASES} active cases`);
    console.log(`first render (median of ${RUNS}, from navigation start to the frame after the content exists;`);
    console.log(`  first screenful = 60 device rows (the sites table beside them) / 30 case rows):`);
    line('baseline: blank page', baseline);
    line('fleet overview, first screenful', overviewFirst, result.ratios.overviewFirst);
    line(`fleet overview, ${devicesShown} device rows`, overview, result.ratios.overview);
    line('cases board, first screenful', boardFirst, result.ratios.boardFirst);
    line(`cases board, ${casesShown} rows`, board, result.ratios.board);
    console.log(`  longest task while loading (the 2.8 MiB snapshot is one message): overview ${ms(overviewLoadTask)}, cases board ${ms(boardLoadTask)}`);
    console.log(`under ${RATE} device changes/s in ${HZ} batch(es)/s for ${SECONDS} s:`);
    churnLines('fleet overview', overviewChurn);
    churnLines(`cases board (+ ${CASE_RATE} case updates/s)`, boardChurn);
    const worst = Math.max(overview.rendered, board.rendered, overviewFirst.rendered, boardFirst.rendered);
    const longest = Math.max(overviewChurn.longest, boardChurn.longest);
    console.log(`targets: first render < 1500 ms: ${worst < 1500 ? 'met' : 'MISSED'} (${ms(worst)}); no task > 100 ms: ${longest <= 100 ? 'met' : 'MISSED'} (${ms(longest)})`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
