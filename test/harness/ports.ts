import { createServer } from 'node:net';

// Ports handed out by this process. The kernel may hand the same ephemeral port to two back-to-back
// bind(0) calls once the first socket is closed, and the services are started in parallel, so we
// never give the same port twice from one process.
const handedOut = new Set<number>();

function bindZero(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = srv.address();
      srv.close(() => {
        if (addr && typeof addr === 'object') resolve(addr.port);
        else reject(new Error('freePort: could not read the bound address'));
      });
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (bind :0, read, close). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await bindZero();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: the kernel kept returning ports already handed out');
}

/** True when the error text says a listener could not bind (another process took the port). */
export function looksLikePortClash(text: string): boolean {
  return /address already in use|EADDRINUSE|could not bind/i.test(text);
}

/**
 * Run `start(port)` on `fixed` if given, else on a fresh free port, retrying with another port (at
 * most twice) when the failure says the port was taken between freePort() and the service's bind.
 */
export async function withFreePort<T>(fixed: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  if (fixed !== undefined) return start(fixed);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    try {
      return await start(port);
    } catch (err) {
      if (attempt < 2 && looksLikePortClash(err instanceof Error ? err.message : String(err))) continue;
      throw err;
    }
  }
}
