// The embedded broker's site check (issue 4 §1): with a site credential file, every agent logs in with its
// site id as the username, and may publish and subscribe only under camfleet/v1/<its site>/. A publish
// outside that subtree is refused by the broker (aedes then drops the connection, as an ACL would) and
// counted as `site-mismatch`. Full per-site credentials (hashing, rotation) come with the security issue;
// with Mosquitto the same rule is the broker's ACL (`pattern readwrite camfleet/v1/%u/#`, docs/scaling.md).
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { parseTopic, TOPIC_ROOT } from '@camfleet/shared';

export interface SiteAuth {
  /** `site:password` per line; blank lines and # comments ignored. */
  sites: Map<string, string>;
  server: { username: string; password: string };
  onReject: (reason: 'site-mismatch' | 'bad-topic', topic: string, detail: string) => void;
}

export function readSiteCredentials(file: string): Map<string, string> {
  const out = new Map<string, string>();
  readFileSync(file, 'utf8').split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = line.indexOf(':');
    if (at <= 0) throw new Error(`${file}:${i + 1}: expected "site:password"`);
    out.set(line.slice(0, at), line.slice(at + 1));
  });
  return out;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

interface AuthClient {
  id: string;
  /** Set at login: the site this connection speaks for; undefined for the server itself. */
  camfleetSite?: string;
}

type Done = (error: Error | null, ok?: boolean) => void;

/** aedes hooks for `Aedes.createBroker({...})`. */
export function siteAuthHooks(auth: SiteAuth) {
  return {
    authenticate(client: AuthClient, username: string | undefined, password: Buffer | undefined, done: Done) {
      const pass = password?.toString('utf8') ?? '';
      if (username === auth.server.username && same(pass, auth.server.password)) return done(null, true);
      const expected = username ? auth.sites.get(username) : undefined;
      if (username && expected !== undefined && same(pass, expected)) {
        client.camfleetSite = username;
        return done(null, true);
      }
      const err = new Error('bad username or password') as Error & { returnCode: number };
      err.returnCode = 4;
      return done(err, false);
    },
    authorizePublish(client: AuthClient | null, packet: { topic: string }, done: (err?: Error | null) => void) {
      const site = client?.camfleetSite;
      if (!client || site === undefined) return done(null); // the server's own login, or the broker itself
      const topic = parseTopic(packet.topic);
      if (!topic) {
        auth.onReject('bad-topic', packet.topic, `login ${site}`);
        return done(new Error('topic outside camfleet/v1'));
      }
      if (topic.site !== site || topic.kind === 'cmd') {
        auth.onReject('site-mismatch', packet.topic, `authenticated as ${site}`);
        return done(new Error('not this site\'s topic'));
      }
      return done(null);
    },
    authorizeSubscribe(client: AuthClient | null, sub: { topic: string; qos: number }, done: (err: Error | null, sub?: unknown) => void) {
      const site = client?.camfleetSite;
      if (!client || site === undefined) return done(null, sub);
      return done(null, sub.topic.startsWith(`${TOPIC_ROOT}/${site}/`) ? sub : null);
    },
  };
}
