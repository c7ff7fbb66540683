// Users, sessions and API tokens in the relational store (issue 8 §1). Every instance reads the same
// tables, so a login made through one instance is valid on all of them; lookups are cached for a few
// seconds (logout and revocation reach the other instances within that time, docs/security.md).
import type { Database } from '../db/types.ts';
import { isRole, type Principal, type Role } from './roles.ts';
import { DUMMY_HASH, hashPassword, newApiToken, newSessionId, sha256, verifyPassword } from './secrets.ts';

export interface AuthPolicy {
  /** Consecutive failed logins that lock an account… */
  maxFailures: number;
  /** …for this long. */
  lockoutS: number;
  /** A session unused for this long ends. */
  sessionIdleS: number;
}

export const DEFAULT_POLICY: AuthPolicy = { maxFailures: 5, lockoutS: 15 * 60, sessionIdleS: 12 * 3600 };
const CACHE_MS = 5_000;

export interface UserRow {
  username: string;
  role: Role;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

export interface TokenRow {
  id: number;
  name: string;
  role: Role;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export type LoginResult =
  | { ok: true; sessionId: string; principal: Principal }
  | { ok: false; reason: 'bad-credentials' }
  | { ok: false; reason: 'locked'; retryAfterS: number };

const iso = (v: unknown): string | null => (v == null ? null : new Date(v as string).toISOString());

export class AuthStore {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(private readonly db: Database, readonly policy: AuthPolicy = DEFAULT_POLICY) {}

  async userCount(): Promise<number> {
    const { rows } = await this.db.query<{ n: string | number }>('SELECT count(*) AS n FROM users');
    return Number(rows[0]?.n ?? 0);
  }

  /** Creates a user, or (upsert) sets the password and role of an existing one. */
  async putUser(username: string, password: string, role: Role, upsert = false): Promise<boolean> {
    const hash = await hashPassword(password);
    const sql = upsert
      ? `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3)
         ON CONFLICT (username) DO UPDATE SET password_hash = $2, role = $3, failed_logins = 0, locked_until = NULL, password_changed_at = now()`
      : 'INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3) ON CONFLICT (username) DO NOTHING RETURNING username';
    const { rows } = await this.db.query(sql, [username, hash, role]);
    return upsert || rows.length === 1;
  }

  async listUsers(): Promise<UserRow[]> {
    const { rows } = await this.db.query<Record<string, unknown>>('SELECT username, role, disabled, locked_until, created_at FROM users ORDER BY username');
    return rows.map((r) => ({
      username: String(r.username), role: r.role as Role, disabled: Boolean(r.disabled),
      lockedUntil: iso(r.locked_until), createdAt: iso(r.created_at)!,
    }));
  }

  /** Changes role / disabled / password; a disabled user's sessions end at once. Returns false for an unknown user. */
  async updateUser(username: string, change: { role?: Role; disabled?: boolean; password?: string }): Promise<boolean> {
    const { rows } = await this.db.query('SELECT username FROM users WHERE username = $1', [username]);
    if (rows.length === 0) return false;
    if (change.role) await this.db.query('UPDATE users SET role = $2 WHERE username = $1', [username, change.role]);
    if (change.disabled !== undefined) await this.db.query('UPDATE users SET disabled = $2 WHERE username = $1', [username, change.disabled]);
    if (change.password) {
      await this.db.query('UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, password_changed_at = now() WHERE username = $1', [username, await hashPassword(change.password)]);
    }
    // Any change to who someone is ends their other sessions: a new role or password takes effect now.
    await this.db.query('DELETE FROM sessions WHERE username = $1', [username]);
    this.cache.clear();
    return true;
  }

  /** Checks a password; counts failures and locks the account after policy.maxFailures in a row. */
  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      'SELECT username, password_hash, role, disabled, locked_until FROM users WHERE username = $1', [username]);
    const row = rows[0];
    const locked = row?.locked_until ? new Date(row.locked_until as string).getTime() - Date.now() : 0;
    if (row && locked > 0) return { ok: false, reason: 'locked', retryAfterS: Math.ceil(locked / 1000) };
    const good = await verifyPassword(password, row ? String(row.password_hash) : DUMMY_HASH);
    if (!row || !good || row.disabled || !isRole(row.role)) {
      if (row) {
        const { rows: after } = await this.db.query<{ failed_logins: number }>(
          `UPDATE users SET failed_logins = failed_logins + 1,
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(secs => $3) ELSE NULL END
           WHERE username = $1 RETURNING failed_logins`, [username, this.policy.maxFailures, this.policy.lockoutS]);
        if ((after[0]?.failed_logins ?? 0) >= this.policy.maxFailures) return { ok: false, reason: 'locked', retryAfterS: this.policy.lockoutS };
      }
      return { ok: false, reason: 'bad-credentials' };
    }
    await this.db.query('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = $1', [username]);
    const sessionId = newSessionId();
    await this.db.query(
      'INSERT INTO sessions (id_hash, username, expires_at, ip) VALUES ($1, $2, now() + make_interval(secs => $3), $4)',
      [sha256(sessionId), username, this.policy.sessionIdleS, ip]);
    return { ok: true, sessionId, principal: { kind: 'user', name: username, role: row.role } };
  }

