// The embedded default broker: aedes inside the server process (DESIGN §4). Production uses Mosquitto/EMQX
// (docs/deploy.md). With a site credentials file it enforces one login per site and the site ACL
// (site-auth.ts); without one it is open — right for `npm start` / `npm run demo` on one machine, wrong for
// anything an outsider can reach, so it says so once at start (issue 8 §2).
import net from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { LoginCache } from './login-cache.ts';
import { siteAuthHooks, watchSiteCredentials, type SiteAuth } from './site-auth.ts';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const OPEN_BROKER_WARNING =
  'the embedded MQTT broker accepts any client without a login (no CAMFLEET_MQTT_SITE_CREDENTIALS): fine for a demo on one machine, not for sites on a network — see docs/deploy.md';

const warnToStderr = (msg: string) => console.warn(`camfleet: ${msg}`);

export async function startEmbeddedBroker(port: number, host = '0.0.0.0', siteAuth?: SiteAuth, log: (msg: string) => void = warnToStderr): Promise<EmbeddedBroker> {
  const auth = siteAuth ? { ...siteAuth, cache: siteAuth.cache ?? new LoginCache() } : undefined;
  const aedes = await Aedes.createBroker(auth ? (siteAuthHooks(auth) as unknown as AedesOptions) : {});
  const server = net.createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (!auth) log(OPEN_BROKER_WARNING);
  // Rotation: a site whose credential changed or was removed is disconnected and must log in again.
  const stopWatching = auth
    ? watchSiteCredentials(auth.sites, {
        log,
        onChange: (changed) => {
          const drop = new Set(changed);
          auth.cache.forget(changed);
          const clients = (aedes as unknown as { clients: Record<string, { camfleetSite?: string; close(): void }> }).clients;
          for (const client of Object.values(clients)) if (client.camfleetSite !== undefined && drop.has(client.camfleetSite)) client.close();
        },
      })
    : undefined;
  const actual = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${actual}`,
    port: actual,
    async close() {
      stopWatching?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
