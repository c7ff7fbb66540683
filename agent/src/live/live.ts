// Live view and snapshots on demand (docs/live-view.md). `live-start` spawns ONE ffmpeg per device that
// turns the camera's RTSP stream into MPEG-1 video in an MPEG transport stream (640x360, 25 fps, 800 kbit/s,
// what JSMpeg plays in the dashboard) and streams it to the server's one-time ingest URL as a chunked HTTP
// POST (the agent has no WebSocket client; the server cutting the POST plays the part of a close). ffmpeg —
// the only holder of the camera's credentials — is stopped (SIGTERM, then SIGKILL) when the ingest
// connection closes, when ffmpeg exits, when `live-stop` arrives, or after the max duration. `snapshot`
// answers with one small JPEG (base64).
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import type { Command } from '@camfleet/shared';
import type { AgentDevice } from '../config/types.ts';
import { ffmpegReason } from '../probes/rtsp/frame.ts';
import { rtspTarget, uriWithCredentials, type RtspTarget } from '../probes/rtsp/target.ts';

export const LIVE_FIRST_FRAME_MS = 10_000;
export const SNAPSHOT_TIMEOUT_MS = 15_000;
export const SNAPSHOT_MAX_BYTES = 120 * 1024;
const KILL_GRACE_MS = 2_000;
const STDERR_TAIL = 4096;

export type Answer = { ok: boolean; code?: string; message?: string; jpeg?: string };

export interface LiveOptions {
  devices: () => Map<string, AgentDevice>;
  log: (msg: string) => void;
  ffmpegPath?: string;
  /** Guard against a stream nobody stops, ms (env CAMFLEET_LIVE_MAX_S, default 30 min). */
  maxDurationMs?: number;
}

interface Stream {
  id: string;
  child: ChildProcessByStdio<null, Readable, Readable>;
  stop: (why: string) => void;
  exited: Promise<void>;
}

/**
 * MPEG-1 video only (no audio), as node-rtsp-stream / JSMpeg expect. MPEG-1 allows only the standard frame
 * rates (23.976–60), so 25 fps; the bitrate, not the rate, sets the bandwidth. No B-frames (JSMpeg shows
 * pictures in decode order), a keyframe every second (where a viewer can join, docs/live-view.md), and a
 * flush after every packet so a picture is not held back in ffmpeg's 32 KiB output buffer.
 */
export function liveFfmpegArgs(target: RtspTarget): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-rtsp_transport', 'tcp', '-timeout', '5000000',
    '-analyzeduration', '100000', '-probesize', '100000',
    '-i', uriWithCredentials(target),
    '-map', '0:v:0', '-an', '-vf', 'scale=640:360', '-r', '25',
    '-codec:v', 'mpeg1video', '-b:v', '800k', '-maxrate', '1200k', '-bufsize', '1200k', '-bf', '0', '-g', '25',
    '-f', 'mpegts', '-flush_packets', '1', 'pipe:1',
  ];
}

export function snapshotFfmpegArgs(target: RtspTarget, q: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-rtsp_transport', 'tcp', '-timeout', '5000000',
    '-analyzeduration', '100000', '-probesize', '100000',
    '-i', uriWithCredentials(target),
    '-map', '0:v:0', '-an', '-frames:v', '1', '-vf', 'scale=640:-2', '-q:v', String(q),
    '-f', 'image2pipe', '-vcodec', 'mjpeg', 'pipe:1',
  ];
}

function refusal(stderr: string, target: RtspTarget): Answer {
  const reason = ffmpegReason(stderr, target);
  if (/401|unauthori[sz]ed/i.test(stderr)) return { ok: false, code: 'auth-failed', message: `${target.label}: the camera refused the credentials (401)` };
  return { ok: false, code: 'camera-refused', message: `${target.label}: ${reason}` };
}

