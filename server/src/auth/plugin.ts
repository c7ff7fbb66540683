// Who may do what (issue 8 §1, docs/security.md). Every request is matched to a principal — a person by the
// session cookie, an integration by `Authorization: Bearer cft_…` — and to the access its route needs:
// the route's `config.access`, else by path: /api, /metrics and /live need a viewer to read and an operator
// to change anything; the dashboard's static files and /healthz are public. socket.io and the live-view
// WebSocket upgrade outside Fastify, so they call `principalFrom` themselves.
import type { IncomingHttpHeaders } from 'node:http';
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Database } from '../db/types.ts';
import { ApiError } from '../http/errors.ts';
import { AuditLog } from './audit.ts';
import { allows, type Access, type Principal } from './roles.ts';
import { TOKEN_PATTERN } from './secrets.ts';
import { AuthStore, type AuthPolicy } from './store.ts';

export const SESSION_COOKIE = 'camfleet_session';

export interface AuthOptions {
  db: Database;
  policy: AuthPolicy;
  /** 'auto': Secure cookies when the request came over HTTPS (or a trusted proxy says so). */
  cookieSecure: 'auto' | 'always' | 'never';
  log: (msg: string) => void;
}

export interface Auth {
  store: AuthStore;
  audit: AuditLog;
  /** The principal behind a request's headers (cookie or bearer token), or null. */
  principalFrom(headers: IncomingHttpHeaders): Promise<Principal | null>;
  setSessionCookie(req: FastifyRequest, reply: FastifyReply, sessionId: string): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    auth: Auth;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** How the principal was recognised: cookies need the cross-origin check, bearer tokens don't. */
    principalVia: 'cookie' | 'token' | null;
    /** Extra detail a route adds to its audit entry (a command's result, an import's counts). */
    auditDetail: unknown;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** false: the route writes its own audit entries (logins, user and token changes). */
    audit?: boolean;
    /** The audit action name (default `<METHOD> <route>`). */
    auditAction?: string;
  }
}

const PROTECTED = /^\/(api\/|metrics(\?|$)|live\/)/;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function parseCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  if (!h || !h.startsWith('Bearer ')) return undefined;
  const token = h.slice(7).trim();
  return TOKEN_PATTERN.test(token) ? token : undefined;
}

/** What a request needs when its route does not say. */
export function defaultAccess(method: string, url: string): Access {
  if (!PROTECTED.test(url)) return 'public';
  return SAFE_METHODS.has(method) ? 'viewer' : 'operator';
}

export default fp(async function authPlugin(app: FastifyInstance, opts: AuthOptions) {
  const store = new AuthStore(opts.db, opts.policy);
  const audit = new AuditLog(opts.db, opts.log);
  await app.register(cookie);

  async function resolve(headers: IncomingHttpHeaders): Promise<{ principal: Principal | null; via: 'cookie' | 'token' | null }> {
    const token = bearer(headers);
    if (token) return { principal: await store.tokenPrincipal(token), via: 'token' };
    const session = parseCookie(headers.cookie, SESSION_COOKIE);
    if (session && session.length <= 128) return { principal: await store.sessionPrincipal(session), via: 'cookie' };
    return { principal: null, via: null };
  }

  app.decorate('auth', {
    store,
    audit,
    principalFrom: async (headers: IncomingHttpHeaders) => (await resolve(headers)).principal,
    setSessionCookie(req: FastifyRequest, reply: FastifyReply, sessionId: string) {
      const secure = opts.cookieSecure === 'always' || (opts.cookieSecure === 'auto' && req.protocol === 'https');
      void reply.setCookie(SESSION_COOKIE, sessionId, {
        path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: opts.policy.sessionIdleS,
      });
    },
  } satisfies Auth);
  app.decorateRequest('principal', null);
  app.decorateRequest('principalVia', null);
  app.decorateRequest('auditDetail', undefined);

  // Every change a person or integration makes is audited once it has been answered — with what was
  // refused for their role, too (issue 8 §1).
  app.addHook('onResponse', async (req, reply) => {
    const config = req.routeOptions.config;
    if (SAFE_METHODS.has(req.method) || !req.principal || !req.routeOptions.url) return;
    if (config?.audit === false && reply.statusCode !== 403) return; // the route recorded it itself
    if (reply.statusCode >= 400 && reply.statusCode < 500 && reply.statusCode !== 403) return; // invalid requests changed nothing
    const params = req.params as Record<string, unknown> | undefined;
    await audit.record({
      actor: req.principal.name,
      action: (config?.auditAction ?? `${req.method} ${req.routeOptions.url}`) + (reply.statusCode === 403 ? ' (denied)' : ''),
      ...(params && Object.keys(params).length ? { target: Object.values(params).map(String).join('/') } : {}),
      ...(req.auditDetail !== undefined ? { detail: req.auditDetail } : {}),
      ip: req.ip,
    });
  });

  app.addHook('onRequest', async (req) => {
    const need = req.routeOptions.config?.access ?? defaultAccess(req.method, req.url);
    // The dashboard's files and /healthz need nobody: no session lookup on them. Public API routes (login,
    // logout, triage) still learn who is calling, for the audit log.
    if (need === 'public' && !req.url.startsWith('/api/')) return;
    const { principal, via } = await resolve(req.headers);
    req.principal = principal;
    req.principalVia = via;
    if (need === 'public') return;
    if (!principal) throw new ApiError('unauthenticated');
    // SameSite=Strict already keeps the cookie off cross-site requests; refusing a foreign Origin on a
    // cookie-authenticated change is the second lock (CSRF), for browsers that ignore SameSite.
    if (via === 'cookie' && !SAFE_METHODS.has(req.method) && req.headers.origin && !sameOrigin(req.headers.origin, req.headers.host)) {
      throw new ApiError('cross-origin');
    }
    if (!allows(principal.role, need)) {
      throw new ApiError('forbidden', `This needs the ${need} role; ${principal.name} is a ${principal.role}.`);
    }
  });
}, { name: 'auth', dependencies: ['error-handler'] });

function sameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
