import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { withFreePort } from './ports.ts';
import { removeDir, removeDirOnFailure, requireBinary, startError, waitFor, type ServiceHandle } from './process.ts';

const execFileP = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';
const RUNUSER = '/usr/sbin/runuser';

export interface PostgresOptions {
  /** Fixed port; default is a free loopback port. */
  port?: number;
}

export interface PostgresHandle extends ServiceHandle {
  /** CREATE DATABASE `name` (letters, digits, underscore) and return its connection URL. */
  createDatabase(name: string): Promise<string>;
}

/**
 * The newest /usr/lib/postgresql/<ver>/bin. Never PATH: /usr/local/bin/pg_ctl on the dev machines is
 * not PostgreSQL's, and Debian keeps initdb out of PATH anyway.
 */
export function postgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      `${PG_ROOT}/<version>/bin/initdb not found: install the Debian package 'postgresql' (run: sudo bash scripts/install-test-deps.sh)`,
    );
  }
  return join(PG_ROOT, newest, 'bin');
}

/** Fail only if SELECT 1 does not work; resolves true once the server answers. */
async function selectOne(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    const res = await client.query<{ one: number }>('SELECT 1 AS one');
    return res.rows[0]?.one === 1;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Start a private PostgreSQL (trust auth, fsync off) on 127.0.0.1 with its cluster in a temp dir. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresHandle> {
  const bin = postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) requireBinary(RUNUSER, 'util-linux');
  const dir = await mkdtemp(join(tmpdir(), 'camfleet-postgres-'));
  // initdb/pg_ctl refuse to run as root: as root, run them as `postgres` on a dir that user owns.
  if (asRoot) {
    const { uid, gid } = postgresIds();
    await chown(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');

  // Runs a PostgreSQL tool (as `postgres` when we are root); cwd is the temp dir so the tools never
  // complain about a cwd the postgres user cannot enter.
  const run = async (tool: string, args: string[]) => {
    const cmd = join(bin, tool);
    const [file, argv] = asRoot ? [RUNUSER, ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
    try {
      await execFileP(file, argv, { cwd: dir, timeout: 90_000 });
    } catch (err) {
      const e = err as Error & { stderr?: string; stdout?: string };
      throw new Error(`${tool} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
    }
  };

  let running = false;
  const launch = async (port: number) => {
    const name = `postgres (port ${port}, dir ${dir})`;
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    // fsync & co. off: a throwaway cluster, speed matters more than crash safety.
    const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    try {
      // -w: pg_ctl itself waits until the server accepts connections (or has died).
      await run('pg_ctl', ['-D', dataDir, '-l', logFile, '-o', serverOpts, '-w', '-t', '60', 'start']);
      running = true;
      await waitFor(() => selectOne(url), { timeoutMs: 15_000, what: 'SELECT 1' });
    } catch (err) {
      await stop();
      throw startError(name, err instanceof Error ? err.message : String(err), logFile);
    }
  };
  const stop = async () => {
    if (!running && !existsSync(join(dataDir, 'postmaster.pid'))) return;
    running = false;
    try {
      await run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
    } catch {
      killPostmaster(dataDir); // pg_ctl could not stop it: do not leak a server
    }
  };

  let port = 0;
  // A failed first start removes the dir (the error already quotes the log tail).
  await removeDirOnFailure(dir, async () => {
    try {
      await run('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
    } catch (err) {
      throw startError(`postgres (dir ${dir})`, err instanceof Error ? err.message : String(err), logFile);
    }
    await withFreePort(opts.port, async (p) => {
      port = p;
      await launch(p);
    });
  });

  const base = `postgres://postgres@127.0.0.1:${port}`;
  return {
    url: `${base}/postgres`,
    port,
    dir,
    logFile,
    stop,
    start: async () => {
      if (!running) await launch(port);
    },
    dispose: async () => {
      await stop();
      removeDir(dir);
    },
    createDatabase: (name: string) => createDatabase(`${base}/postgres`, name),
  };
}

/**
 * CREATE DATABASE `name` on the server behind `serverUrl` (any database URL on it, e.g. the injected
 * `postgresUrl`) and return the new database's URL. Names: letters, digits, underscore.
 */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`createDatabase: bad name ${JSON.stringify(name)}`);
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function postgresIds(): { uid: number; gid: number } {
  // /etc/passwd: name:x:uid:gid:... (no extra dependency for a getpwnam)
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error("user 'postgres' not found: install the Debian package 'postgresql' (run: sudo bash scripts/install-test-deps.sh)");
  }
  return { uid: Number(uid), gid: Number(gid) };
}

function killPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
