// Administration (issue 8 §1): users and their roles, API tokens for integrations, and the audit log.
// Admin only. A token's secret is shown once, in the answer that creates it; only its hash is kept.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IdSchema } from '@camfleet/shared';
import { ApiError } from '../http/errors.ts';
import { ROLES, type Role } from '../auth/roles.ts';

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const Username = Type.String({ pattern: '^[A-Za-z0-9._@-]{1,64}$', description: 'letters, digits and . _ @ -' });
/** Long enough to resist guessing once the lockout is lifted; no composition rules (NIST SP 800-63B §5.1.1). */
const Password = Type.String({ minLength: 12, maxLength: 256 });
const NewUser = Type.Object({ username: Username, password: Password, role: RoleSchema }, { additionalProperties: false });
const UserChange = Type.Object({
  role: Type.Optional(RoleSchema), disabled: Type.Optional(Type.Boolean()), password: Type.Optional(Password),
}, { additionalProperties: false, minProperties: 1 });
const NewToken = Type.Object({ name: IdSchema, role: RoleSchema }, { additionalProperties: false });
const AuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  actor: Type.Optional(Type.String({ maxLength: 100 })),
  action: Type.Optional(Type.String({ maxLength: 100 })),
}, { additionalProperties: false });

const admin = { access: 'admin' as const, audit: false };

export default async function adminApi(app: FastifyInstance) {
  const { store, audit } = app.auth;
  const record = (req: FastifyRequest, action: string, target: string, detail?: unknown) =>
    audit.record({ actor: req.principal!.name, action, target, detail, ip: req.ip });

  app.get('/api/v1/users', { config: admin, schema: { tags: ['admin'], summary: 'Users and their roles' } }, async () => ({ users: await store.listUsers() }));

  app.post('/api/v1/users', { config: admin, schema: { tags: ['admin'], summary: 'Create a user', body: NewUser } }, async (req, reply) => {
    const b = req.body as { username: string; password: string; role: Role };
    if (!(await store.putUser(b.username, b.password, b.role))) throw new ApiError('user-exists', `A user "${b.username}" exists already.`, 'username');
    await record(req, 'user.create', b.username, { role: b.role });
    return reply.status(201).send({ username: b.username, role: b.role });
  });

  app.patch('/api/v1/users/:username', {
    config: admin, schema: { tags: ['admin'], summary: 'Change a user\'s role, password or disabled flag', params: Type.Object({ username: Username }), body: UserChange },
  }, async (req) => {
    const { username } = req.params as { username: string };
    const change = req.body as { role?: Role; disabled?: boolean; password?: string };
    if ((change.role && change.role !== 'admin') || change.disabled) await keepOneAdmin(username);
    if (!(await store.updateUser(username, change))) throw new ApiError('unknown-user', `No user "${username}".`, 'username');
    await record(req, 'user.update', username, { role: change.role, disabled: change.disabled, password: change.password ? 'changed' : undefined });
    return { username, ...(change.role ? { role: change.role } : {}), ...(change.disabled !== undefined ? { disabled: change.disabled } : {}) };
  });

  async function keepOneAdmin(username: string) {
    const users = await store.listUsers();
    const admins = users.filter((u) => u.role === 'admin' && !u.disabled);
    if (admins.length === 1 && admins[0]!.username === username) throw new ApiError('last-admin', `"${username}" is the only active admin.`, 'username');
  }

  app.get('/api/v1/tokens', { config: admin, schema: { tags: ['admin'], summary: 'API tokens (never their secrets)' } }, async () => ({ tokens: await store.listTokens() }));

  app.post('/api/v1/tokens', { config: admin, schema: { tags: ['admin'], summary: 'Issue an API token; the secret is in this answer only', body: NewToken } }, async (req, reply) => {
    const b = req.body as { name: string; role: Role };
    const made = await store.createToken(b.name, b.role, req.principal!.name);
    if (!made) throw new ApiError('token-name-taken', `A token named "${b.name}" exists already.`, 'name');
    await record(req, 'token.create', b.name, { role: b.role });
    return reply.status(201).send({ ...made.row, token: made.token });
  });

  app.delete('/api/v1/tokens/:id', { config: admin, schema: { tags: ['admin'], summary: 'Revoke an API token', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    if (!(await store.revokeToken(id))) throw new ApiError('unknown-token', `No active token ${id}.`, 'id');
    await record(req, 'token.revoke', String(id));
    return reply.status(204).send();
  });

  app.get('/api/v1/audit', { config: admin, schema: { tags: ['admin'], summary: 'The audit log, newest first', querystring: AuditQuery } }, async (req) => {
    const q = req.query as { limit?: number; before?: number; actor?: string; action?: string };
    return { entries: await audit.list({ limit: q.limit ?? 100, ...q }) };
  });
}
