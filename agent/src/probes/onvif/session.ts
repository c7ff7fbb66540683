// One short-lived ONVIF conversation with a camera: a fresh `onvif` Cam (the package computes the
// camera clock offset once per Cam, so a camera whose clock reset after a reboot needs a new one), a
// hard deadline, abort support, and callback wrapping that survives the package's quirks.
import { Agent } from 'node:http';
import type { UrlWithStringQuery } from 'node:url';
import onvif from 'onvif';
import type { Cam } from 'onvif';
import type { AgentDevice } from '../../config/types.ts';

export const DEFAULT_ONVIF_PORT = 80;
export const DEFAULT_DEVICE_PATH = '/onvif/device_service';
const MAX_MESSAGE = 300;

export type OnvifErrorCode =
  | 'onvif-timeout'
  | 'onvif-refused'
  | 'onvif-unreachable'
  | 'onvif-dns'
  | 'onvif-reset'
  | 'onvif-fault'
  | 'onvif-bad-response'
  | 'onvif-no-media'
  | 'onvif-config'
  | 'onvif-error'
  | 'auth-failed';

/** A classified ONVIF failure. `reachable` says whether the camera answered at all. */
export class OnvifError extends Error {
  constructor(
    readonly code: OnvifErrorCode,
    message: string,
    readonly reachable: boolean,
  ) {
    super(message);
    this.name = 'OnvifError';
  }
}

export interface OnvifSessionOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface OnvifReply<T> {
  data: T | undefined;
  /** Raw SOAP response ('' when the package gave none). */
  xml: string;
}

type OnvifCallback<T> = (err: Error | null, data?: T, xml?: string) => void;

const UNREACHABLE: Record<string, OnvifErrorCode> = {
  ECONNREFUSED: 'onvif-refused',
  ETIMEDOUT: 'onvif-timeout',
  EHOSTUNREACH: 'onvif-unreachable',
  ENETUNREACH: 'onvif-unreachable',
  EHOSTDOWN: 'onvif-unreachable',
  ENETDOWN: 'onvif-unreachable',
  ENOTFOUND: 'onvif-dns',
  EAI_AGAIN: 'onvif-dns',
  ECONNRESET: 'onvif-reset',
  ECONNABORTED: 'onvif-reset',
  EPIPE: 'onvif-reset',
};

export class OnvifSession {
  readonly cam: Cam;
  readonly target: string;
  readonly devicePath: string;
  /** Each session owns its sockets, so closing it can cut a request the package would let hang. */
  private readonly agent = new Agent({ keepAlive: false });
  private readonly secret: string | undefined;
  private readonly cancelled: Promise<never>;
  private cancel: (err: OnvifError) => void = () => {};
  private cancelReason: OnvifError | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.stop(new OnvifError('onvif-timeout', `${this.target}: ONVIF request aborted`, false));

