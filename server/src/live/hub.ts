// The live hub (docs/live-view.md): one stream per (site, device) shared by all its viewers. The first
// viewer makes the hub send `live-start` with a one-time ingest URL; the agent's single ffmpeg posts MPEG-1
// video in MPEG-TS there and the hub relays it to the viewers as whole TS packets (fanout.ts), for JSMpeg
// in the dashboard; status and errors go to viewers as JSON text messages. The last viewer leaving, a
// stalled ingest (no bytes for the idle timeout) or the camera refusing ends the stream: the ingest
// connection is cut, `live-stop` is sent, and the viewers get a JSON {type:'error'} message plus a 4xxx
// close code.
import { randomBytes } from 'node:crypto';
import type { CommandName, CommandResult } from '@camfleet/shared';
import type { WebSocket } from 'ws';
import { TsFanout } from './fanout.ts';

export interface LiveHubOptions {
  maxStreams: number;
  idleMs: number;
  /** How long live-start may take (agent answer + first bytes), ms. */
  startTimeoutMs: number;
  request: (site: string, name: CommandName, device: string, timeoutMs: number, extra?: { ingestUrl?: string }) => Promise<CommandResult>;
  log: (msg: string) => void;
}

export type LiveMessage =
  | { type: 'status'; state: 'starting' | 'live'; viewers: number }
  | { type: 'error'; code: string; message: string };

export const CLOSE = { ended: 4000, tooMany: 4429, refused: 4502, unavailable: 4503, badRequest: 4400 } as const;

interface Ingest {
  cut: () => void;
}

interface Stream {
  key: string;
  site: string;
  device: string;
  viewers: Set<WebSocket>;
  token: string;
  tokenExpires: number;
  state: 'starting' | 'live' | 'ended';
  ingest?: Ingest;
  lastBytesAt: number;
  bytes: number;
  video: TsFanout;
  startTimer?: NodeJS.Timeout;
}

export class LiveHub {
  private readonly streams = new Map<string, Stream>();
  private readonly byToken = new Map<string, Stream>();
  private readonly sweep: NodeJS.Timeout;
  private readonly alive = new WeakMap<WebSocket, boolean>();

  constructor(private readonly opts: LiveHubOptions) {
    // Heartbeat and stall check: a viewer that does not answer a ping within the idle timeout is dropped
    // (a vanished browser would otherwise keep the camera streaming), a stream without bytes is ended.
    this.sweep = setInterval(() => this.tick(), Math.max(500, Math.floor(opts.idleMs / 3)));
    this.sweep.unref();
  }

  activeStreams(): number {
    return this.streams.size;
  }

  viewers(): number {
    let n = 0;
    for (const s of this.streams.values()) n += s.viewers.size;
    return n;
  }

  /** A viewer connected to /live/:site/:device; ingestBase is e.g. http://host:port. */
  addViewer(site: string, device: string, ws: WebSocket, ingestBase: string): void {
    const key = `${site}/${device}`;
    this.alive.set(ws, true);
    ws.on('pong', () => this.alive.set(ws, true));
    let stream = this.streams.get(key);
    if (!stream) {
      if (this.streams.size >= this.opts.maxStreams) {
        refuse(ws, CLOSE.tooMany, 'too-many-streams', `The live-view limit of ${this.opts.maxStreams} concurrent camera streams is reached; close another live view or use snapshot mode.`);
        return;
      }
      stream = this.open(site, device, ingestBase);
    }
    const s = stream;
    s.viewers.add(ws);
    ws.on('close', () => this.removeViewer(s, ws));
    ws.on('error', () => this.removeViewer(s, ws));
    this.broadcastStatus(s);
    s.video.add(ws);
  }

  private open(site: string, device: string, ingestBase: string): Stream {
    const token = randomBytes(24).toString('base64url');
    const stream: Stream = {
      key: `${site}/${device}`, site, device, viewers: new Set(), token,
      tokenExpires: Date.now() + this.opts.startTimeoutMs, state: 'starting', lastBytesAt: Date.now(), bytes: 0,
      video: new TsFanout(),
    };
    this.streams.set(stream.key, stream);
    this.byToken.set(token, stream);
    stream.startTimer = setTimeout(() => {
      if (stream.state === 'starting') this.end(stream, CLOSE.unavailable, 'start-timeout', `The camera stream did not start within ${Math.round(this.opts.startTimeoutMs / 1000)} s.`);
    }, this.opts.startTimeoutMs + 1000);
    const ingestUrl = `${ingestBase.replace(/\/$/, '')}/live/ingest/${token}`;
    this.opts.log(`live ${stream.key}: starting`);
    this.opts.request(site, 'live-start', device, this.opts.startTimeoutMs, { ingestUrl }).then((r) => {
      if (stream.state === 'ended') return;
      if (!r.ok) {
        const refused = r.code === 'auth-failed' || r.code === 'camera-refused';
        const message = r.code === 'auth-failed'
          ? `The camera refused the live stream: wrong credentials (${r.message ?? 'auth-failed'}).`
          : refused ? `The camera refused the live stream: ${r.message ?? r.code}.`
            : r.code === 'timeout' ? 'The site agent did not answer the live-view request in time.'
              : `The site agent could not start the live stream (${r.code ?? 'failed'}): ${r.message ?? ''}`;
        this.end(stream, refused ? CLOSE.refused : CLOSE.unavailable, r.code ?? 'failed', message, false);
      }
    }, () => {
      this.end(stream, CLOSE.unavailable, 'broker-unavailable', 'The server could not reach the site agent (broker unavailable).', false);
    });
    return stream;
  }

