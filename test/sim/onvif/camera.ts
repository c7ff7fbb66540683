// One simulated ONVIF camera: an HTTP server on loopback speaking SOAP 1.2 for the Device and Media
// services. Cheap enough to run hundreds in one process (one http.Server each, no timers while idle).
//
// Uptime: ONVIF defines no uptime field (some vendors put it in GetSystemLog, most expose nothing), so
// the simulator exposes none over ONVIF either; `uptimeS()` and `rebootCount` are for tests only. A
// reboot is visible to a client the way it is on real cameras: a connection-refused gap and, with
// `clockResetOnReboot`, a camera clock back at factory time.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  DEVICE_PATH,
  findHandler,
  MEDIA_PATH,
  PRE_AUTH_ACTIONS,
  type HandlerContext,
  type OnvifDeviceInfo,
  type Service,
  type SimProfile,
} from './handlers.ts';
import { digestMatches, faultReply, FAULTS, parseSoap, type SoapReply, type UsernameToken } from './soap.ts';

export type OnvifFault = 'none' | 'slow' | 'auth-broken';

export interface OnvifCameraOptions {
  host?: string;
  /** 0 or absent: a free port. */
  port?: number;
  username: string;
  password: string;
  info?: Partial<OnvifDeviceInfo>;
  /** Camera clock minus real clock, seconds. */
  clockOffsetS?: number;
  /** How long SystemReboot keeps the camera away (default 5 s). */
  rebootDownS?: number;
  /** After a reboot the clock offset becomes this (true: -3 days, i.e. back at factory time). */
  clockResetOnReboot?: boolean | number;
  /** Reject a UsernameToken whose Created is further than this from the camera clock (default: no check). */
  maxCreatedSkewS?: number;
  rtspUrl?: string;
  subRtspUrl?: string;
  snapshotUrl?: string;
}

export interface OnvifCameraHandle {
  readonly port: number;
  readonly host: string;
  readonly deviceServiceUrl: string;
  /** Times the camera went down through SystemReboot or reboot(). */
  readonly rebootCount: number;
  /** Requests received (all services, all outcomes). */
  readonly requestCount: number;
  /** Refuse connections (network path gone; the camera keeps running: uptime and clock continue). */
  stop(): Promise<void>;
  /** Listen again on the same port (completes a pending reboot early). */
  start(): Promise<void>;
  setFault(fault: OnvifFault): void;
  setClockOffset(seconds: number): void;
  /** Same as a SystemReboot request, without the request. */
  reboot(): void;
  /** Seconds since the last boot; 0 while down for a reboot. */
  uptimeS(): number;
  /** Stop for good (timers cleared, connections dropped). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_REBOOT_DOWN_S = 5;
const FACTORY_CLOCK_OFFSET_S = -3 * 24 * 3600;
const NONCE_MEMORY = 1024;

export const DEFAULT_INFO: OnvifDeviceInfo = {
  manufacturer: 'CamSim',
  model: 'SIM-2000',
  firmwareVersion: '1.0.0',
  serialNumber: 'SIM0000001',
  hardwareId: 'HW-1',
};

class SimCamera implements OnvifCameraHandle, HandlerContext {
  readonly host: string;
  port: number;
  rebootCount = 0;
  requestCount = 0;
  readonly info: OnvifDeviceInfo;
  readonly rebootDownS: number;
  private readonly server: Server;
  private fault: OnvifFault = 'none';
  private clockOffsetS: number;
  private bootAtMs = Date.now();
  private listening = false;
  private closing: Promise<void> | undefined;
  private closed = false;
  private rebootTimer: NodeJS.Timeout | undefined;
  /** Went down through a reboot and has not booted yet (survives stop(); start() completes it). */
  private pendingBoot = false;
  /** Recently seen nonces: WS-Security UsernameToken Profile §3.1 lets a receiver reject replays. */
  private readonly nonces = new Set<string>();

  constructor(private readonly opts: OnvifCameraOptions) {
    this.host = opts.host ?? '127.0.0.1';
    this.port = opts.port ?? 0;
    this.info = { ...DEFAULT_INFO, ...opts.info };
    this.clockOffsetS = opts.clockOffsetS ?? 0;
    this.rebootDownS = opts.rebootDownS ?? DEFAULT_REBOOT_DOWN_S;
    this.server = createServer({ keepAliveTimeout: 2000 }, (req, res) => this.onRequest(req, res));
  }

  get baseUrl(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }
  get deviceServiceUrl(): string {
    return this.baseUrl + DEVICE_PATH;
  }
  get profiles(): SimProfile[] {
    const rtspHost = this.host.includes(':') ? `[${this.host}]` : this.host;
    const snapshotUri = this.opts.snapshotUrl ?? `${this.baseUrl}/snapshot.jpg`;
    return [
      { token: 'main', name: 'MainStream', width: 1920, height: 1080, streamUri: this.opts.rtspUrl ?? `rtsp://${rtspHost}:554/main`, snapshotUri },
      { token: 'sub', name: 'SubStream', width: 640, height: 360, streamUri: this.opts.subRtspUrl ?? `rtsp://${rtspHost}:554/sub`, snapshotUri },
    ];
  }

