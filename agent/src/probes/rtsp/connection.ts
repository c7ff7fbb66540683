// One RTSP/1.0 control connection over a raw TCP (or TLS) socket: requests carry CSeq (RFC 2326 §12.17),
// responses are parsed per §7 (Status-Line, headers, a body of Content-Length octets, §12.14). A hard
// deadline and the caller's AbortSignal end everything; nothing outlives close().
import net from 'node:net';
import tls from 'node:tls';
import { cleanText, RtspError, SOCKET_ERRORS } from './errors.ts';
import type { RtspTarget } from './target.ts';

const USER_AGENT = 'camfleet-agent';
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_BODY_BYTES = 64 * 1024;

export interface RtspResponse {
  status: number;
  reason: string;
  /** Header names in lower case; repeated headers (WWW-Authenticate) keep every value. */
  headers: Map<string, string[]>;
  body: string;
}

export function headerValue(res: RtspResponse, name: string): string | undefined {
  return res.headers.get(name.toLowerCase())?.[0];
}

interface Waiter {
  cseq: number;
  resolve: (res: RtspResponse) => void;
  reject: (err: RtspError) => void;
}

export class RtspConnection {
  private socket: net.Socket | undefined;
  private buffer = Buffer.alloc(0);
  private cseq = 0;
  private waiter: Waiter | undefined;
  private connected = false;
  private failure: RtspError | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.fail(new RtspError('rtsp-timeout', `${this.target.label}: RTSP check aborted`));

