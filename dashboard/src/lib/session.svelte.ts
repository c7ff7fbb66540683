// Who is logged in (issue 8 §1). The session itself is an HttpOnly cookie the page cannot read; this store
// asks the server (GET /api/v1/session), logs in and out, and says what the role allows so views can hide
// what the server would refuse anyway.
export type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

export interface SessionUser {
  username: string;
  role: Role;
}

export type SessionState = 'checking' | 'anonymous' | 'signed-in';

/** How often an open dashboard (a wall screen) confirms its session: keeps it alive and notices a logout. */
const KEEPALIVE_MS = 10 * 60_000;

async function errorCode(res: Response): Promise<{ code: string; message: string }> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return { code: body.error?.code ?? `http-${res.status}`, message: body.error?.message ?? `HTTP ${res.status}` };
  } catch {
    return { code: `http-${res.status}`, message: `HTTP ${res.status}` };
  }
}

export class Session {
  #state = $state<SessionState>('checking');
  #user = $state.raw<SessionUser | null>(null);
  /** The last login's refusal: 'login-failed', 'login-locked', 'rate-limited', or a network problem. */
  #error = $state.raw<{ code: string; message: string } | null>(null);
  #timer: ReturnType<typeof setInterval> | undefined;

  get state(): SessionState {
    return this.#state;
  }
  get user(): SessionUser | null {
    return this.#user;
  }
  get error(): { code: string; message: string } | null {
    return this.#error;
  }

  /** True when the logged-in role includes `role` (an operator can do what a viewer can, and more). */
  can(role: Role): boolean {
    return this.#user !== null && RANK[this.#user.role] >= RANK[role];
  }

  async check(): Promise<void> {
    try {
      const res = await fetch('/api/v1/session', { credentials: 'same-origin', headers: { accept: 'application/json' } });
      if (res.ok) this.#signedIn((await res.json()) as SessionUser);
      else if (res.status === 401) this.#signedOut();
      // Any other answer (a restart, a proxy error) keeps what we had; the next check decides.
      else if (this.#state === 'checking') this.#signedOut();
    } catch {
      if (this.#state === 'checking') this.#signedOut();
    }
  }

  async login(username: string, password: string): Promise<boolean> {
    this.#error = null;
    try {
      const res = await fetch('/api/v1/session', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (!res.ok) {
        this.#error = await errorCode(res);
        return false;
      }
      this.#signedIn((await res.json()) as SessionUser);
      return true;
    } catch {
      this.#error = { code: 'network', message: 'network' };
      return false;
    }
  }

  async logout(): Promise<void> {
    await fetch('/api/v1/session', { method: 'DELETE', credentials: 'same-origin' }).catch(() => {});
    this.#signedOut();
  }

  /** The server refused us (a socket connect_error, a 401): the session ended elsewhere. */
  expired(): void {
    if (this.#state === 'signed-in') this.#signedOut();
  }

  #signedIn(user: SessionUser): void {
    this.#user = { username: user.username, role: user.role };
    this.#state = 'signed-in';
    clearInterval(this.#timer);
    this.#timer = setInterval(() => void this.check(), KEEPALIVE_MS);
  }

  #signedOut(): void {
    clearInterval(this.#timer);
    this.#user = null;
    this.#state = 'anonymous';
  }
}

export const session = new Session();
