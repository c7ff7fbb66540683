// Live view client (docs/live-view.md): a WebSocket to /live/<site>/<device>; binary messages are JPEG
// frames (MJPEG, 5 fps) drawn with createImageBitmap, text messages are JSON status / error notes.
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
  frame: (bitmap: ImageBitmap) => void;
  state: (state: LiveState, viewers: number) => void;
  error: (key: MessageKey, message: string) => void;
}

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

export class LiveClient {
  private ws: WebSocket | undefined;
  private decoding = false;
  private errored = false;
  private closedByUs = false;

  constructor(private readonly url: string, private readonly cb: LiveCallbacks) {}

  open(): void {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'blob';
    this.ws = ws;
    this.cb.state('connecting', 0);
    ws.onmessage = (ev: MessageEvent) => {
      if (typeof ev.data === 'string') {
        let note: LiveNote;
        try {
          note = JSON.parse(ev.data) as LiveNote;
        } catch {
          return;
        }
        if (note.type === 'status' && note.state) this.cb.state(note.state, note.viewers ?? 0);
        if (note.type === 'error') {
          this.errored = true;
          this.cb.state('error', 0);
          this.cb.error(errorKey(note.code), note.message ?? note.code ?? '');
        }
        return;
      }
      // Drop a frame while the previous one is still decoding: the view stays current on slow machines.
      if (this.decoding) return;
      this.decoding = true;
      createImageBitmap(ev.data as Blob)
        .then((bitmap) => this.cb.frame(bitmap))
        .catch(() => {})
        .finally(() => (this.decoding = false));
    };
    ws.onclose = () => {
      if (this.closedByUs) return;
      if (!this.errored) {
        this.cb.state('error', 0);
        this.cb.error('live.err.connection', '');
      }
    };
  }

  close(): void {
    this.closedByUs = true;
    this.ws?.close(1000);
    this.ws = undefined;
    this.cb.state('closed', 0);
  }
}