  constructor(
    private readonly target: RtspTarget,
    deadline: number,
    private readonly signal?: AbortSignal,
  ) {
    const ms = Math.max(0, deadline - Date.now());
    this.timer = setTimeout(() => {
      const what = this.connected ? 'no RTSP answer' : 'no connection';
      this.fail(new RtspError('rtsp-timeout', `${target.label}: ${what} within ${ms} ms`));
    }, ms);
    if (signal?.aborted) this.onAbort();
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Sends one request with the given extra headers and resolves with its response. A kept-alive
   * connection the camera closed in between is replaced once (OPTIONS and DESCRIBE are idempotent).
   */
  async request(method: string, extra: Record<string, string> = {}): Promise<RtspResponse> {
    for (let attempt = 0; ; attempt++) {
      const reused = this.socket !== undefined;
      if (!reused) await this.connect();
      try {
        return await this.exchange(method, extra);
      } catch (err) {
        if (!(err instanceof RtspError) || err.code !== 'rtsp-reset' || !reused || attempt > 0 || this.failure) throw err;
      }
    }
  }

  /** Ends the connection and its timer; pending and later requests fail. */
  close(): void {
    this.fail(new RtspError('rtsp-reset', `${this.target.label}: connection closed`));
  }

  private connect(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.buffer = Buffer.alloc(0);
    const { host, port } = this.target;
    // RTSP over TLS: cameras present self-signed certificates; Digest keeps the password off the wire anyway.
    const socket = this.target.secure
      ? tls.connect({ host, port, rejectUnauthorized: false, ...(net.isIP(host) ? {} : { servername: host }) })
      : net.connect({ host, port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.onClose(socket));
    return new Promise<void>((resolve, reject) => {
      this.waiter = { cseq: -1, resolve: () => resolve(), reject };
      socket.once(this.target.secure ? 'secureConnect' : 'connect', () => {
        this.connected = true;
        this.waiter = undefined;
        resolve();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => this.onError(socket, err));
    });
  }

  private exchange(method: string, extra: Record<string, string>): Promise<RtspResponse> {
    const socket = this.socket;
    if (this.failure) return Promise.reject(this.failure);
    if (!socket) return Promise.reject(new RtspError('rtsp-reset', `${this.target.label}: connection closed`));
    const cseq = ++this.cseq;
    const head = [`${method} ${this.target.uri} RTSP/1.0`, `CSeq: ${cseq}`, `User-Agent: ${USER_AGENT}`];
    for (const [k, v] of Object.entries(extra)) head.push(`${k}: ${v}`);
    this.buffer = Buffer.alloc(0); // anything unsolicited before our request is not its answer
    return new Promise<RtspResponse>((resolve, reject) => {
      this.waiter = { cseq, resolve, reject };
      socket.write(`${head.join('\r\n')}\r\n\r\n`);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const waiter = this.waiter;
      if (!waiter || waiter.cseq < 0) return;
      let parsed: { res: RtspResponse; used: number } | undefined;
      try {
        parsed = parseResponse(this.buffer, this.target.password);
      } catch (err) {
        const code = err instanceof RtspError ? err.code : 'rtsp-bad-response';
        return this.fail(new RtspError(code, `${this.target.label}: ${err instanceof RtspError ? err.message : 'unreadable RTSP answer'}`));
      }
      if (!parsed) return;
      this.buffer = this.buffer.subarray(parsed.used);
      const cseq = headerValue(parsed.res, 'cseq');
      if (cseq !== undefined && Number(cseq) !== waiter.cseq) continue; // a late answer to an earlier request
      this.waiter = undefined;
      if (/\bclose\b/i.test(headerValue(parsed.res, 'connection') ?? '')) this.dropSocket();
      waiter.resolve(parsed.res);
    }
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(new RtspError('rtsp-reset', `${this.target.label}: connection closed without an RTSP answer`));
  }

  private onError(socket: net.Socket, err: NodeJS.ErrnoException): void {
    if (socket !== this.socket) return;
    const known = err.code ? SOCKET_ERRORS[err.code] : undefined;
    // Unknown errors (e.g. a failed TLS handshake): their code only, never a message that might quote a URL.
    const [code, text] = known ?? [this.connected ? 'rtsp-reset' : 'rtsp-unreachable', cleanText(err.code ?? 'socket error', undefined, 60)];
    const waiter = this.waiter;
    this.waiter = undefined;
    this.dropSocket();
    waiter?.reject(new RtspError(code, `${this.target.label}: ${text}`));
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = undefined;
    s?.destroy();
  }

  private fail(reason: RtspError): void {
    if (this.failure) return;
    this.failure = reason;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    const waiter = this.waiter;
    this.waiter = undefined;
    this.dropSocket();
    waiter?.reject(reason);
  }
}

/** One complete response at the start of `buf`, undefined while incomplete; throws on non-RTSP data. */
export function parseResponse(buf: Buffer, secret?: string): { res: RtspResponse; used: number } | undefined {
  if (buf.length >= 5 && buf.subarray(0, 5).toString('latin1') !== 'RTSP/') {
    throw new RtspError('rtsp-bad-response', 'the answer is not RTSP');
  }
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buf.length > MAX_HEAD_BYTES) throw new RtspError('rtsp-bad-response', 'RTSP answer headers too long');
    return undefined;
  }
  const lines = buf.subarray(0, end).toString('utf8').split('\r\n');
  const status = /^RTSP\/1\.\d (\d{3})(?: (.*))?$/.exec(lines[0] ?? ''); // §7.1 Status-Line
  if (!status) throw new RtspError('rtsp-bad-response', 'malformed RTSP status line');
  const headers = new Map<string, string[]>();
  let last: string | undefined;
  for (const line of lines.slice(1)) {
    if (/^[ \t]/.test(line) && last) {
      const values = headers.get(last)!; // folded continuation (RFC 2616 §2.2)
      values[values.length - 1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    const values = headers.get(last) ?? [];
    values.push(line.slice(colon + 1).trim());
    headers.set(last, values);
  }
  const length = Number(headers.get('content-length')?.[0] ?? 0);
  if (!Number.isInteger(length) || length < 0 || length > MAX_BODY_BYTES) {
    throw new RtspError('rtsp-bad-response', 'RTSP answer body too large or of invalid length');
  }
  const used = end + 4 + length;
  if (buf.length < used) return undefined;
  const res = { status: Number(status[1]), reason: cleanText(status[2] ?? '', secret, 60), headers, body: buf.subarray(end + 4, used).toString('utf8') };
  return { res, used };
}
