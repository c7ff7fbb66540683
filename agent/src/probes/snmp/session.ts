// One short-lived SNMP v1/v2c conversation with a device: a fresh net-snmp session (own UDP socket), a hard
// deadline and abort support on top of net-snmp's per-request timeout, and errors classified into stable codes
// whose messages never carry a community string (net-snmp's own messages can: they are never passed on).
import net from 'node:net';
import snmp from 'net-snmp';
import type { AgentDevice } from '../../config/types.ts';

export const DEFAULT_SNMP_PORT = 161;
export const DEFAULT_COMMUNITY = 'public';

export type SnmpErrorCode =
  | 'snmp-timeout'
  | 'snmp-config'
  | 'snmp-unreachable'
  | 'snmp-refused'
  | 'snmp-bad-response'
  | 'snmp-no-write-community'
  | 'snmp-verify-failed'
  | 'poe-left-off'
  | 'snmp-error';

/** A classified SNMP failure. `reachable` says whether the device answered at all. */
export class SnmpError extends Error {
  constructor(
    readonly code: SnmpErrorCode,
    message: string,
    readonly reachable: boolean,
    /** The SNMP error-status name (RFC 3416) when the device answered with one, e.g. 'NotWritable'. */
    readonly status?: string,
  ) {
    super(message);
    this.name = 'SnmpError';
  }
}

export interface SnmpSessionOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Use the device's writeCommunity (SET); refused when the config has none. */
  write?: boolean;
}

/** A value read from the device: numbers for the integer types, text for OCTET STRING. */
export type SnmpValue = number | string;

const SYSTEM_ERRORS: Record<string, string> = {
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EHOSTDOWN: 'host down',
  ENOTFOUND: 'host name does not resolve',
  EAI_AGAIN: 'host name does not resolve',
};

export class SnmpSession {
  readonly target: string;
  readonly version: number;
  private readonly session: snmp.Session;
  private readonly timeoutMs: number;
  private readonly cancelled: Promise<never>;
  private cancel: (err: SnmpError) => void = () => {};
  private cancelReason: SnmpError | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void =>
    this.stop(new SnmpError('snmp-timeout', `${this.target}: no SNMP answer before the poll deadline`, false));

