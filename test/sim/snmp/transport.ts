// The UDP socket under the simulated SNMP agent, handed to net-snmp through its documented `dgramModule`
// option. It does two things net-snmp cannot: bind the port we choose (net-snmp turns port 0 into 161, so an
// OS-assigned free port needs this), and inject faults — drop every request, or answer late.
import dgram from 'node:dgram';

export interface Faults {
  /** Drop every request: the device is up but says nothing. */
  drop: boolean;
  /** Answer each request this many ms late (0 = at once). */
  slowMs: number;
}

export interface GatedTransport {
  /** Passed to net-snmp's createAgent as `dgramModule`. */
  readonly module: { createSocket: typeof dgram.createSocket };
  readonly faults: Faults;
  /** The bound port (the chosen one, or the OS's pick for 0), once listening. */
  port: number;
  /** Resolves when the socket net-snmp just created is listening; rejects on a bind error. */
  listening(): Promise<void>;
  /** Requests seen, and how many were dropped. */
  readonly stats: { received: number; dropped: number };
  /** Cancels delayed deliveries (before the socket closes). */
  cancelPending(): void;
}

export function gatedTransport(port: number): GatedTransport {
  let socket: dgram.Socket | undefined;
  const pending = new Set<NodeJS.Timeout>();
  const t: GatedTransport = {
    port,
    faults: { drop: false, slowMs: 0 },
    stats: { received: 0, dropped: 0 },
    module: {
      createSocket: ((type: dgram.SocketType) => {
        const s = dgram.createSocket(type);
        socket = s;
        const bind = s.bind.bind(s) as (port: number, address?: string) => dgram.Socket;
        // net-snmp calls bind(port || 161, address): bind ours instead.
        (s as unknown as { bind: (p: number, a?: string) => dgram.Socket }).bind = (_p, address) => bind(t.port, address);
        const emit = s.emit.bind(s) as (event: string | symbol, ...args: unknown[]) => boolean;
        s.emit = ((event: string | symbol, ...args: unknown[]) => {
          if (event !== 'message') return emit(event, ...args);
          t.stats.received++;
          if (t.faults.drop) {
            t.stats.dropped++;
            return true;
          }
          if (t.faults.slowMs <= 0) return emit(event, ...args);
          const timer = setTimeout(() => {
            pending.delete(timer);
            emit(event, ...args);
          }, t.faults.slowMs);
          pending.add(timer);
          return true;
        }) as typeof s.emit;
        return s;
      }) as typeof dgram.createSocket,
    },
    listening() {
      const s = socket;
      if (!s) return Promise.reject(new Error('SNMP simulator: no socket was created'));
      return new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => {
          s.off('listening', onListening);
          reject(new Error(`SNMP simulator cannot bind UDP port ${t.port}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
        };
        const onListening = () => {
          s.off('error', onError);
          t.port = s.address().port;
          resolve();
        };
        s.once('error', onError);
        s.once('listening', onListening);
      });
    },
    cancelPending() {
      for (const timer of pending) clearTimeout(timer);
      pending.clear();
    },
  };
  return t;
}
