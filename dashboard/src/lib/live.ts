// Live view client (docs/live-view.md): a WebSocket to /live/<site>/<device>. Binary messages are MPEG-TS
// (MPEG-1 video in whole 188-byte packets, starting at a keyframe) that JSMpeg decodes onto a canvas; text
// messages are JSON status / error notes. The client owns the socket and pushes the video into JSMpeg
// through PushSource: JSMpeg's own WebSocket source would hand the JSON notes to its demuxer as video, and
// would reconnect on its own after a refusal — starting the camera again for a viewer told it cannot have it.
import type JSMpegLib from '@cycjimmy/jsmpeg-player';
import type { JSMpegDestination, JSMpegSource, Player } from '@cycjimmy/jsmpeg-player';
import type { MessageKey } from './messages/en.ts';

export type LiveState = 'connecting' | 'starting' | 'live' | 'error' | 'closed';

export interface LiveNote {
  type: 'status' | 'error';
  state?: 'starting' | 'live';
  viewers?: number;
  code?: string;
  message?: string;
}

export interface LiveCallbacks {
  /** The canvas to play on; asked for when the first video arrives (the view has mounted it by then). */
  canvas: () => HTMLCanvasElement | undefined;
  /** One picture was decoded and drawn. */
  frame: () => void;
  state: (state: LiveState, viewers: number) => void;
  error: (key: MessageKey, message: string) => void;
}

/** Video held while the player is still loading; past this the player is not coming and it is dropped. */
const PENDING_MAX = 4 * 1024 * 1024;
/** JSMpeg's video buffer: room for the server's keyframe cache (≤ 1 MiB) sent to a late joiner at once. */
const VIDEO_BUFFER = 2 * 1024 * 1024;

/** The message key the dashboard shows for an error code from the server. */
export function errorKey(code: string | undefined): MessageKey {
  switch (code) {
    case 'too-many-streams': return 'live.err.tooMany';
    case 'auth-failed': return 'live.err.auth';
    case 'camera-refused': return 'live.err.refused';
    case 'no-viewers': case 'stream-ended': case 'stalled': return 'live.err.ended';
    case undefined: return 'live.err.connection';
    default: return 'live.err.unavailable';
  }
}

export function liveUrl(site: string, device: string, loc: Location = location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/live/${encodeURIComponent(site)}/${encodeURIComponent(device)}`;
}

/** A JSMpeg source fed from outside (JSMpeg's Source API); holds data until the player starts it. */
export class PushSource implements JSMpegSource {
  readonly streaming = true;
  readonly completed = false;
  established = false;
  progress = 0;
  private destination: JSMpegDestination | null = null;
  private queue: ArrayBuffer[] = [];
  private started = false;
  private destroyed = false;

  // JSMpeg constructs its source as `new options.source(url, options)`; this one needs neither.
  constructor(_url?: string, _options?: unknown) {}

  connect(destination: JSMpegDestination): void {
    this.destination = destination;
  }

  start(): void {
    this.started = true;
    this.progress = 1;
    const queued = this.queue;
    this.queue = [];
    for (const data of queued) this.write(data);
  }

  resume(_headroom: number): void {}

  destroy(): void {
    this.destroyed = true;
    this.destination = null;
    this.queue = [];
  }

  write(data: ArrayBuffer): void {
    if (this.destroyed) return;
    if (!this.started || !this.destination) {
      this.queue.push(data);
      return;
    }
    this.established = true;
    this.destination.write(data);
  }
}

export class LiveClient {
  private ws: WebSocket | undefined;
  private lib: typeof JSMpegLib | undefined;
  private player: Player | undefined;
  private source: PushSource | undefined;
  private pending: ArrayBuffer[] = [];
  private pendingBytes = 0;
  private errored = false;
  private closedByUs = false;

  constructor(private readonly url: string, private readonly cb: LiveCallbacks) {}

  open(): void {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.cb.state('connecting', 0);
    // The player is its own chunk (most visits never open a live view); it loads while the camera starts.
    import('@cycjimmy/jsmpeg-player').then((m) => {
      this.lib = m.default;
      this.feed();
    }, () => {
      if (this.closedByUs) return;
      this.fail('live.err.player', '');
      this.ws?.close(1000);
    });
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') return this.note(ev.data);
      const data = ev.data as ArrayBuffer;
      this.pending.push(data);
      this.pendingBytes += data.byteLength;
      // Whole messages are dropped, so the TS stays on packet boundaries; the picture heals at a keyframe.
      if (this.pendingBytes > PENDING_MAX) {
        this.pending = [];
        this.pendingBytes = 0;
      }
      this.feed();
    };
    ws.onclose = () => {
      // The last picture stays on the canvas; the player's decode loop stops.
      this.stopPlayer();
      if (this.closedByUs) return;
      if (!this.errored) this.fail('live.err.connection', '');
    };
  }

  close(): void {
    this.closedByUs = true;
    this.ws?.close(1000);
    this.ws = undefined;
    this.stopPlayer();
    this.cb.state('closed', 0);
  }

  private note(text: string): void {
    let note: LiveNote;
    try {
      note = JSON.parse(text) as LiveNote;
    } catch {
      return;
    }
    if (note.type === 'status' && note.state) this.cb.state(note.state, note.viewers ?? 0);
    if (note.type === 'error') this.fail(errorKey(note.code), note.message ?? note.code ?? '');
  }

  private fail(key: MessageKey, message: string): void {
    this.errored = true;
    this.cb.state('error', 0);
    this.cb.error(key, message);
  }

  /** Hands the received video to the player, creating it once the library and the canvas are there. */
  private feed(): void {
    if (this.closedByUs || this.pending.length === 0) return;
    if (!this.source) {
      const canvas = this.cb.canvas();
      if (!this.lib || !canvas) return;
      const player = new this.lib.Player(this.url, {
        canvas,
        source: PushSource,
        audio: false,
        // 2D canvas, not WebGL: 640x360 at 25 fps is cheap to convert, and it works the same on NOC
        // machines without a usable GPU. The JS decoder, not WebAssembly: the server's CSP (script-src
        // 'self') does not allow compiling WebAssembly.
        disableGl: true,
        disableWebAssembly: true,
        // JSMpeg never removes its visibility listener; hidden tabs get no animation frames anyway.
        pauseWhenHidden: false,
        videoBufferSize: VIDEO_BUFFER,
        onVideoDecode: () => this.cb.frame(),
      });
      if (!(player.source instanceof PushSource)) {
        player.destroy();
        return;
      }
      this.player = player;
      this.source = player.source;
    }
    for (const data of this.pending) this.source.write(data);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private stopPlayer(): void {
    this.player?.destroy();
    this.player = undefined;
    this.source = undefined;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
