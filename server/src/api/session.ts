// Logging in and out (issue 8 §1): POST /api/v1/session answers with an HttpOnly, SameSite=Strict session
// cookie; GET tells the dashboard who is logged in and with which role; DELETE logs out. Failed logins are
// rate-limited per client and lock the account after repeated failures (docs/security.md).
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../http/errors.ts';
import { SESSION_COOKIE } from '../auth/plugin.ts';

const Login = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 256 }),
}, { additionalProperties: false });
const Me = Type.Object({ username: Type.String(), role: Type.String(), kind: Type.String() });

export default async function sessionApi(app: FastifyInstance, opts: { loginPerMinute: number }) {
  app.post('/api/v1/session', {
    config: { access: 'public', audit: false, rateLimit: { max: opts.loginPerMinute, timeWindow: '1 minute' } },
    schema: { tags: ['session'], summary: 'Log in; sets the session cookie', body: Login, response: { 200: Me } },
  }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    const result = await app.auth.store.login(username, password, req.ip);
    if (!result.ok) {
      await app.auth.audit.record({ actor: username, action: 'login.failed', ip: req.ip, detail: { reason: result.reason } });
      if (result.reason === 'locked') {
        void reply.header('retry-after', String(result.retryAfterS));
        throw new ApiError('login-locked', `Too many failed logins for "${username}"; try again in ${Math.ceil(result.retryAfterS / 60)} min or ask an admin.`, undefined, { retryAfterS: result.retryAfterS });
      }
      throw new ApiError('login-failed');
    }
    await app.auth.audit.record({ actor: username, action: 'login', ip: req.ip });
    app.auth.setSessionCookie(req, reply, result.sessionId);
    return { username: result.principal.name, role: result.principal.role, kind: 'user' };
  });

  app.get('/api/v1/session', {
    schema: { tags: ['session'], summary: 'Who is logged in', response: { 200: Me } },
  }, async (req) => {
    const p = req.principal!;
    return { username: p.name, role: p.role, kind: p.kind };
  });

  app.delete('/api/v1/session', {
    config: { access: 'public', audit: false },
    schema: { tags: ['session'], summary: 'Log out; ends the session' },
  }, async (req, reply) => {
    const id = req.cookies[SESSION_COOKIE];
    if (id) await app.auth.store.logout(id);
    if (req.principal) await app.auth.audit.record({ actor: req.principal.name, action: 'logout', ip: req.ip });
    void reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });
}