  constructor(
    device: AgentDevice,
    private readonly opts: OnvifSessionOptions,
  ) {
    const settings = device.onvif ?? {};
    if (!device.address) throw new OnvifError('onvif-config', `device ${device.id} has no address`, false);
    const port = settings.port ?? DEFAULT_ONVIF_PORT;
    this.devicePath = settings.path ?? DEFAULT_DEVICE_PATH;
    this.target = `${device.address}:${port}`;
    this.secret = settings.password;
    const timeoutMs = Math.max(1, Math.floor(opts.timeoutMs));
    this.cam = new onvif.Cam({
      hostname: device.address,
      port,
      path: this.devicePath,
      username: settings.username,
      password: settings.password,
      timeout: timeoutMs, // per request; the package default is 120 s
      autoconnect: false, // no GetServices/GetProfiles/... storm: each caller asks for what it needs
      // Requests always go to hostname:port given here; advertised XAddrs only contribute their path.
      agent: this.agent,
    });
    this.cancelled = new Promise<never>((_, reject) => {
      this.cancel = reject;
    });
    this.cancelled.catch(() => {}); // observed through Promise.race only
    this.timer = setTimeout(
      () => this.stop(new OnvifError('onvif-timeout', `${this.target}: no ONVIF answer within ${timeoutMs} ms`, false)),
      timeoutMs,
    );
    if (opts.signal?.aborted) this.onAbort();
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /**
   * Runs one package call. The package may call back twice (a throw inside its xml2js callback is
   * caught and reported again) or throw synchronously (e.g. reading a field of an unexpected reply);
   * both are absorbed here, and the session deadline / abort wins over a request that never ends.
   */
  call<T>(invoke: (cb: OnvifCallback<T>) => void): Promise<OnvifReply<T>> {
    if (this.cancelReason) return Promise.reject(this.cancelReason);
    const reply = new Promise<OnvifReply<T>>((resolve, reject) => {
      let settled = false;
      const cb: OnvifCallback<T> = (err, data, xml) => {
        if (settled) return;
        settled = true;
        if (err) reject(this.classify(err, xml));
        else resolve({ data, xml: typeof xml === 'string' ? xml : '' });
      };
      try {
        invoke(cb);
      } catch (err) {
        cb(err instanceof Error ? err : new Error(String(err)));
      }
    });
    return Promise.race([reply, this.cancelled]);
  }

  /** Points a package service name (e.g. 'deviceIO') at a path on the device's own address. */
  setServicePath(service: string, path: string): void {
    // _request() only reads `.path` of a service URL; host and port always come from the constructor.
    this.cam.uri = { ...this.cam.uri, [service]: { path, pathname: path } as UrlWithStringQuery };
  }

  /** Maps anything thrown by a call or by the package to an OnvifError without credentials. */
  classify(err: unknown, xml?: string): OnvifError {
    if (err instanceof OnvifError) return err;
    const e = err instanceof Error ? err : new Error(String(err));
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message;
    // WS-Security rejection: HTTP 400 + SOAP fault subcode ter:NotAuthorized (ONVIF Core, generic faults);
    // HTTP Digest rejection: the package's own 401 errors.
    if (/NotAuthorized|Sender not Authori[sz]ed/i.test(xml ?? '') || /Digest authentication/.test(msg)) {
      return new OnvifError('auth-failed', `${this.target}: camera rejected the ONVIF credentials`, true);
    }
    const unreachable = (code && UNREACHABLE[code]) || (msg === 'Network timeout' ? 'onvif-timeout' : undefined);
    if (unreachable) return new OnvifError(unreachable, `${this.target}: ${describe(unreachable)}`, false);
    if (msg === 'socket hang up') return new OnvifError('onvif-reset', `${this.target}: ${describe('onvif-reset')}`, false);
    if (msg.startsWith('ONVIF SOAP Fault')) return new OnvifError('onvif-fault', this.clean(msg), true);
    if (msg === 'Wrong ONVIF SOAP response') {
      return new OnvifError('onvif-bad-response', `${this.target}: answer is not an ONVIF SOAP message`, true);
    }
    // Another system error: its code only. Anything else is the package tripping over a reply it did
    // not expect (TypeError reading a missing element); its text means nothing to a person.
    if (typeof code === 'string') return new OnvifError('onvif-error', `${this.target}: ${code}`, false);
    return new OnvifError('onvif-bad-response', `${this.target}: unexpected ONVIF response`, true);
  }

  /** Ends the session: later calls fail at once, open sockets are destroyed, timers cleared. */
  close(): void {
    this.stop(new OnvifError('onvif-error', `${this.target}: ONVIF session closed`, false));
  }

  private stop(reason: OnvifError): void {
    if (this.cancelReason) return;
    this.cancelReason = reason;
    clearTimeout(this.timer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.cancel(reason);
    this.agent.destroy();
  }

  /** Camera-supplied fault text, on one line, capped, with the password masked should a camera echo it. */
  private clean(message: string): string {
    let m = message.replace(/\s+/g, ' ').trim();
    if (this.secret) m = m.split(this.secret).join('***');
    return m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE - 1)}…` : m;
  }
}

function describe(code: OnvifErrorCode): string {
  switch (code) {
    case 'onvif-refused':
      return 'connection refused';
    case 'onvif-timeout':
      return 'no ONVIF answer in time';
    case 'onvif-dns':
      return 'host name does not resolve';
    case 'onvif-reset':
      return 'connection reset';
    default:
      return 'host unreachable';
  }
}

/** Runs `fn` in a fresh session that is always closed afterwards. */
export async function withSession<T>(
  device: AgentDevice,
  opts: OnvifSessionOptions,
  fn: (session: OnvifSession) => Promise<T>,
): Promise<T> {
  const session = new OnvifSession(device, opts);
  try {
    return await fn(session);
  } catch (err) {
    throw session.classify(err);
  } finally {
    session.close();
  }
}
