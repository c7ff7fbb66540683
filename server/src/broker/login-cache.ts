// Keeps scrypt off the hot path of a reconnect storm (issue 8 §2): a login verified (or refused) in the last
// few minutes is answered from memory, and at most a few scrypt checks run at once, so a broker restart with a
// thousand sites, or one agent retrying a wrong password every second, cannot eat the server's cores or the
// libuv thread pool that file and DNS work shares.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { cacheDigest } from './credentials.ts';

export interface LoginCacheOptions {
  /** How long a verified or refused login is remembered (default 5 min). */
  ttlMs?: number;
  /** Entries kept at most (default 10,000); the oldest go first. */
  maxEntries?: number;
  /** scrypt checks running at once (default 2) … */
  concurrency?: number;
  /** … and waiting (default 1,000); past that a login is refused as "server unavailable" and retried later. */
  maxQueued?: number;
  now?: () => number;
}

interface Entry {
  digest: Buffer;
  ok: boolean;
  expires: number;
  /** The credential line it was checked against: a rotated line invalidates it. */
  generation: string;
}

export class LoginCache {
  private readonly key = randomBytes(32); // per process: a digest here is useless anywhere else
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly now: () => number;
  private running = 0;
  private readonly queue: Array<() => void> = [];
  /** scrypt checks run (for tests and /metrics-style introspection). */
  verifications = 0;

  constructor(opts: LoginCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.concurrency = opts.concurrency ?? 2;
    this.maxQueued = opts.maxQueued ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * The cached answer for this username, password and credential line, or else `verify()` run under the
   * concurrency limit and remembered. Rejects with 'busy' when the queue is full.
   */
  async check(username: string, password: string, generation: string, verify: () => Promise<boolean>): Promise<boolean> {
    const digest = cacheDigest(this.key, username, password);
    const id = `${username}\0${digest.toString('base64')}`;
    const hit = this.entries.get(id);
    if (hit && hit.expires > this.now() && hit.generation === generation && timingSafeEqual(hit.digest, digest)) return hit.ok;
    const ok = await this.limited(verify);
    this.remember(id, { digest, ok, expires: this.now() + this.ttlMs, generation });
    return ok;
  }

  /** Forget every cached answer for these usernames (their credential was rotated or removed). */
  forget(usernames: Iterable<string>): void {
    const drop = new Set(usernames);
    for (const id of this.entries.keys()) if (drop.has(id.slice(0, id.indexOf('\0')))) this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private remember(id: string, entry: Entry): void {
    this.entries.delete(id); // re-insert at the end: Map order is the eviction order
    this.entries.set(id, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.queue.length >= this.maxQueued) throw new Error('busy');
      await new Promise<void>((resolve) => this.queue.push(resolve)); // a finishing check hands its slot over
    } else {
      this.running++;
    }
    this.verifications++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
