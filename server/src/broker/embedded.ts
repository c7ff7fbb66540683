// The embedded default broker: aedes inside the server process (DESIGN §4). Production uses Mosquitto/EMQX.
import net from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { siteAuthHooks, type SiteAuth } from './site-auth.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedBroker(port: number, host = '0.0.0.0', auth?: SiteAuth): Promise<EmbeddedBroker> {
  const aedes = await Aedes.createBroker(auth ? (siteAuthHooks(auth) as unknown as AedesOptions) : {});
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${actual}`,
    port: actual,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
