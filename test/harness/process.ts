import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync, rmSync } from 'node:fs';

export interface LoggedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Set once the child has exited (or failed to spawn). */
  readonly exitInfo: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
  /** Signals go to the child's whole process group (npm → sh → tsx → node chains leave no orphans). */
  readonly group: boolean;
  /** Sends a signal to the child, or to its process group when `group`. */
  signal(sig: NodeJS.Signals): void;
}

export interface SpawnOptions {
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Start the child in its own process group and signal the whole group. */
  group?: boolean;
}

/**
 * Spawn `command` with stdout+stderr appended to `logFile`. The child writes straight to the file
 * (no pipes through this process), so a chatty service can never block on a full pipe and the log
 * survives for the failure message. Append mode keeps the log across restarts.
 */
export function spawnLogged(name: string, command: string, args: string[], opts: SpawnOptions): LoggedProcess {
  const fd = openSync(opts.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd], detached: opts.group ?? false });
  } finally {
    closeSync(fd);
  }
  let exitInfo: LoggedProcess['exitInfo'];
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo ??= { code, signal };
      resolve();
    });
    // ENOENT and friends: 'exit' never follows, so resolve here.
    child.once('error', (error) => {
      exitInfo ??= { code: null, signal: null, error };
      resolve();
    });
  });
  return {
    name,
    child,
    logFile: opts.logFile,
    get exitInfo() {
      return exitInfo;
    },
    exited,
    group: opts.group ?? false,
    signal(sig: NodeJS.Signals) {
      try {
        if (opts.group && child.pid) process.kill(-child.pid, sig);
        else child.kill(sig);
      } catch {
        /* already gone */
      }
    },
  };
}

export interface WaitForOptions {
  timeoutMs: number;
  /** What we are waiting for, used in the timeout message. */
  what: string;
  intervalMs?: number;
  /** Polled before each check; a returned string aborts the wait at once with that reason. */
  abortIf?: () => string | undefined;
}

/**
 * Poll `check` until it returns a value other than false/undefined/null. A throwing check counts as
 * "not yet"; its last error is included in the timeout message.
 */
export async function waitFor<T>(
  check: () => T | false | undefined | null | Promise<T | false | undefined | null>,
  opts: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  const interval = opts.intervalMs ?? 100;
  let lastError: unknown;
  for (;;) {
    const abort = opts.abortIf?.();
    if (abort !== undefined) throw new Error(`gave up waiting for ${opts.what}: ${abort}`);
    try {
      const result = await check();
      if (result !== false && result !== undefined && result !== null) return result;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export async function stopProcess(proc: LoggedProcess, graceMs = 5000): Promise<void> {
  if (proc.exitInfo && !proc.group) return;
  proc.signal('SIGTERM');
  const timedOut = await Promise.race([
    proc.exited.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
  ]);
  if (timedOut && !proc.exitInfo) {
    proc.signal('SIGKILL');
    await proc.exited;
  }
  // The group leader may be gone while its children linger; make sure none outlives the test.
  if (proc.group) proc.signal('SIGKILL');
}

/** The last `lines` lines of a log file ('' if it cannot be read). */
export function tailLog(file: string, lines = 25): string {
  try {
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    return all.slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** An Error naming the service, the reason and the tail of its log. */
export function startError(service: string, reason: string, logFile: string): Error {
  const tail = tailLog(logFile);
  const body = tail ? `\n--- last lines of ${logFile} ---\n${tail}` : `\n(log ${logFile} is empty)`;
  const keep = process.env.CAMFLEET_KEEP_TEST_DIRS
    ? ''
    : '\n(a failed first start removes the temp dir; set CAMFLEET_KEEP_TEST_DIRS=1 to keep it)';
  return new Error(`${service} failed to start: ${reason}${body}${keep}`);
}

function describeExit(info: NonNullable<LoggedProcess['exitInfo']>): string {
  if (info.error) return `could not spawn: ${info.error.message}`;
  return info.signal ? `exited with signal ${info.signal}` : `exited with code ${String(info.code)}`;
}

/**
 * Spawn a service and wait until `ready` succeeds. Fails fast (not at the timeout) when the child
 * exits early, and throws `startError` with the log tail; the child is killed on failure.
 */
export async function startLogged(
  name: string,
  command: string,
  args: string[],
  opts: SpawnOptions & { ready: () => Promise<boolean>; timeoutMs?: number },
): Promise<LoggedProcess> {
  const proc = spawnLogged(name, command, args, opts);
  try {
    await waitFor(opts.ready, {
      timeoutMs: opts.timeoutMs ?? 30_000,
      what: 'it to become ready',
      abortIf: () => (proc.exitInfo ? describeExit(proc.exitInfo) : undefined),
    });
    return proc;
  } catch (err) {
    await stopProcess(proc, 1000);
    throw startError(name, err instanceof Error ? err.message : String(err), opts.logFile);
  }
}

/** Throw one clear line when a system binary the harness needs is missing. */
export function requireBinary(path: string, debianPackage: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${path} not found: install the Debian package '${debianPackage}' (run: sudo bash scripts/install-test-deps.sh)`,
    );
  }
}

/** Remove a service's temp dir unless CAMFLEET_KEEP_TEST_DIRS is set (for post-mortems). */
export function removeDir(dir: string): void {
  if (process.env.CAMFLEET_KEEP_TEST_DIRS) return;
  rmSync(dir, { recursive: true, force: true });
}

/** Run `fn`; if it throws, removeDir(dir) and rethrow. */
export async function removeDirOnFailure<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    removeDir(dir);
    throw err;
  }
}

/** What every harness service hands back. */
export interface ServiceHandle {
  readonly url: string;
  readonly port: number;
  /** Temp dir holding config, data and the log. */
  readonly dir: string;
  /** The service's stdout/stderr log. */
  readonly logFile: string;
  /** Stop the service; its dir and data are kept so start() can bring it back. */
  stop(): Promise<void>;
  /** (Re)start on the same port and dir; a no-op while running. */
  start(): Promise<void>;
  /** stop() and remove the temp dir (kept if CAMFLEET_KEEP_TEST_DIRS is set). */
  dispose(): Promise<void>;
}

/**
 * The ServiceHandle of a service run as one child process: `launch` (re)starts it on the same port and dir,
 * so stop() then start() keeps its data; dispose() also removes the dir.
 */
export function childService(
  where: { url: string; port: number; dir: string; logFile: string },
  first: LoggedProcess,
  launch: (port: number) => Promise<LoggedProcess>,
): ServiceHandle {
  let proc: LoggedProcess | undefined = first;
  const stop = async () => {
    if (proc) await stopProcess(proc);
    proc = undefined;
  };
  return {
    ...where,
    stop,
    start: async () => {
      if (!proc || proc.exitInfo) proc = await launch(where.port);
    },
    dispose: async () => {
      await stop();
      removeDir(where.dir);
    },
  };
}
