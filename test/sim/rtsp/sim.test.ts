// The RTSP simulator at the wire level and through ffmpeg, independent of the agent's RTSP probe.
import { execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../harness/index.ts';
import { answersRtsp, childProcesses, isAlive, startRtspServer, type RtspServerHandle, type RtspServerOptions } from './index.ts';

const USER = 'admin';
const PASS = 'sim-Secret1';
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const sims: RtspServerHandle[] = [];

afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function sim(opts: Partial<RtspServerOptions> = {}): Promise<RtspServerHandle> {
  const s = await startRtspServer({ username: USER, password: PASS, mounts: ['/cam1'], ...opts });
  sims.push(s);
  return s;
}

/** One raw request on a fresh connection; the whole answer up to the blank line. */
function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(text));
    let got = '';
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(got);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error('no answer')));
  });
}

/** One frame through ffmpeg, as the grey-level pixels sharp decodes from it. */
function grab(s: RtspServerHandle, mount = '/cam1'): Promise<Buffer> {
  const url = s.url(mount).replace('rtsp://', `rtsp://${USER}:${PASS}@`);
  const args = ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-timeout', '5000000', '-analyzeduration', '100000', '-probesize', '100000', '-i', url, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'mjpeg', '-'];
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', args, { encoding: 'buffer', timeout: 15_000 }, (err, stdout) => (err ? reject(new Error('ffmpeg failed')) : resolve(stdout)));
  });
}

async function grey(jpeg: Buffer) {
  const img = sharp(jpeg).greyscale();
  const [stats, raw] = await Promise.all([img.clone().stats(), img.clone().raw().toBuffer()]);
  return { mean: stats.channels[0]!.mean, stdev: stats.channels[0]!.stdev, sharpness: stats.sharpness, raw };
}

/** Pixels whose grey level differs by more than 30 between two same-size frames. */
function changedPixels(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (Math.abs(a[i]! - b[i]!) > 30) n++;
  return n;
}

describe('RTSP simulator', () => {
  it('answers OPTIONS without credentials, challenges DESCRIBE with Digest only, 404s unknown mounts', async () => {
    const s = await sim();
    expect(await answersRtsp(s.port)).toBe(true);
    const describe = await rawRequest(s.port, `DESCRIBE ${s.url('/cam1')} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n`);
    expect(describe).toMatch(/^RTSP\/1\.0 401 /);
    expect(describe).toMatch(/WWW-Authenticate: Digest realm="[^"]+", nonce="[^"]+"/);
    expect(describe).not.toMatch(/WWW-Authenticate: Basic/);
    const unknown = await rawRequest(s.port, `DESCRIBE ${s.url('/nope')} RTSP/1.0\r\nCSeq: 3\r\n\r\n`);
    expect(unknown).toMatch(/^RTSP\/1\.0 404 /);
  });

  it('keeps the password off the command line', async () => {
    const s = await sim();
    const cmdline = await new Promise<string>((resolve) => execFile('cat', [`/proc/${s.pid}/cmdline`], (_e, out) => resolve(out)));
    expect(cmdline).toContain('rtsp_server.py');
    expect(cmdline).not.toContain(PASS);
  });

  it('streams each mode to new sessions: normal, blur, fog, black, frozen and dead', async () => {
    const s = await sim({ mounts: ['/cam1', { path: '/cam2', mode: 'black' }] });
    const normal = await grey(await grab(s));
    expect((await sharp(await grab(s)).metadata()).width).toBe(640);
    expect(normal.mean).toBeGreaterThan(60);
    expect((await grey(await grab(s, '/cam2'))).mean).toBeLessThan(5); // mounts have their own modes

    await s.setMode('/cam1', 'blur');
    const blur = await grey(await grab(s));
    expect(blur.sharpness).toBeLessThan(normal.sharpness / 2);
    await s.setMode('/cam1', 'fog');
    const fog = await grey(await grab(s));
    expect(fog.mean).toBeGreaterThan(normal.mean + 30);
    expect(fog.stdev).toBeLessThan(normal.stdev / 2);
    await s.setMode('/cam1', 'black');
    expect((await grey(await grab(s))).mean).toBeLessThan(5);
    expect(s.mode('cam1')).toBe('black');

    await s.setMode('/cam1', 'dead');
    await expect(grab(s)).rejects.toThrow('ffmpeg failed');
    const dead = await rawRequest(s.port, `DESCRIBE ${s.url('/cam1')} RTSP/1.0\r\nCSeq: 1\r\n\r\n`);
    expect(dead).toMatch(/^RTSP\/1\.0 401 /); // still asks for credentials: the server is up, the stream is not
  });

  it('shows a live picture in normal mode and an unchanging one in frozen mode', async () => {
    const s = await sim();
    const a = await grey(await grab(s));
    await new Promise((r) => setTimeout(r, 1100)); // the on-screen clock ticks every second
    const b = await grey(await grab(s));
    expect(changedPixels(a.raw, b.raw)).toBeGreaterThan(50);

    await s.setMode('/cam1', 'frozen');
    const c = await grey(await grab(s));
    await new Promise((r) => setTimeout(r, 1100));
    const d = await grey(await grab(s));
    expect(changedPixels(c.raw, d.raw)).toBe(0);
    expect(Math.abs(c.mean - a.mean)).toBeLessThan(10); // the same scene, only stopped
  });

  it('refuses connections while stopped and comes back on the same port with its modes', async () => {
    const s = await sim();
    await s.setMode('/cam1', 'black');
    const { port } = s;
    await s.stop();
    expect(s.pid).toBeUndefined();
    expect(await answersRtsp(port, 500)).toBe(false);
    await s.setMode('/cam1', 'fog'); // remembered while stopped
    await s.start();
    expect(s.port).toBe(port);
    expect((await grey(await grab(s))).mean).toBeGreaterThan(120);
  });

  it('names the port when it is taken', async () => {
    const s = await sim();
    await expect(startRtspServer({ username: USER, password: PASS, mounts: ['/a'], port: s.port })).rejects.toThrow(
      new RegExp(`port ${s.port}[\\s\\S]*Address already in use`),
    );
  });

  it('leaves no process behind on close(), nor when its parent is killed with SIGKILL', async () => {
    const s = await sim();
    const pid = s.pid!;
    expect(childProcesses('python3').map((p) => p.pid)).toContain(pid);
    await s.close();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(s.dir)).toBe(false);

    const parent = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/sim/rtsp/hold-sim.ts')], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const info = await waitFor(() => (out.includes('\n') ? (JSON.parse(out) as { pid: number; dir: string }) : undefined), { timeoutMs: 30_000, what: 'the helper to start a simulator' });
    expect(isAlive(info.pid)).toBe(true);
    parent.kill('SIGKILL');
    await waitFor(() => !isAlive(info.pid), { timeoutMs: 5000, what: 'the orphaned simulator to exit' });
    rmSync(info.dir, { recursive: true, force: true });
  });
});