  /** The agent's ingest connection arrived; undefined when the token is unknown, used or expired. */
  attachIngest(token: string, ingest: Ingest): { push: (chunk: Buffer) => void; done: () => void } | undefined {
    const stream = this.byToken.get(token);
    if (!stream) return undefined;
    this.byToken.delete(token); // one-time
    if (stream.state !== 'starting' || Date.now() > stream.tokenExpires || stream.ingest) return undefined;
    stream.ingest = ingest;
    stream.state = 'live';
    stream.lastBytesAt = Date.now();
    clearTimeout(stream.startTimer);
    this.opts.log(`live ${stream.key}: ingest connected`);
    this.broadcastStatus(stream);
    return {
      push: (chunk) => {
        if (stream.state !== 'live') return;
        stream.lastBytesAt = Date.now();
        stream.bytes += chunk.length;
        stream.video.push(chunk);
      },
      done: () => {
        if (stream.state === 'live') this.end(stream, CLOSE.unavailable, 'stream-ended', 'The camera stream ended (the camera or the site agent stopped it).');
      },
    };
  }

  private removeViewer(stream: Stream, ws: WebSocket): void {
    if (!stream.viewers.delete(ws)) return;
    stream.video.remove(ws);
    if (stream.state === 'ended') return;
    if (stream.viewers.size === 0) this.end(stream, CLOSE.ended, 'no-viewers', 'The last viewer left.');
    else this.broadcastStatus(stream);
  }

  private end(stream: Stream, closeCode: number, code: string, message: string, sendStop = true): void {
    if (stream.state === 'ended') return;
    stream.state = 'ended';
    clearTimeout(stream.startTimer);
    this.streams.delete(stream.key);
    this.byToken.delete(stream.token);
    stream.ingest?.cut();
    const { packets, keyframes, resyncs } = stream.video;
    this.opts.log(`live ${stream.key}: ended (${code}) after ${stream.bytes} bytes, ${packets} TS packets, ${keyframes} keyframes${resyncs ? `, ${resyncs} resyncs` : ''}`);
    for (const v of stream.viewers) refuse(v, closeCode, code, message);
    stream.viewers.clear();
    if (sendStop) {
      this.opts.request(stream.site, 'live-stop', stream.device, 10_000).catch(() => {});
    }
  }

  private broadcastStatus(stream: Stream): void {
    if (stream.state === 'ended') return;
    const msg: LiveMessage = { type: 'status', state: stream.state, viewers: stream.viewers.size };
    const text = JSON.stringify(msg);
    for (const v of stream.viewers) v.send(text);
  }

  private tick(): void {
    const now = Date.now();
    for (const stream of [...this.streams.values()]) {
      for (const v of [...stream.viewers]) {
        if (this.alive.get(v) === false) {
          v.terminate();
          this.removeViewer(stream, v);
          continue;
        }
        this.alive.set(v, false);
        try { v.ping(); } catch { /* closing */ }
      }
      if (stream.state === 'live' && now - stream.lastBytesAt > this.opts.idleMs) {
        this.end(stream, CLOSE.unavailable, 'stalled', `No video from the camera for ${Math.round(this.opts.idleMs / 1000)} s.`);
      }
    }
  }

  close(): void {
    clearInterval(this.sweep);
    for (const s of [...this.streams.values()]) this.end(s, 1001, 'server-closing', 'The server is shutting down.');
  }
}

function refuse(ws: WebSocket, closeCode: number, code: string, message: string): void {
  try {
    const msg: LiveMessage = { type: 'error', code, message };
    ws.send(JSON.stringify(msg));
    // A close reason is limited to 123 bytes: the code, the JSON message carries the sentence.
    ws.close(closeCode, code.slice(0, 100));
  } catch {
    ws.terminate();
  }
}
