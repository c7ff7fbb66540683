// Starts camfleet's own processes for end-to-end tests the way an operator would: the server through
// `npm start` or its entry point, the agent through its bin. Logs go to files named in failure messages.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, spawnLogged, stopProcess, waitFor, tailLog, type LoggedProcess } from '../harness/index.ts';
import { testAuthEnv } from './auth.ts';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

const made: string[] = [];
process.once('exit', () => {
  if (process.env.CAMFLEET_KEEP_TEST_DIRS) return;
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir removed when the test process exits (kept with CAMFLEET_KEEP_TEST_DIRS=1 for post-mortems). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `camfleet-${prefix}-`));
  made.push(dir);
  return dir;
}

/** The environment a child gets: ours minus npm's run-script variables (they change how the bin resolves paths). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (k.startsWith('npm_') || k === 'INIT_CWD') delete env[k];
  return env;
}

export interface ServerProcess {
  url: string;
  port: number;
  proc: LoggedProcess;
  dir: string;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export async function startServer(opts: {
  env?: Record<string, string>;
  viaNpmStart?: boolean;
  name?: string;
  /** How to tell the server is up (default: GET http://…/healthz answers 200) — e.g. over HTTPS. */
  healthy?: (port: number) => Promise<boolean>;
} = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dir = tempDir(opts.name ?? 'server');
  const env = childEnv({ PORT: String(port), HOST: '127.0.0.1', CAMFLEET_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', ...testAuthEnv(), ...opts.env });
  const logFile = path.join(dir, 'server.log');
  const proc = opts.viaNpmStart
    ? spawnLogged('server', 'npm', ['start', '--silent'], { logFile, cwd: REPO, env, group: true })
    : spawnLogged('server', path.join(REPO, 'node_modules/.bin/tsx'), [path.join(REPO, 'server/src/main.ts')], { logFile, cwd: REPO, env, group: true });
  const url = `http://127.0.0.1:${port}`;
  const healthy = opts.healthy ?? (async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200);
  await waitFor(() => healthy(port), {
    timeoutMs: 60_000,
    what: `the server at ${url} to report healthy`,
    abortIf: () => (proc.exitInfo ? `the server exited: ${tailLog(logFile)}` : undefined),
  });
  return {
    url,
    port,
    proc,
    dir,
    stop: () => stopProcess(proc, 10_000),
    async kill() {
      proc.signal('SIGKILL');
      await proc.exited;
    },
  };
}

export interface AgentProcess {
  proc: LoggedProcess;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

export function startAgent(configFile: string, logFile: string): AgentProcess {
  const proc = spawnLogged('agent', process.execPath, [path.join(REPO, 'agent/bin/camfleet-agent.js'), 'run', configFile], { logFile, cwd: REPO, env: childEnv({}), group: true });
  return {
    proc,
    stop: () => stopProcess(proc, 10_000),
    async kill() {
      proc.signal('SIGKILL');
      await proc.exited;
    },
  };
}
