// The embedded broker's site logins and ACL (issue 4 §1, issue 8 §2). With a site credentials file every agent
// logs in with its site id as the username and a password checked against the file's scrypt hash
// (credentials.ts); it may then publish only its own telemetry topics under camfleet/v1/<its site>/ — never
// `cmd/<name>`, which is server → agent — and subscribe only to its own `cmd/…`. A refused publish is refused by
// the broker (aedes then drops the connection, as an ACL would) and counted as `site-mismatch`. The same rules
// for Mosquitto are deploy/mosquitto/acl (docs/deploy.md).
//
// The file is re-read on SIGHUP and when its mtime changes (rotation without a restart); a bad new file is
// logged as file:line and the running credentials kept. Connections of a site whose line changed or vanished are
// closed, so a rotated-out password stops working at once, not at the next reconnect.
import { randomBytes } from 'node:crypto';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { parseTopic, TOPIC_ROOT } from '@camfleet/shared';
import { CredentialsFileError, DEFAULT_SCRYPT, parseCredentialsFile, sameSecret, verifySitePassword, type ScryptHash, type SiteCredentialEntry } from './credentials.ts';
import { LoginCache } from './login-cache.ts';

/** The parsed credentials file; `reload()` swaps in a new version. */
export class SiteCredentials {
  private entries: Map<string, SiteCredentialEntry>;

  constructor(readonly file: string) {
    this.entries = parseCredentialsFile(file);
  }

  get(site: string): SiteCredentialEntry | undefined {
    return this.entries.get(site);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Re-reads the file. @returns sites whose credential changed or was removed. @throws CredentialsFileError (old kept). */
  reload(): string[] {
    const next = parseCredentialsFile(this.file);
    const changed = [...this.entries].filter(([site, e]) => next.get(site)?.text !== e.text).map(([site]) => site);
    this.entries = next;
    return changed;
  }
}

/** Reads CAMFLEET_MQTT_SITE_CREDENTIALS. @throws CredentialsFileError with one `file:line: problem` line. */
export function readSiteCredentials(file: string): SiteCredentials {
  return new SiteCredentials(file);
}

export interface SiteAuth {
  sites: SiteCredentials;
  server: { username: string; password: string };
  onReject: (reason: 'site-mismatch' | 'bad-topic', topic: string, detail: string) => void;
  /** Verified logins (default: a 5-minute cache, 2 scrypt checks at a time). */
  cache?: LoginCache;
}

interface AuthClient {
  id: string;
  /** Set at login: the site this connection speaks for; undefined for the server itself. */
  camfleetSite?: string;
}

type Done = (error: Error | null, ok?: boolean) => void;

// Unknown usernames are checked against this, so a refusal takes as long whether or not the site exists.
const NOBODY: ScryptHash = { ...DEFAULT_SCRYPT, salt: randomBytes(16), hash: randomBytes(32) };

function refusal(returnCode: 3 | 4, message: string): Error {
  return Object.assign(new Error(message), { returnCode }); // 4: bad username or password; 3: server unavailable
}

/** aedes hooks for `Aedes.createBroker({...})`. */
export function siteAuthHooks(auth: SiteAuth) {
  const cache = auth.cache ?? new LoginCache();
  return {
    authenticate(client: AuthClient, username: string | undefined, password: Buffer | undefined, done: Done) {
      const pass = password?.toString('utf8') ?? '';
      if (username === auth.server.username && sameSecret(pass, auth.server.password)) return done(null, true);
      const user = username ?? '';
      const entry = user ? auth.sites.get(user) : undefined;
      cache.check(user, pass, entry?.text ?? '', async () => (await verifySitePassword(pass, entry?.hash ?? NOBODY)) && entry !== undefined).then(
        (ok) => {
          if (!ok) return done(refusal(4, 'bad username or password'), false);
          client.camfleetSite = user;
          done(null, true);
        },
        () => done(refusal(3, 'too many logins at once; retry'), false),
      );
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
      // Only the site's own commands, as the Mosquitto ACL's `pattern read camfleet/v1/%u/cmd/#`.
      return done(null, sub.topic.startsWith(`${TOPIC_ROOT}/${site}/cmd/`) ? sub : null);
    },
  };
}

/**
 * Reloads the credentials on SIGHUP and when the file changes on disk (checked every `intervalMs`). `onChange`
 * gets the sites whose credential changed or was removed (their connections should be closed). Returns stop().
 */
export function watchSiteCredentials(
  sites: SiteCredentials,
  opts: { log: (msg: string) => void; onChange: (changed: string[]) => void; intervalMs?: number },
): () => void {
  const reload = (why: string) => {
    try {
      const changed = sites.reload();
      opts.log(`${why}: reloaded ${sites.file} (${sites.size} sites${changed.length ? `; changed or removed: ${changed.join(', ')}` : ''})`);
      if (changed.length) opts.onChange(changed);
    } catch (err) {
      const line = err instanceof CredentialsFileError ? err.message : 'cannot read the file';
      opts.log(`${why}: site credentials not reloaded, keeping the running ones: ${line}`);
    }
  };
  const onHup = () => reload('SIGHUP');
  const onStat = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.ino !== prev.ino || cur.size !== prev.size) reload('site credentials file changed');
  };
  process.on('SIGHUP', onHup);
  watchFile(sites.file, { interval: opts.intervalMs ?? 2000, persistent: false }, onStat);
  return () => {
    process.off('SIGHUP', onHup);
    unwatchFile(sites.file, onStat);
  };
}
