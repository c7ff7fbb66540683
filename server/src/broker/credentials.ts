// Site credentials for the embedded broker (issue 8 §2): one login per site, stored as scrypt hashes so the
// file on the server never holds a password an agent could be impersonated with.
//
// File format (CAMFLEET_MQTT_SITE_CREDENTIALS; docs/deploy.md §3), one site per line, # comments and blank lines
// ignored:
//
//   <site>:scrypt$<N>$<r>$<p>$<salt>$<hash>
//
// N, r, p are scrypt's cost, block size and parallelism (RFC 7914), salt and hash unpadded base64url; the hash is
// 32 bytes. `scripts/site-credentials.ts add <site>` writes such lines. Any other line is an error naming
// file:line — a plain `site:password` line from before hashing included, so nobody runs with plaintext thinking
// it is hashed.
import { createHash, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ID_PATTERN } from '@camfleet/shared';

export interface ScryptHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/**
 * Node's own scrypt default (N 2^14, r 8: 16 MiB, tens of ms per check). Site passwords are 24 random bytes from
 * the CLI, so the cost guards against a stolen file less than entropy does; it is kept moderate because a broker
 * restart makes every site log in at once (logins are cached and queued: login-cache.ts).
 */
export const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Refuse costs that would let a hostile file exhaust memory (N·r·128 bytes per verification). */
const MAX_MEMORY = 256 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, params: Pick<ScryptHash, 'N' | 'r' | 'p'>, keylen: number): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 128 * params.N * params.r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` for a new password, with a fresh random salt. */
export async function hashSitePassword(password: string, params: Pick<ScryptHash, 'N' | 'r' | 'p'> = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await scrypt(password, salt, params, KEY_LENGTH);
  return `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** The parsed hash, or a short reason it is not one (used in file:line errors). */
export function parseScryptHash(text: string): ScryptHash | string {
  const parts = text.split('$');
  if (parts[0] !== 'scrypt' || parts.length !== 6) return 'expected "site:scrypt$N$r$p$salt$hash" (write it with scripts/site-credentials.ts; plaintext passwords are not accepted)';
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (!Number.isInteger(N) || N < 2 || (N & (N - 1)) !== 0) return `scrypt N must be a power of two (got "${parts[1]}")`;
  if (!Number.isInteger(r) || r < 1 || !Number.isInteger(p) || p < 1 || p > 16) return `scrypt r and p must be small positive integers (got "${parts[2]}", "${parts[3]}")`;
  if (128 * N * r > MAX_MEMORY) return `scrypt N·r needs more than ${MAX_MEMORY / 1048576} MiB per login`;
  const salt = Buffer.from(parts[4]!, 'base64url');
  const hash = Buffer.from(parts[5]!, 'base64url');
  if (salt.length < 8) return 'the salt must be at least 8 bytes (base64url)';
  if (hash.length < 16) return 'the hash must be at least 16 bytes (base64url)';
  return { N, r, p, salt, hash };
}

/** Constant-time check of `password` against a stored hash. scrypt runs on libuv's thread pool, not the event loop. */
export async function verifySitePassword(password: string, stored: ScryptHash): Promise<boolean> {
  const key = await scrypt(password, stored.salt, stored, stored.hash.length);
  return timingSafeEqual(key, stored.hash);
}

/** Equality of two secrets in constant time, whatever their lengths (digests are compared, not the strings). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** A keyed digest of a password for the in-memory login cache: never the password, useless outside this process. */
export function cacheDigest(key: Buffer, username: string, password: string): Buffer {
  return createHmac('sha256', key).update(username).update('\0').update(password).digest();
}

/** A file:line problem: the message is one line, fit for a start-up error or a reload log. */
export class CredentialsFileError extends Error {
  override readonly name = 'CredentialsFileError';
}

export interface SiteCredentialEntry {
  hash: ScryptHash;
  /** The line as written (after the site), to tell a changed credential from an unchanged one on reload. */
  text: string;
}

const SITE_ID = new RegExp(ID_PATTERN);

/** Parses the credentials file. @throws CredentialsFileError naming `file:line` (or the file) and the problem. */
export function parseCredentialsFile(file: string): Map<string, SiteCredentialEntry> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CredentialsFileError(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unknown error')})`);
  }
  const out = new Map<string, SiteCredentialEntry>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = line.indexOf(':');
    const where = `${file}:${i + 1}`;
    if (at <= 0) throw new CredentialsFileError(`${where}: expected "site:scrypt$N$r$p$salt$hash"`);
    const site = line.slice(0, at);
    if (!SITE_ID.test(site)) throw new CredentialsFileError(`${where}: "${site}" is not a site id`);
    if (out.has(site)) throw new CredentialsFileError(`${where}: site "${site}" is listed twice`);
    const hash = parseScryptHash(line.slice(at + 1));
    if (typeof hash === 'string') throw new CredentialsFileError(`${where}: ${hash}`);
    out.set(site, { hash, text: line.slice(at + 1) });
  });
  return out;
}
