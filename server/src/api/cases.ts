// Cases REST API (docs/cases.md): list and read cases; acknowledge, comment, assign, resolve, close — each records
// who (the logged-in user; an integration's token may name the person it acts for in `actor`) and when;
// dead-letter notifications; maintenance windows.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CASE_STATES, IdSchema, PARTIES, type CaseRecord } from '@camfleet/shared';
import type { ActionOutcome } from '../cases/queries.ts';
import type { CaseService } from '../cases/service.ts';
import { ApiError } from '../http/errors.ts';
import type { FleetState } from '../state/fleet-state.ts';

const Actor = Type.Optional(Type.String({ minLength: 1, maxLength: 100 }));
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) });
const ListQuery = Type.Object({
  state: Type.Optional(Type.Union([...CASE_STATES, 'active'].map((s) => Type.Literal(s)))),
  site: Type.Optional(IdSchema),
  responsible: Type.Optional(Type.Union(PARTIES.map((p) => Type.Literal(p)))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  before: Type.Optional(Type.Integer({ minimum: 1 })),
});
const Note = Type.Object({ actor: Actor, comment: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) }, { additionalProperties: false });
const Comment = Type.Object({ actor: Actor, text: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const Assign = Type.Object({ actor: Actor, assignee: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
const NewWindow = Type.Object({
  site: IdSchema,
  device: Type.Optional(IdSchema),
  start: Type.String({ format: 'date-time' }),
  end: Type.String({ format: 'date-time' }),
  reason: Type.Optional(Type.String({ maxLength: 500 })),
  actor: Actor,
}, { additionalProperties: false });
const WindowQuery = Type.Object({
  site: Type.Optional(IdSchema),
  at: Type.Optional(Type.String({ format: 'date-time' })),
  ended: Type.Optional(Type.Boolean()),
});

/** Who an action is recorded as: a person is who they logged in as; a token may say on whose behalf it acts. */
function actorOf(req: FastifyRequest, claimed: string | undefined): string {
  const p = req.principal!;
  return p.kind === 'token' && claimed ? `${claimed} (via ${p.name})` : p.name;
}
/** OpenAPI tags and summary of a route. */
const doc = (tag: string, summary: string) => ({ tags: [tag], summary });

export interface CasesApiOptions {
  cases: CaseService;
  fleet: FleetState;
}

export default async function casesApi(app: FastifyInstance, opts: CasesApiOptions) {
  const { cases, fleet } = opts;
  const now = () => cases.clock();
  // Actions may be posted without a body: treat it as {} so the defaults apply.
  app.addHook('preValidation', async (req) => {
    if (req.method === 'POST' && (req.body === undefined || req.body === null)) req.body = {};
  });

  const outcome = (id: number, o: ActionOutcome, action: string): CaseRecord => {
    if (o.ok) {
      cases.publish([o.record]);
      return o.record;
    }
    if (o.reason === 'not-found') throw new ApiError('unknown-case', `No case ${id}.`, 'id');
    throw new ApiError('case-state-conflict', `Case ${id} is ${o.state}: it cannot be ${action}.`, 'id');
  };

  app.get('/api/v1/cases', { schema: { ...doc('cases', 'List cases, newest first'), querystring: ListQuery } }, async (req) => {
    const q = req.query as { state?: CaseRecord['state'] | 'active'; site?: string; responsible?: CaseRecord['responsible'] & string; limit?: number; before?: number };
    const list = await cases.queries.list({ ...q, limit: q.limit ?? 100 });
    return { cases: list };
  });

  app.get('/api/v1/cases/:id', { schema: { ...doc('cases', 'One case with its log and notifications'), params: IdParams } }, async (req) => {
    const { id } = req.params as { id: number };
    const record = await cases.queries.get(id);
    if (!record) throw new ApiError('unknown-case', `No case ${id}.`, 'id');
    const [log, notifications] = await Promise.all([cases.queries.log(id), cases.queries.notifications(id)]);
    return { ...record, log, notifications };
  });

  app.post('/api/v1/cases/:id/ack', { schema: { ...doc('cases', 'Acknowledge a case'), params: IdParams, body: Note } }, async (req) => {
    const { id } = req.params as { id: number };
    const b = req.body as { actor?: string; comment?: string };
    return outcome(id, await cases.queries.acknowledge(id, actorOf(req, b.actor), now(), b.comment), 'acknowledged');
  });

  app.post('/api/v1/cases/:id/comment', { schema: { ...doc('cases', 'Comment on a case'), params: IdParams, body: Comment } }, async (req) => {
    const { id } = req.params as { id: number };
    const b = req.body as { actor?: string; text: string };
    return outcome(id, await cases.queries.comment(id, actorOf(req, b.actor), now(), b.text), 'commented');
  });

  app.post('/api/v1/cases/:id/assign', { schema: { ...doc('cases', 'Assign a case'), params: IdParams, body: Assign } }, async (req) => {
    const { id } = req.params as { id: number };
    const b = req.body as { actor?: string; assignee: string };
    return outcome(id, await cases.queries.assign(id, actorOf(req, b.actor), now(), b.assignee), 'assigned');
  });

  app.post('/api/v1/cases/:id/resolve', { schema: { ...doc('cases', 'Resolve a case (notifies)'), params: IdParams, body: Note } }, async (req) => {
    const { id } = req.params as { id: number };
    const b = req.body as { actor?: string; comment?: string };
    const change = await cases.resolveByOperator(id, actorOf(req, b.actor), b.comment);
    if (change) return change.record;
    const current = await cases.queries.get(id);
    if (!current) throw new ApiError('unknown-case', `No case ${id}.`, 'id');
    if (current.state === 'resolved') return current;
    throw new ApiError('case-state-conflict', `Case ${id} is ${current.state}: it cannot be resolved.`, 'id');
  });

  app.post('/api/v1/cases/:id/close', { schema: { ...doc('cases', 'Close a resolved case'), params: IdParams, body: Note } }, async (req) => {
    const { id } = req.params as { id: number };
    const b = req.body as { actor?: string; comment?: string };
    return outcome(id, await cases.queries.close(id, actorOf(req, b.actor), now(), b.comment), 'closed (resolve it first)');
  });

  app.get('/api/v1/notifications/dead-letters', { schema: { ...doc('notifications', 'Messages that failed every attempt'), querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }) } }, async (req) => {
    const { limit } = req.query as { limit?: number };
    return { notifications: await cases.outbox.deadLetters(limit ?? 100) };
  });

  app.post('/api/v1/notifications/:id/retry', { schema: { ...doc('notifications', 'Queue a dead letter again'), params: IdParams } }, async (req) => {
    const { id } = req.params as { id: number };
    const retried = await cases.outbox.retry(id, now());
    if (retried) return retried;
    if (!(await cases.outbox.get(id))) throw new ApiError('unknown-notification', `No notification ${id}.`, 'id');
    throw new ApiError('validation-failed', `Notification ${id} is not a dead letter.`, 'id');
  });

  app.post('/api/v1/maintenance', { schema: { ...doc('maintenance', 'Create a maintenance window'), body: NewWindow } }, async (req, reply) => {
    const b = req.body as { site: string; device?: string; start: string; end: string; reason?: string; actor?: string };
    const start = Date.parse(b.start);
    const end = Date.parse(b.end);
    if (!(end > start)) throw new ApiError('validation-failed', 'end: must be after start', 'end');
    const spec = fleet.siteSpec(b.site);
    if (!fleet.hasSite(b.site)) throw new ApiError('unknown-site', `No site "${b.site}".`, 'site');
    if (b.device && !spec?.devices.some((d) => d.id === b.device)) throw new ApiError('unknown-device', `No device "${b.device}" at site "${b.site}".`, 'device');
    const window = await cases.maintenance.create(
      { site: b.site, device: b.device ?? null, start, end, reason: b.reason ?? null, actor: actorOf(req, b.actor) }, now());
    return reply.status(201).send(window);
  });

  app.get('/api/v1/maintenance', { schema: { ...doc('maintenance', 'List maintenance windows'), querystring: WindowQuery } }, async (req) => {
    const q = req.query as { site?: string; at?: string; ended?: boolean };
    return {
      windows: await cases.maintenance.list({
        ...(q.site ? { site: q.site } : {}),
        ...(q.at ? { activeAt: Date.parse(q.at) } : {}),
        includeEnded: q.ended === true,
        now: now(),
      }),
    };
  });

  app.delete('/api/v1/maintenance/:id', { schema: { ...doc('maintenance', 'Delete a maintenance window'), params: IdParams } }, async (req, reply) => {
    const { id } = req.params as { id: number };
    if (!(await cases.maintenance.remove(id, now()))) throw new ApiError('unknown-maintenance-window', `No maintenance window ${id}.`, 'id');
    return reply.status(204).send();
  });
}
