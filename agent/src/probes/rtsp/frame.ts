// One JPEG frame from an RTSP stream through ffmpeg (RTP interleaved over the RTSP TCP connection,
// RFC 2326 §10.12). ffmpeg gets the credentials in its URL — they appear in no message we make — and is
// SIGKILLed when it overruns its wall-clock budget or the caller aborts; we resolve only after it exited.
import { spawn } from 'node:child_process';
import { cleanText, RtspError } from './errors.ts';
import { uriWithCredentials, type RtspTarget } from './target.ts';

const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const STDERR_TAIL_BYTES = 4096;

export interface FrameOptions {
  /** Wall-clock budget for the whole grab, ms. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Default: `ffmpeg` on PATH. */
  ffmpegPath?: string;
}

export interface GrabbedFrame {
  jpeg: Buffer;
  /** From spawning ffmpeg to its exit, ms. */
  frameMs: number;
}

export function ffmpegArgs(target: RtspTarget, timeoutMs: number): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-rtsp_transport', 'tcp',
    '-timeout', String(Math.max(1, Math.round(timeoutMs)) * 1000), // socket I/O timeout, µs
    // Parameters come from the SDP (sprop-parameter-sets) and the first IDR; ffmpeg's default 5 s of
    // analysis made a grab take ~3 s on the simulator; 0.1 s makes it ~0.5 s.
    '-analyzeduration', '100000', '-probesize', '100000',
    '-i', uriWithCredentials(target),
    '-map', '0:v:0', '-an', '-frames:v', '1', '-q:v', '3',
    '-f', 'image2pipe', '-vcodec', 'mjpeg', 'pipe:1',
  ];
}

export function grabFrame(target: RtspTarget, opts: FrameOptions): Promise<GrabbedFrame> {
  const started = performance.now();
  const budget = Math.max(1, Math.floor(opts.timeoutMs));
  const fail = (message: string, code: 'frame-failed' | 'ffmpeg-missing' = 'frame-failed') =>
    new RtspError(code, `${target.label}: ${message}`);
  if (opts.signal?.aborted) return Promise.reject(fail('frame grab aborted'));
  return new Promise<GrabbedFrame>((resolve, reject) => {
    const child = spawn(opts.ffmpegPath ?? 'ffmpeg', ffmpegArgs(target, budget), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let killedFor: string | undefined;
    let settled = false;
    const kill = (why: string) => {
      killedFor ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`no frame within ${budget} ms`), budget);
    const onAbort = () => kill('frame grab aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (err: RtspError | undefined, jpeg?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve({ jpeg: jpeg!, frameMs: Math.round(performance.now() - started) });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FRAME_BYTES) return kill('frame larger than 16 MiB');
      chunks.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      // Spawning failed, so there is no process to wait for.
      if (err.code === 'ENOENT') settle(fail('ffmpeg is not installed on the gateway (Debian package ffmpeg)', 'ffmpeg-missing'));
      else settle(fail(`could not run ffmpeg (${err.code ?? 'error'})`));
    });
    // 'close': the process has exited and its pipes are drained — nothing is left running.
    child.once('close', (code) => {
      if (killedFor) return settle(fail(killedFor));
      const jpeg = Buffer.concat(chunks);
      if (code === 0 && isJpeg(jpeg)) return settle(undefined, jpeg);
      settle(fail(code === 0 ? 'ffmpeg produced no frame' : ffmpegReason(stderr, target)));
    });
  });
}

function isJpeg(b: Buffer): boolean {
  return b.length > 4 && b[0] === 0xff && b[1] === 0xd8 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

/** ffmpeg's last error line without the URL, user name or password it may quote. */
export function ffmpegReason(stderr: string, target: RtspTarget): string {
  const line = stderr.trim().split('\n').filter((l) => l.trim()).pop() ?? '';
  if (/401 Unauthorized/i.test(stderr)) return 'the stream refused the credentials (401)';
  // "[rtsp @ 0x…] rtsp://user:pass@host/x: Connection refused" → "Connection refused"
  let text = line.replace(/^\[[^\]]*\]\s*/, '').replace(/rtsps?:\/\/\S*/gi, '').replace(/^[\s:]+/, '');
  if (target.username) text = text.split(target.username).join('***');
  const clean = cleanText(text, target.password, 160);
  return clean ? `ffmpeg: ${clean}` : 'ffmpeg failed without a message';
}
