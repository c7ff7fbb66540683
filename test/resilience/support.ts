// Shared scaffolding of the fault-injection suite (test/resilience): how long each fault lasts, where the tests
// count what came out (InfluxDB and PostgreSQL, never only the API), a spawned server's environment, and an
// agent on a simulated site. Each test counts what went in and what came out; these helpers only read.
import '../harness/provided.ts';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase } from '../harness/index.ts';
import { startSimSite, type SimSite } from '../sim/site.ts';
import { authHeaders } from '../support/auth.ts';
import { startAgent, tempDir, type AgentProcess, type ServerProcess } from '../support/processes.ts';

/** CAMFLEET_RESILIENCE_FULL=1: every fault at its full length (docs/bench-resilience.md); default: CI lengths. */
export const FULL = process.env.CAMFLEET_RESILIENCE_FULL === '1';

/** A fault's length in ms: `shortS` in CI, `fullS` with CAMFLEET_RESILIENCE_FULL=1. */
export const faultMs = (shortS: number, fullS: number): number => (FULL ? fullS : shortS) * 1000;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One line per test run, so the full-length run can be recorded from the output. */
export function report(test: string, figures: Record<string, number | string>): void {
  console.log(`[resilience] ${test}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

// ---- InfluxDB: what history holds ------------------------------------------------------------------------

export interface InfluxDb {
  /** Rows of the first series of an InfluxQL query (epoch ms). */
  rows(q: string): Promise<Array<[number, ...unknown[]]>>;
  /** Sample times of one device, oldest first, optionally from a time on. */
  times(site: string, device: string, fromMs?: number): Promise<number[]>;
  /** count(reachable) over the given sites. */
  count(sites: readonly string[], fromMs?: number): Promise<number>;
}

export function influxDb(baseUrl: string, db: string): InfluxDb {
  const rows = async (q: string) => {
    const res = await fetch(`${baseUrl}/query?db=${db}&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { results: Array<{ error?: string; series?: Array<{ values: Array<[number, ...unknown[]]> }> }> };
    if (body.results[0]?.error) throw new Error(`InfluxDB: ${body.results[0].error}`);
    return body.results[0]?.series?.[0]?.values ?? [];
  };
  const since = (fromMs?: number) => (fromMs === undefined ? '' : ` AND time >= ${fromMs}ms`);
  return {
    rows,
    async times(site, device, fromMs) {
      return (await rows(`SELECT reachable FROM device_sample WHERE site = '${site}' AND device = '${device}'${since(fromMs)}`)).map((r) => r[0]);
    },
    async count(sites, fromMs) {
      const where = sites.map((s) => `site = '${s}'`).join(' OR ');
      const [row] = await rows(`SELECT count(reachable) FROM device_sample WHERE (${where})${since(fromMs)}`);
      return Number(row?.[1] ?? 0);
    },
  };
}

// ---- PostgreSQL: what the relational store holds ---------------------------------------------------------

export interface Sql {
  rows<T extends Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A small pool that survives the database going away (the PostgreSQL-restart test reads across it). */
export function sql(url: string): Sql {
  const pool = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 2000 });
  pool.on('error', () => {});
  return {
    rows: async <T extends Record<string, unknown>>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[],
    close: () => pool.end(),
  };
}

/** A fresh database on the run's shared PostgreSQL (for the tests that do not restart it). */
export const sharedDatabase = (name: string): Promise<string> => createDatabase(inject('postgresUrl'), name);

// ---- the spawned server ----------------------------------------------------------------------------------

/**
 * Environment for `startServer` against external services. Each test's server has its own share group:
 * servers of other test files on the same broker must not split its telemetry.
 */
export function serverEnv(o: { mqttUrl: string; influxUrl: string; databaseUrl: string; group: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    CAMFLEET_MQTT_URL: o.mqttUrl,
    CAMFLEET_INFLUX_URL: o.influxUrl,
    CAMFLEET_DATABASE_URL: o.databaseUrl,
    CAMFLEET_MQTT_SHARE_GROUP: o.group,
    ...o.extra,
  };
}

/** One value (summed over label sets) from the server's /metrics. */
export async function metric(server: ServerProcess, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: authHeaders() })).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z0-9_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (m?.[1] === name) sum += Number(m[3]);
  }
  return sum;
}