export class LiveStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly maxDurationMs: number;

  constructor(private readonly opts: LiveOptions) {
    this.maxDurationMs = opts.maxDurationMs ?? (Number(process.env.CAMFLEET_LIVE_MAX_S) || 1800) * 1000;
  }

  active(): number {
    return this.streams.size;
  }

  private target(cmd: Command): RtspTarget | Answer {
    if (!cmd.device) return { ok: false, code: 'no-device', message: 'the command names no device' };
    const device = this.opts.devices().get(cmd.device);
    if (!device) return { ok: false, code: 'unknown-device', message: `no device "${cmd.device}" at this site` };
    if (!device.rtsp) return { ok: false, code: 'no-rtsp', message: `device "${cmd.device}" has no rtsp block` };
    try {
      return rtspTarget(device);
    } catch (err) {
      return { ok: false, code: 'rtsp-config', message: err instanceof Error ? err.message : String(err) };
    }
  }

  async start(cmd: Command): Promise<Answer> {
    const target = this.target(cmd);
    if (!('uri' in target)) return target;
    let ingest: URL;
    try {
      ingest = new URL(cmd.ingestUrl ?? '');
      if (ingest.protocol !== 'http:' && ingest.protocol !== 'https:') throw new Error('scheme');
    } catch {
      return { ok: false, code: 'bad-ingest-url', message: 'live-start needs an http(s) ingestUrl' };
    }
    const device = cmd.device!;
    const previous = this.streams.get(device);
    if (previous) {
      previous.stop('replaced by a new live-start');
      await previous.exited;
    }
    const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', liveFfmpegArgs(target), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-STDERR_TAIL); });
    let exitedResolve!: () => void;
    const exited = new Promise<void>((r) => { exitedResolve = r; });
    let hasExited = false;
    let spawnError: string | undefined;
    child.once('error', (err: NodeJS.ErrnoException) => {
      spawnError = err.code === 'ENOENT' ? 'ffmpeg is not installed on the gateway' : `could not run ffmpeg (${err.code ?? 'error'})`;
      hasExited = true;
      exitedResolve();
    });
    child.once('close', () => { hasExited = true; exitedResolve(); });
    let killTimer: NodeJS.Timeout | undefined;
    const io: { upload?: http.ClientRequest } = {};
    let stopped: string | undefined;
    const stop = (why: string) => {
      if (stopped) return;
      stopped = why;
      this.opts.log(`live ${device}: stopping ffmpeg (${why})`);
      clearTimeout(guard);
      if (!hasExited) {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => { if (!hasExited) child.kill('SIGKILL'); }, KILL_GRACE_MS);
        killTimer.unref();
      }
      io.upload?.destroy();
    };
    const guard = setTimeout(() => stop(`max duration ${Math.round(this.maxDurationMs / 1000)} s`), this.maxDurationMs);
    guard.unref();
    const stream: Stream = { id: cmd.id, child, stop, exited };
    this.streams.set(device, stream);
    void exited.then(() => {
      clearTimeout(killTimer);
      clearTimeout(guard);
      if (this.streams.get(device) === stream) this.streams.delete(device);
      io.upload?.destroy();
    });

    // Wait for the first bytes (the camera accepted) or an early exit (it refused).
    const first = await new Promise<Buffer | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), LIVE_FIRST_FRAME_MS);
      child.stdout.once('data', (c: Buffer) => { clearTimeout(t); child.stdout.pause(); resolve(c); });
      void exited.then(() => { clearTimeout(t); resolve(undefined); });
    });
    if (!first) {
      stop('no frame');
      await exited;
      if (spawnError) return { ok: false, code: 'ffmpeg-missing', message: spawnError };
      if (stderr.trim()) return refusal(stderr, target);
      return { ok: false, code: 'camera-refused', message: `${target.label}: no video within ${LIVE_FIRST_FRAME_MS / 1000} s` };
    }

    const req = (ingest.protocol === 'https:' ? https : http).request(ingest, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    io.upload = req;
    req.on('error', () => stop('ingest connection failed'));
    req.on('close', () => stop('ingest connection closed'));
    req.on('response', (res) => { res.resume(); res.once('end', () => stop('ingest answered')); });
    req.write(first);
    child.stdout.on('data', (c: Buffer) => {
      if (req.destroyed) return;
      if (!req.write(c)) {
        child.stdout.pause();
        req.once('drain', () => child.stdout.resume());
      }
    });
    child.stdout.resume();
    child.once('close', () => { if (!req.destroyed) req.end(); });
    if (stopped) return { ok: false, code: 'stopped', message: stopped };
    this.opts.log(`live ${device}: streaming ${target.label} to the server`);
    return { ok: true, code: 'streaming', message: `${target.label}: streaming MPEG-1 (MPEG-TS) 640x360 at 25 fps, 800 kbit/s` };
  }

  async stop(cmd: Command): Promise<Answer> {
    const stream = cmd.device ? this.streams.get(cmd.device) : undefined;
    if (!stream) return { ok: true, code: 'not-running', message: 'no live stream for this device' };
    stream.stop('live-stop');
    await stream.exited;
    return { ok: true, code: 'stopped', message: 'ffmpeg stopped' };
  }

  async snapshot(cmd: Command): Promise<Answer> {
    const target = this.target(cmd);
    if (!('uri' in target)) return target;
    for (const q of [8, 14, 24]) {
      const r = await this.grab(target, q);
      if (!r.ok || !r.jpeg) return r;
      if (Buffer.byteLength(r.jpeg, 'base64') <= SNAPSHOT_MAX_BYTES) return r;
    }
    return { ok: false, code: 'too-large', message: `${target.label}: the frame stays above ${SNAPSHOT_MAX_BYTES / 1024} KiB` };
  }

  private grab(target: RtspTarget, q: number): Promise<Answer> {
    return new Promise((resolve) => {
      const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', snapshotFfmpegArgs(target, q), { stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let killed: string | undefined;
      const timer = setTimeout(() => { killed = `no frame within ${SNAPSHOT_TIMEOUT_MS / 1000} s`; child.kill('SIGKILL'); }, SNAPSHOT_TIMEOUT_MS);
      child.stdout.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 4 * 1024 * 1024) { killed = 'frame too large'; child.kill('SIGKILL'); return; }
        chunks.push(c);
      });
      child.stderr.on('data', (c: Buffer) => { stderr = (stderr + c.toString('utf8')).slice(-STDERR_TAIL); });
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ ok: false, code: err.code === 'ENOENT' ? 'ffmpeg-missing' : 'frame-failed', message: 'could not run ffmpeg' });
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        if (killed) return resolve({ ok: false, code: 'frame-failed', message: `${target.label}: ${killed}` });
        const jpeg = Buffer.concat(chunks);
        if (code === 0 && jpeg.length > 4 && jpeg[0] === 0xff && jpeg[1] === 0xd8) {
          return resolve({ ok: true, code: 'ok', message: `${jpeg.length} bytes`, jpeg: jpeg.toString('base64') });
        }
        resolve(stderr.trim() ? refusal(stderr, target) : { ok: false, code: 'frame-failed', message: `${target.label}: ffmpeg produced no frame` });
      });
    });
  }

  /** On agent stop: every ffmpeg gone before we return. */
  async close(): Promise<void> {
    const all = [...this.streams.values()];
    for (const s of all) s.stop('agent stopping');
    await Promise.all(all.map((s) => s.exited));
  }
}
