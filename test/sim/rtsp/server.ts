// Starts and controls rtsp_server.py (GStreamer RTSP server with Digest auth) for tests, benchmarks and
// the demo. The password travels in the child's environment, never on its command line; modes change at
// runtime through the child's stdin; the child dies with us (stdin EOF, PR_SET_PDEATHSIG).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { requireBinary, waitFor, withFreePort } from '../../harness/index.ts';
import { writeScenes } from './images.ts';

/**
 * What a mount shows. normal: the scene with an on-screen display (ball + clock) that follows the wall
 * clock; blur / fog: the scene defocused / hazed, display included; black: no signal; frozen: the normal
 * picture, never changing; dead: DESCRIBE answers 503 (the media cannot be prepared).
 */
export const RTSP_MODES = ['normal', 'blur', 'fog', 'black', 'frozen', 'dead'] as const;
export type RtspSimMode = (typeof RTSP_MODES)[number];

const PYTHON = '/usr/bin/python3'; // Debian's, which has python3-gi (NOTES.md)
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rtsp_server.py');
const HOST = '127.0.0.1';

export interface RtspServerOptions {
  /** Default: a free loopback port. */
  port?: number;
  username: string;
  password: string;
  /** Mount paths ('/cam1' or 'cam1'), optionally with their first mode (default normal). */
  mounts: (string | { path: string; mode?: RtspSimMode })[];
  /** The scene (file path or encoded image); default a synthetic one. */
  image?: string | Buffer;
  width?: number;
  height?: number;
  /** Default 20 s. */
  startTimeoutMs?: number;
}

export interface RtspServerHandle {
  readonly host: string;
  readonly port: number;
  readonly width: number;
  readonly height: number;
  /** Temp dir holding the scene images (removed by close()). */
  readonly dir: string;
  /** The python process while running (for orphan checks). */
  readonly pid: number | undefined;
  /** rtsp://127.0.0.1:port/mount, without credentials. */
  url(mount: string): string;
  mode(mount: string): RtspSimMode;
  /** Applies to sessions set up afterwards (each probe sets up its own). Also works while stopped. */
  setMode(mount: string, mode: RtspSimMode): Promise<void>;
  /** Kill the server: connections are refused until start(). */
  stop(): Promise<void>;
  /** Start again on the same port with the current modes; a no-op while running. */
  start(): Promise<void>;
  /** stop() and remove the scene images. */
  close(): Promise<void>;
}

function mountPath(m: string): string {
  return m.startsWith('/') ? m : `/${m}`;
}

/** True once `port` answers an RTSP OPTIONS request (any RTSP status line). */
export function answersRtsp(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port });
    let got = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write(`OPTIONS rtsp://${HOST}:${port}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n`));
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) done(/^RTSP\/1\.0 \d{3}/.test(got));
    });
    socket.on('error', () => done(false));
  });
}

class RtspSim implements RtspServerHandle {
  readonly host = HOST;
  port = 0;
  width = 0;
  height = 0;
  private child: ChildProcessWithoutNullStreams | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderrTail = '';
  private replies: ((line: string) => void)[] = [];
  private readonly modes = new Map<string, RtspSimMode>();

  constructor(
    private readonly opts: RtspServerOptions,
    readonly dir: string,
  ) {
    for (const m of opts.mounts) {
      const spec = typeof m === 'string' ? { path: m } : m;
      this.modes.set(mountPath(spec.path), spec.mode ?? 'normal');
    }
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  url(mount: string): string {
    return `rtsp://${HOST}:${this.port}${mountPath(mount)}`;
  }

  mode(mount: string): RtspSimMode {
    const mode = this.modes.get(mountPath(mount));
    if (!mode) throw new Error(`RTSP simulator has no mount ${mountPath(mount)}`);
    return mode;
  }

  async setMode(mount: string, mode: RtspSimMode): Promise<void> {
    const p = mountPath(mount);
    this.mode(p);
    if (!RTSP_MODES.includes(mode)) throw new Error(`unknown RTSP simulator mode ${String(mode)}`);
    this.modes.set(p, mode);
    if (this.child) {
      const answer = await this.command(`mode ${p} ${mode}`);
      if (!answer.startsWith('ok')) throw new Error(`RTSP simulator: ${answer}`);
    }
  }

  async launch(port: number, timeoutMs: number): Promise<void> {
    const { width, height } = this;
    const size = Math.max(32, Math.floor(Math.min(width, height) / 3 / 2) * 2);
    const args = [SCRIPT, '--port', String(port), '--user', this.opts.username, '--images', this.dir];
    args.push('--size', `${width}x${height}`, '--overlay', `${Math.floor(width / 2)},${Math.floor(height / 8)},${size}`);
    for (const [p, mode] of this.modes) args.push('--mount', `${p}=${mode}`);
    const child = spawn(PYTHON, args, { stdio: 'pipe', env: { ...process.env, CAMSIM_RTSP_PASSWORD: this.opts.password } });
    this.child = child;
    this.stderrTail = '';
    let exitText: string | undefined;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exitText = signal ? `killed by ${signal}` : `exited with code ${String(code)}`;
        if (this.child === child) this.child = undefined;
        for (const reply of this.replies.splice(0)) reply(`error simulator ${exitText}`);
        resolve();
      });
    });
    child.stdin.on('error', () => {}); // EPIPE once it is gone
    child.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
    });
    const lines = createInterface({ input: child.stdout });
    let ready = false;
    lines.on('line', (line) => {
      if (line.startsWith('ready ')) ready = true;
      else this.replies.shift()?.(line);
    });
    try {
      await waitFor(async () => ready && (await answersRtsp(port)), {
        timeoutMs,
        what: `the RTSP simulator on port ${port}`,
        abortIf: () => (exitText ? `it ${exitText}` : undefined),
      });
    } catch (err) {
      await this.stop();
      const tail = this.stderrTail.trim().split('\n').slice(-5).join('\n');
      throw new Error(`${err instanceof Error ? err.message : String(err)}${tail ? `\n${tail}` : ''}`);
    }
    this.port = port;
  }

  private command(line: string): Promise<string> {
    const child = this.child;
    if (!child) return Promise.resolve('error simulator not running');
    return new Promise((resolve) => {
      this.replies.push(resolve);
      child.stdin.write(`${line}\n`);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    child.stdin.end();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await this.exited;
    clearTimeout(timer);
  }

  async start(): Promise<void> {
    if (!this.child) await this.launch(this.port, this.opts.startTimeoutMs ?? 20_000);
  }

  async close(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function startRtspServer(opts: RtspServerOptions): Promise<RtspServerHandle> {
  requireBinary(PYTHON, 'python3-gi');
  if (opts.mounts.length === 0) throw new Error('startRtspServer: at least one mount is needed');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'camfleet-rtsp-'));
  const sim = new RtspSim(opts, dir);
  try {
    Object.assign(sim, await writeScenes(dir, opts));
    await withFreePort(opts.port, (port) => sim.launch(port, opts.startTimeoutMs ?? 20_000));
    return sim;
  } catch (err) {
    await sim.close();
    throw err;
  }
}