export async function health(server: ServerProcess): Promise<{ httpStatus: number; status: string; components: Record<string, { state: string; buffered?: number; spilled?: number }> }> {
  const res = await fetch(`${server.url}/healthz`);
  return { httpStatus: res.status, ...((await res.json()) as { status: string; components: Record<string, { state: string }> }) };
}

/** The data dir `startServer` gives a server unless CAMFLEET_DATA_DIR says otherwise. */
export const dataDirOf = (server: ServerProcess): string => path.join(server.dir, 'data');

/** Files left in a directory of a server's data dir ([] when it does not exist). */
export function dataFiles(dataDir: string, sub: string): string[] {
  try {
    return readdirSync(path.join(dataDir, sub));
  } catch {
    return [];
  }
}

// ---- an agent on a simulated site --------------------------------------------------------------------------

export interface SiteAgent {
  site: SimSite;
  stateDir: string;
  logFile: string;
  agent: AgentProcess;
  /** Starts the agent again on the same config and state dir (after a kill). */
  restart(): void;
  log(): string;
  close(): Promise<void>;
}

/**
 * A simulated site (gateway, switch, router, ONU, cameras on loopback) and a real agent process polling it every
 * second. The YAML holds the cameras' ONVIF password, so it is written 0600 (the agent refuses a readable one).
 */
export async function startSiteAgent(o: { id: string; mqttUrl: string; stateDir?: string; outbox?: string; cameras?: number }): Promise<SiteAgent> {
  const site = await startSimSite({ id: o.id, cameras: o.cameras ?? 2 });
  const dir = tempDir(`resilience-${o.id}`);
  const stateDir = o.stateDir ?? path.join(dir, 'state');
  const config = path.join(dir, 'site.yaml');
  const extra = `outbox:\n  replayDelayS: 2\n  replayRatePerS: 50${o.outbox ? `\n${o.outbox}` : ''}`;
  writeFileSync(config, site.yaml({ mqttUrl: o.mqttUrl, stateDir, intervalS: 1, timeoutS: 0.5, keepaliveS: 2, extra }), { mode: 0o600 });
  const logFile = path.join(dir, 'agent.log');
  const handle: SiteAgent = {
    site,
    stateDir,
    logFile,
    agent: startAgent(config, logFile),
    restart() {
      handle.agent = startAgent(config, logFile);
    },
    log: () => readFileSync(logFile, 'utf8'),
    async close() {
      await handle.agent.stop();
      await site.close();
    },
  };
  return handle;
}

/** Outbox entries in file (= send) order: what the agent has taken and not yet had acknowledged. */
export function outboxEntries(stateDir: string): Array<{ topic: string; seq: number; samples: Array<{ device: string; at: string }> }> {
  const dir = path.join(stateDir, 'outbox');
  return readdirSync(dir)
    .filter((n) => !n.endsWith('.tmp') && !n.startsWith('.')) // .filler: the disk-full test's
    .sort()
    .flatMap((n) => {
      try {
        const { topic, payload } = JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { topic: string; payload: string };
        const body = JSON.parse(payload) as { seq: number; samples?: Array<{ device: string; at: string }> };
        return [{ topic, seq: body.seq, samples: body.samples ?? [] }];
      } catch {
        return []; // removed (PUBACKed) between readdir and read
      }
    });
}

// ---- a small file system that can really fill up ------------------------------------------------------------

/** True when this process may mount a tmpfs (root, and the container allows it): the disk-full test needs one. */
export function tmpfsUsable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'camfleet-tmpfs-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(probe);
  }
}

export interface Tmpfs {
  dir: string;
  /** Writes a filler file until the file system answers ENOSPC; returns the bytes it took. */
  fill(): number;
  /** Removes the filler: the space is back. */
  free(): void;
  unmount(): void;
}

/** A tmpfs of `sizeKb` mounted on `dir` (created if missing) — real ENOSPC, no loop device needed. */
export function mountTmpfs(dir: string, sizeKb: number): Tmpfs {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
  const filler = path.join(dir, '.filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const block = Buffer.alloc(4096, 0x55);
      let bytes = 0;
      try {
        for (;;) bytes += writeSync(fd, block);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      return bytes;
    },
    free() {
      rmSync(filler, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', [dir], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' }); // a process that still holds a file: detach
      }
    },
  };
}
