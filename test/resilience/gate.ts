// A switchable loopback TCP forwarder put between a client and a real service, so a test can take the link away
// without touching the service itself: `cut()` refuses new connections and resets the live ones (an uplink that
// is gone, a webhook receiver that is down); `holdReplies()` keeps forwarding requests but holds back every reply
// (the service did the work, the client never hears so) — the way to kill a server in the middle of a write.
import net from 'node:net';

export interface Gate {
  /** The loopback port clients connect to (stays the same across cut/restore). */
  readonly port: number;
  /** The same URL with the gate's host and port in place of the service's. */
  url(serviceUrl: string): string;
  readonly isOpen: boolean;
  /** Refuse new connections and reset the open ones. */
  cut(): Promise<void>;
  /** Accept and forward again. */
  restore(): Promise<void>;
  /** From now on, forward requests but keep every reply back (until `releaseReplies`). */
  holdReplies(): void;
  /** Requests forwarded while replies were held whose first bytes start with `prefix` (e.g. "POST /write"). */
  heldRequests(prefix: string): number;
  /** Stop holding; held replies still go to clients that are connected. */
  releaseReplies(): void;
  close(): Promise<void>;
}

export async function startGate(target: { host?: string; port: number }): Promise<Gate> {
  const host = target.host ?? '127.0.0.1';
  const sockets = new Set<net.Socket>();
  const held: Array<() => void> = [];
  const heldHeads: string[] = [];
  let holding = false;
  let server: net.Server | undefined;
  let port = 0;

  const onConnection = (client: net.Socket) => {
    const upstream = net.connect(target.port, host);
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (holding) heldHeads.push(chunk.subarray(0, 64).toString('latin1'));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (holding) held.push(() => client.write(chunk));
      else client.write(chunk);
    });
  };

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  const stopListening = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.resetAndDestroy();
    sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    url(serviceUrl: string) {
      const u = new URL(serviceUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString().replace(/\/$/, '');
    },
    get isOpen() {
      return server !== undefined;
    },
    cut: stopListening,
    async restore() {
      if (!server) await listen();
    },
    holdReplies() {
      holding = true;
    },
    heldRequests: (prefix) => heldHeads.filter((h) => h.startsWith(prefix)).length,
    releaseReplies() {
      holding = false;
      heldHeads.length = 0;
      for (const send of held.splice(0)) send();
    },
    close: stopListening,
  };
}
