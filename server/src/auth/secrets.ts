// Password hashing and random secrets. scrypt (RFC 7914) from Node's crypto, parameters stored with each
// hash so they can be raised later without breaking existing logins. Sessions and API tokens are random
// 256-bit values: stored as SHA-256 only (a stolen database yields no usable login).
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 16_384;
const R = 8;
const P = 1;
const KEYLEN = 32;

function scryptAsync(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEYLEN, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$<salt b64url>$<hash b64url>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, { N, r: R, p: P });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5]!, 'base64url');
  if (!n || !r || !p || expected.length !== KEYLEN) return false;
  const key = await scryptAsync(password, Buffer.from(parts[4]!, 'base64url'), { N: n, r, p });
  return timingSafeEqual(key, expected);
}

/** A hash that matches no password: verified against when the user does not exist, so timing tells nothing. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(KEYLEN).toString('base64url')}`;

export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newSessionId(): string {
  return randomBytes(32).toString('base64url');
}

/** API tokens carry a prefix so log redaction and secret scanners can recognise them. */
export const TOKEN_PREFIX = 'cft_';
export const TOKEN_PATTERN = /^cft_[A-Za-z0-9_-]{32,}$/;

export function newApiToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** A password for the first admin: 20 characters from an alphabet without look-alikes. */
export function newPassword(length = 20): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(length * 2);
  let out = '';
  for (const b of bytes) {
    if (b >= alphabet.length * Math.floor(256 / alphabet.length)) continue; // no modulo bias
    out += alphabet[b % alphabet.length];
    if (out.length === length) break;
  }
  return out.length === length ? out : newPassword(length);
}