  cameraNowMs(): number {
    return Date.now() + this.clockOffsetS * 1000;
  }
  uptimeS(): number {
    return this.pendingBoot ? 0 : (Date.now() - this.bootAtMs) / 1000;
  }
  setFault(fault: OnvifFault): void {
    this.fault = fault;
  }
  setClockOffset(seconds: number): void {
    this.clockOffsetS = seconds;
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('onvif sim: camera was closed');
    if (this.pendingBoot) this.boot();
    await this.closing;
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.port }, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        if (addr && typeof addr === 'object') this.port = addr.port;
        this.listening = true;
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    clearTimeout(this.rebootTimer);
    this.rebootTimer = undefined;
    await this.goDown();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  reboot(): void {
    if (this.closed || this.pendingBoot) return;
    this.rebootCount++;
    this.pendingBoot = true;
    this.rebootTimer = setTimeout(() => {
      this.boot();
      // A port taken in between would be a test-environment problem; retry a few times, then give up.
      const tryListen = (left: number): void => {
        this.start().catch(() => {
          if (left > 0 && !this.closed) setTimeout(() => tryListen(left - 1), 200);
        });
      };
      tryListen(10);
    }, this.rebootDownS * 1000);
    void this.goDown();
  }

  /** Power-on side of a reboot: uptime restarts and the clock may fall back to factory time. */
  private boot(): void {
    clearTimeout(this.rebootTimer);
    this.rebootTimer = undefined;
    this.pendingBoot = false;
    this.bootAtMs = Date.now();
    const reset = this.opts.clockResetOnReboot;
    if (reset !== undefined && reset !== false) this.clockOffsetS = reset === true ? FACTORY_CLOCK_OFFSET_S : reset;
    this.nonces.clear();
  }

  /** Stop listening at once (new connections are refused), then drop open connections. */
  private goDown(): Promise<void> {
    if (!this.listening) return this.closing ?? Promise.resolve();
    this.listening = false;
    const closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    }).finally(() => {
      if (this.closing === closing) this.closing = undefined;
    });
    this.closing = closing;
    return closing;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.requestCount++;
    if (this.fault === 'slow') {
      req.resume(); // accepted, read, never answered
      return;
    }
    const path = (req.url ?? '').split('?')[0];
    const service: Service | undefined = path === DEVICE_PATH ? 'device' : path === MEDIA_PATH ? 'media' : undefined;
    if (service === undefined) return plain(res, 404, 'not found');
    if (req.method !== 'POST') return plain(res, 405, 'method not allowed');
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return plain(res, 413, 'request too large');

    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        plain(res, 413, 'request too large');
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge || res.headersSent) return;
      let reply: SoapReply;
      try {
        reply = this.handle(service, Buffer.concat(chunks).toString('utf8'));
      } catch {
        reply = faultReply('Receiver', [], 'Internal error');
      }
      res.writeHead(reply.status, { 'Content-Type': 'application/soap+xml; charset=utf-8' });
      res.end(reply.xml, reply.afterSend);
    });
    req.on('error', () => res.destroy());
  }

  private handle(service: Service, xml: string): SoapReply {
    const request = parseSoap(xml);
    if (!request) return FAULTS.wellFormed();
    const handler = findHandler(service, request.action);
    if (!handler) return FAULTS.actionNotSupported();
    if (!PRE_AUTH_ACTIONS.has(request.action) && !this.authorized(request.token)) return FAULTS.notAuthorized();
    return handler(this, request.params);
  }

  private authorized(token: UsernameToken | undefined): boolean {
    if (!token || this.fault === 'auth-broken') return false;
    if (!digestMatches(token, this.opts.username, this.opts.password)) return false;
    if (this.opts.maxCreatedSkewS !== undefined) {
      const created = Date.parse(token.created);
      if (!Number.isFinite(created) || Math.abs(created - this.cameraNowMs()) > this.opts.maxCreatedSkewS * 1000) return false;
    }
    if (this.nonces.has(token.nonce)) return false;
    this.nonces.add(token.nonce);
    if (this.nonces.size > NONCE_MEMORY) this.nonces.delete(this.nonces.values().next().value as string);
    return true;
  }
}

function plain(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end(body);
}

/** Starts a simulated camera listening on `host:port` (port 0: a free one). */
export async function startOnvifCamera(opts: OnvifCameraOptions): Promise<OnvifCameraHandle> {
  const cam = new SimCamera(opts);
  await cam.start();
  return cam;
}
