// RTSP over TLS (rtsps://, RFC 7826 §19.2) in front of a plain simulator: a TLS terminator on loopback with
// a throw-away self-signed certificate (made by the openssl CLI), piping each connection to `targetPort`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { requireBinary } from '../../harness/index.ts';

export interface TlsProxy {
  readonly port: number;
  close(): Promise<void>;
}

export async function startTlsProxy(targetPort: number): Promise<TlsProxy> {
  requireBinary('/usr/bin/openssl', 'openssl');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'camfleet-tls-'));
  try {
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', '/CN=camsim', '-days', '1'], { stdio: 'ignore' });
    const sockets = new Set<net.Socket>();
    const server = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return {
      port: (server.address() as net.AddressInfo).port,
      async close() {
        for (const s of sockets) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
