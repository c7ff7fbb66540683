// Password hashing and random secrets. scrypt (RFC 7914), parameters stored with each hash so they can be raised
// later without breaking existing logins. Sessions and API tokens are random
// 256-bit values: stored as SHA-256 only (a stolen database yields no usable login).
import { createHash, randomBytes } from 'node:crypto';
import { hashSitePassword, parseScryptHash, verifySitePassword } from '../broker/credentials.ts';

/** People's passwords use the same scrypt format and checks as the sites' broker logins (`scrypt$N$r$p$salt$hash`). */
export function hashPassword(password: string): Promise<string> {
  return hashSitePassword(password);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseScryptHash(stored);
  return typeof parsed !== 'string' && verifySitePassword(password, parsed);
}

/** A hash that matches no password: verified against when the user does not exist, so timing tells nothing. */
export const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64url')}$${Buffer.alloc(32).toString('base64url')}`;

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