  constructor(
    device: AgentDevice,
    private readonly opts: SnmpSessionOptions,
  ) {
    const s = device.snmp;
    if (!s || !device.address) throw new SnmpError('snmp-config', `device ${device.id} has no snmp block or no address`, false);
    const community = opts.write ? s.writeCommunity : (s.community ?? DEFAULT_COMMUNITY);
    if (!community) {
      throw new SnmpError('snmp-no-write-community', `device ${device.id} has no snmp.writeCommunity: the agent never writes without one`, false);
    }
    const port = s.port ?? DEFAULT_SNMP_PORT;
    this.target = net.isIPv6(device.address) ? `[${device.address}]:${port}` : `${device.address}:${port}`;
    this.version = s.version === '1' ? snmp.Version1 : snmp.Version2c;
    this.timeoutMs = Math.max(1, Math.floor(opts.timeoutMs));
    this.session = snmp.createSession(device.address, community, {
      port,
      version: this.version,
      transport: net.isIPv6(device.address) ? 'udp6' : 'udp4',
      // Two tries per request inside the budget: one lost UDP datagram is not an outage.
      timeout: Math.max(100, Math.floor(this.timeoutMs / 2)),
      retries: 1,
    });
    this.session.on('error', () => {}); // socket errors also fail the pending request, which classify() reports
    this.cancelled = new Promise<never>((_, reject) => {
      this.cancel = reject;
    });
    this.cancelled.catch(() => {}); // observed through Promise.race only
    this.timer = setTimeout(() => this.stop(this.timeoutError()), this.timeoutMs);
    if (opts.signal?.aborted) this.onAbort();
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** GET; OIDs the device does not have (noSuchObject / noSuchInstance) are absent from the map. */
  async get(oids: string[]): Promise<Map<string, SnmpValue>> {
    const out = new Map<string, SnmpValue>();
    let varbinds: snmp.Varbind[];
    try {
      varbinds = await this.call<snmp.Varbind[]>((cb) => this.session.get(oids, (e, vb) => cb(e, vb ?? [])));
    } catch (err) {
      // SNMPv1 answers a missing OID with noSuchName for the whole request: ask one OID at a time.
      if (this.version !== snmp.Version1 || !(err instanceof SnmpError) || !isNoSuchName(err) || oids.length < 2) throw err;
      for (const oid of oids) {
        const one = await this.get([oid]).catch((e: unknown) => (e instanceof SnmpError && isNoSuchName(e) ? new Map() : Promise.reject(e)));
        for (const [k, v] of one) out.set(k, v);
      }
      return out;
    }
    oids.forEach((oid, i) => {
      const vb = varbinds[i];
      const value = vb && !snmp.isVarbindError(vb) ? toValue(vb.value) : undefined;
      if (value !== undefined) out.set(oid, value);
    });
    return out;
  }

  /** Walks some columns of a table (`tableOid` is the table, not its entry). Rows keyed by index, e.g. "1.3". */
  async tableColumns(tableOid: string, columns: number[]): Promise<Map<string, Map<number, SnmpValue>>> {
    const table = await this.call<Record<string, Record<string, unknown>>>((cb) =>
      this.session.tableColumns(tableOid, columns, 24, (e, t) => cb(e, t ?? {})),
    );
    const rows = new Map<string, Map<number, SnmpValue>>();
    for (const [index, cells] of Object.entries(table)) {
      const row = new Map<number, SnmpValue>();
      for (const [col, raw] of Object.entries(cells)) {
        const value = toValue(raw);
        if (value !== undefined) row.set(Number(col), value);
      }
      rows.set(index, row);
    }
    return rows;
  }

  /** SET one INTEGER-syntax object (TruthValue, enumerations). */
  async setInteger(oid: string, value: number): Promise<void> {
    const varbinds = await this.call<snmp.Varbind[]>((cb) =>
      this.session.set([{ oid, type: snmp.ObjectType.Integer, value }], (e, vb) => cb(e, vb ?? [])),
    );
    const vb = varbinds[0];
    if (!vb || snmp.isVarbindError(vb)) throw new SnmpError('snmp-refused', `${this.target}: device did not accept the SET of ${oid}`, true);
  }

  /** Ends the session: later calls fail at once, the socket is closed, timers cleared. */
  close(): void {
    this.stop(new SnmpError('snmp-error', `${this.target}: SNMP session closed`, false));
  }

  private call<T>(invoke: (cb: (err: Error | null, data: T) => void) => void): Promise<T> {
    if (this.cancelReason) return Promise.reject(this.cancelReason);
    const reply = new Promise<T>((resolve, reject) => {
      let settled = false;
      const cb = (err: Error | null, data: T): void => {
        if (settled) return;
        settled = true;
        if (err) reject(this.classify(err));
        else resolve(data);
      };
      try {
        invoke(cb);
      } catch (err) {
        cb(err instanceof Error ? err : new Error(String(err)), undefined as T);
      }
    });
    return Promise.race([reply, this.cancelled]);
  }

  private timeoutError(): SnmpError {
    // SNMP v1/v2c has no authentication error reply: a device drops a request with a community it does not know.
    return new SnmpError('snmp-timeout', `${this.target}: no SNMP answer within ${this.timeoutMs} ms (wrong community or device down)`, false);
  }

  /** Maps a net-snmp or socket error to an SnmpError; the library's message text is never passed on. */
  private classify(err: Error): SnmpError {
    if (err instanceof SnmpError) return err;
    if (this.cancelReason) return this.cancelReason;
    if (err instanceof snmp.RequestTimedOutError) return this.timeoutError();
    if (err instanceof snmp.RequestFailedError) {
      const status = snmp.ErrorStatus[err.status] ?? 'GeneralError';
      return new SnmpError('snmp-refused', `${this.target}: device answered with error-status ${status}`, true, status);
    }
    if (err instanceof snmp.ResponseInvalidError) return new SnmpError('snmp-bad-response', `${this.target}: invalid SNMP response`, true);
    const code = (err as NodeJS.ErrnoException).code;
    if (code && SYSTEM_ERRORS[code]) return new SnmpError('snmp-unreachable', `${this.target}: ${SYSTEM_ERRORS[code]}`, false);
    return new SnmpError('snmp-error', `${this.target}: SNMP request failed${code ? ` (${code})` : ''}`, false);
  }

  private stop(reason: SnmpError): void {
    if (this.cancelReason) return;
    this.cancelReason = reason;
    clearTimeout(this.timer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.cancel(reason);
    try {
      this.session.close(); // pending requests are cancelled; their late callbacks are ignored
    } catch {
      // already closed
    }
  }
}

function isNoSuchName(err: SnmpError): boolean {
  return err.status === 'NoSuchName';
}

function toValue(raw: unknown): SnmpValue | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return undefined;
}

/** Runs `fn` in a fresh session that is always closed afterwards. */
export async function withSnmpSession<T>(device: AgentDevice, opts: SnmpSessionOptions, fn: (s: SnmpSession) => Promise<T>): Promise<T> {
  const session = new SnmpSession(device, opts);
  try {
    return await fn(session);
  } finally {
    session.close();
  }
}