  async logout(sessionId: string): Promise<void> {
    const key = sha256(sessionId);
    await this.db.query('DELETE FROM sessions WHERE id_hash = $1', [key]);
    this.cache.delete(`s:${key}`);
  }

  /** The user behind a session cookie, sliding its idle expiry; null when unknown, expired or disabled. */
  async sessionPrincipal(sessionId: string): Promise<Principal | null> {
    return this.cached(`s:${sha256(sessionId)}`, async (key) => {
      const { rows } = await this.db.query<Record<string, unknown>>(
        `UPDATE sessions s SET expires_at = now() + make_interval(secs => $2)
         FROM users u WHERE s.id_hash = $1 AND s.expires_at > now() AND u.username = s.username AND NOT u.disabled
         RETURNING u.username, u.role`, [key.slice(2), this.policy.sessionIdleS]);
      const r = rows[0];
      return r && isRole(r.role) ? { kind: 'user', name: String(r.username), role: r.role } : null;
    });
  }

  async tokenPrincipal(token: string): Promise<Principal | null> {
    return this.cached(`t:${sha256(token)}`, async (key) => {
      const { rows } = await this.db.query<Record<string, unknown>>(
        'UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING name, role', [key.slice(2)]);
      const r = rows[0];
      return r && isRole(r.role) ? { kind: 'token', name: `token:${String(r.name)}`, role: r.role } : null;
    });
  }

  /** Issues a token; the secret is returned once and only its hash is kept. Null when the name is taken. */
  async createToken(name: string, role: Role, createdBy: string): Promise<{ token: string; row: TokenRow } | null> {
    const token = newApiToken();
    const row = await this.insertToken(name, token, role, createdBy);
    return row ? { token, row } : null;
  }

  /** Installs a token whose secret was chosen outside (CAMFLEET_ADMIN_TOKEN for provisioning scripts). */
  async ensureToken(name: string, token: string, role: Role): Promise<void> {
    await this.db.query(
      `INSERT INTO api_tokens (name, token_hash, role, created_by) VALUES ($1, $2, $3, 'environment')
       ON CONFLICT (name) DO UPDATE SET token_hash = $2, role = $3, revoked_at = NULL`, [name, sha256(token), role]);
    this.cache.clear();
  }

  private async insertToken(name: string, token: string, role: Role, createdBy: string): Promise<TokenRow | null> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `INSERT INTO api_tokens (name, token_hash, role, created_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING id, name, role, created_by, created_at, last_used_at`, [name, sha256(token), role, createdBy]);
    return rows[0] ? toTokenRow(rows[0]) : null;
  }

  async listTokens(): Promise<TokenRow[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      'SELECT id, name, role, created_by, created_at, last_used_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY id');
    return rows.map(toTokenRow);
  }

  async revokeToken(id: number): Promise<boolean> {
    const { rows } = await this.db.query('UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id', [id]);
    this.cache.clear();
    return rows.length === 1;
  }

  private async cached(key: string, load: (key: string) => Promise<Principal | null>): Promise<Principal | null> {
    const hit = this.cache.get(key);
    const now = Date.now();
    if (hit && hit.until > now) return hit.principal;
    const principal = await load(key);
    if (this.cache.size > 10_000) this.cache.clear(); // bounded: a flood of random cookies cannot grow it
    this.cache.set(key, { principal, until: now + CACHE_MS });
    return principal;
  }
}

function toTokenRow(r: Record<string, unknown>): TokenRow {
  return {
    id: Number(r.id), name: String(r.name), role: r.role as Role, createdBy: String(r.created_by),
    createdAt: iso(r.created_at)!, lastUsedAt: iso(r.last_used_at),
  };
}
