// A network device that only needs to be reachable (ONU, router, switch, gateway): a TCP listener on
// loopback that can be taken away and brought back on the same port.
import net from 'node:net';

export interface TcpDeviceHandle {
  readonly port: number;
  readonly host: string;
  readonly up: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startTcpDevice(opts: { host?: string; port?: number } = {}): Promise<TcpDeviceHandle> {
  const host = opts.host ?? '127.0.0.1';
  let port = opts.port ?? 0;
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = net.createServer((sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        sock.on('error', () => {});
        sock.end();
      });
      s.once('error', reject);
      s.listen(port, host, () => {
        port = (s.address() as net.AddressInfo).port;
        server = s;
        resolve();
      });
    });
  await listen();
  return {
    get port() {
      return port;
    },
    host,
    get up() {
      return server !== undefined;
    },
    async stop() {
      const s = server;
      server = undefined;
      for (const sock of sockets) sock.destroy();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    async start() {
      if (!server) await listen();
    },
  };
}
