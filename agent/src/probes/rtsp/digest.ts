// HTTP authentication as RTSP uses it (RFC 2326 §12.5, §12.44): Digest per RFC 2617 §3 (MD5, MD5-sess,
// qop=auth / auth-int, or the RFC 2069 form without qop), the SHA-256 variants of RFC 7616, and Basic
// (RFC 2617 §2) only when a camera offers nothing else — ffmpeg would send it anyway.
import { createHash, randomBytes } from 'node:crypto';

export interface Challenge {
  /** Lower case: 'digest', 'basic', ... */
  scheme: string;
  /** Parameter names in lower case, values unquoted. */
  params: Record<string, string>;
}

export interface Credentials {
  username: string;
  password: string;
}

const HASHES: Record<string, 'md5' | 'sha256'> = { md5: 'md5', 'md5-sess': 'md5', 'sha-256': 'sha256', 'sha-256-sess': 'sha256' };

/** Every challenge in the WWW-Authenticate values (RFC 2617 §1.2: one header may carry several). */
export function parseChallenges(values: readonly string[]): Challenge[] {
  const out: Challenge[] = [];
  for (const value of values) {
    let current: Challenge | undefined;
    let i = 0;
    const skip = (chars: RegExp) => {
      while (i < value.length && chars.test(value[i]!)) i++;
    };
    while (i < value.length) {
      skip(/[\s,]/);
      const start = i;
      skip(/[^\s,="]/);
      const token = value.slice(start, i);
      if (!token) {
        i++; // stray character: skip it rather than loop
        continue;
      }
      skip(/\s/);
      if (value[i] !== '=') {
        current = { scheme: token.toLowerCase(), params: {} };
        out.push(current);
        continue;
      }
      i++;
      skip(/\s/);
      let param = '';
      if (value[i] === '"') {
        // quoted-string with quoted-pair (RFC 2616 §2.2)
        for (i++; i < value.length && value[i] !== '"'; i++) param += value[i] === '\\' && i + 1 < value.length ? value[++i] : value[i];
        i++;
      } else {
        const from = i;
        skip(/[^\s,]/);
        param = value.slice(from, i);
      }
      if (current) current.params[token.toLowerCase()] = param;
    }
  }
  return out;
}

export interface DigestInput {
  algorithm?: string;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: 'auth' | 'auth-int';
  nc?: string;
  cnonce?: string;
  /** For auth-int; RTSP OPTIONS/DESCRIBE carry none. */
  body?: string;
}

/** request-digest of RFC 2617 §3.2.2.1 (RFC 7616 §3.4.1 for SHA-256). */
export function digestResponse(d: DigestInput): string {
  const alg = (d.algorithm ?? 'MD5').toLowerCase();
  const hashName = HASHES[alg];
  if (!hashName) throw new Error(`unsupported digest algorithm ${d.algorithm}`);
  const H = (s: string) => createHash(hashName).update(s, 'utf8').digest('hex');
  let ha1 = H(`${d.username}:${d.realm}:${d.password}`);
  if (alg.endsWith('-sess')) ha1 = H(`${ha1}:${d.nonce}:${d.cnonce ?? ''}`); // §3.2.2.2
  const a2 = d.qop === 'auth-int' ? `${d.method}:${d.uri}:${H(d.body ?? '')}` : `${d.method}:${d.uri}`; // §3.2.2.3
  if (!d.qop) return H(`${ha1}:${d.nonce}:${H(a2)}`); // RFC 2069 compatibility
  return H(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${H(a2)}`);
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Answers challenges for one connection: picks the best usable challenge of a 401, then builds the
 * Authorization header for each request, counting nonce uses (nc) as RFC 2617 §3.2.2 asks.
 */
export class Authenticator {
  private challenge: Challenge | undefined;
  private nc = 0;
  private cnonce = '';

  constructor(private readonly creds: Credentials | undefined) {}

  get ready(): boolean {
    return this.challenge !== undefined && this.creds !== undefined;
  }

  /** Takes a 401's challenges. Returns what the camera offered when none of it is usable here. */
  accept(challenges: readonly Challenge[]): { ok: true } | { ok: false; offered: string } {
    const digest = challenges.find((c) => c.scheme === 'digest' && (HASHES[(c.params.algorithm ?? 'md5').toLowerCase()] !== undefined) && usableQop(c) !== null);
    const chosen = digest ?? challenges.find((c) => c.scheme === 'basic');
    if (!chosen) return { ok: false, offered: challenges.map((c) => c.scheme + (c.params.algorithm ? `/${c.params.algorithm}` : '')).join(', ') || 'no challenge' };
    if (chosen.params.nonce !== this.challenge?.params.nonce) {
      this.nc = 0;
      this.cnonce = randomBytes(8).toString('hex');
    }
    this.challenge = chosen;
    return { ok: true };
  }

  /** The Authorization header value for a request, or undefined before a usable challenge. */
  header(method: string, uri: string): string | undefined {
    const c = this.challenge;
    const creds = this.creds;
    if (!c || !creds) return undefined;
    if (c.scheme === 'basic') return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
    const p = c.params;
    const qop = usableQop(c) ?? undefined;
    const nc = (++this.nc).toString(16).padStart(8, '0');
    const input: DigestInput = { ...creds, realm: p.realm ?? '', nonce: p.nonce ?? '', method, uri, cnonce: this.cnonce, nc };
    if (p.algorithm) input.algorithm = p.algorithm;
    if (qop) input.qop = qop;
    const parts = [
      `username=${quote(creds.username)}`,
      `realm=${quote(input.realm)}`,
      `nonce=${quote(input.nonce)}`,
      `uri=${quote(uri)}`,
      `response=${quote(digestResponse(input))}`,
    ];
    if (p.algorithm) parts.push(`algorithm=${p.algorithm}`);
    if (p.opaque !== undefined) parts.push(`opaque=${quote(p.opaque)}`);
    if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(this.cnonce)}`);
    return `Digest ${parts.join(', ')}`;
  }
}

/** 'auth' when offered, else 'auth-int'; undefined for the RFC 2069 form; null when only unknown qops. */
function usableQop(c: Challenge): 'auth' | 'auth-int' | undefined | null {
  if (c.params.qop === undefined) return undefined;
  const offered = c.params.qop.split(',').map((q) => q.trim().toLowerCase());
  if (offered.includes('auth')) return 'auth';
  return offered.includes('auth-int') ? 'auth-int' : null;
}
