// Triage dry run — CONTRACTS §1 `POST /api/v1/triage`: runs the rule pipeline on a site description and observed
// conditions and returns the cases it would open. Stores nothing, sends nothing, needs no login.
// Every 400 names its field (`site.devices[3].parent`, `observations[0].conditions[1]`, `at`, `body`); bodies come
// from the shared error handler (register http/error-handler.ts first).
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { ConditionSchema, ISO_INSTANT_PATTERN, SiteSpecSchema } from '@camfleet/shared';
import { ApiError } from '../http/errors.ts';
import { TriageInputError, triage } from '../rules/index.ts';

const ObservationSchema = Type.Object(
  {
    device: Type.String({ minLength: 1, maxLength: 64 }),
    conditions: Type.Array(ConditionSchema, { maxItems: 32 }),
  },
  { additionalProperties: true },
);

export const TriageRequestSchema = Type.Object(
  {
    at: Type.String({ pattern: ISO_INSTANT_PATTERN, description: 'ISO 8601 date-time; judged in Japan time' }),
    site: SiteSpecSchema,
    observations: Type.Optional(Type.Array(ObservationSchema, { maxItems: 20_000 })),
  },
  { additionalProperties: true },
);
export type TriageRequest = Static<typeof TriageRequestSchema>;

/** `/site/devices/3/segment` → `site.devices[3].segment` (the error handler's notation). */
function dotted(instancePath: string): string {
  return instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.');
}

const LABELS: Record<string, string> = { segment: 'segment', region: 'region', maintenanceContract: 'maintenance contract' };

/** Ajv errors → one ApiError naming the field, with the allowed words for enumerations. */
export function formatSchemaErrors(errors: FastifySchemaValidationError[]): ApiError {
  const first = errors[0];
  if (!first) return new ApiError('validation-failed', 'body: is invalid', 'body');
  const missing = typeof first.params.missingProperty === 'string' ? first.params.missingProperty : undefined;
  const field = [dotted(first.instancePath), missing].filter(Boolean).join('.') || 'body';
  let message: string;
  if (first.keyword === 'const' || first.keyword === 'anyOf') {
    const allowed = errors
      .filter((e) => e.instancePath === first.instancePath && e.keyword === 'const')
      .map((e) => String(e.params.allowedValue));
    const last = first.instancePath.split('/').filter((p) => !/^\d+$/.test(p)).at(-1) ?? '';
    const label = last === 'conditions' ? 'condition' : LABELS[last] ?? 'value';
    message = `unknown ${label}; expected one of ${allowed.join(', ')}`;
  } else if (missing) {
    message = 'is required';
  } else if (field === 'at' && first.keyword === 'pattern') {
    message = 'must be an ISO 8601 date-time, e.g. 2026-11-22T10:00:00+09:00';
  } else {
    message = first.message ?? 'is invalid';
  }
  return new ApiError('validation-failed', `${field}: ${message}`, field);
}

export default async function triageApi(app: FastifyInstance) {
  // Same secure JSON parsing as Fastify's default, but a malformed body is a 400 that names `body`.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    json(req, body.toString(), (err, value) => {
      if (err) done(new ApiError('bad-json', `body: not valid JSON (${err.message})`, 'body'), undefined);
      else done(null, value);
    });
  });

  app.post(
    '/api/v1/triage',
    {
      schema: { body: TriageRequestSchema },
      schemaErrorFormatter: (errors) => formatSchemaErrors(errors),
      // CONTRACTS §1: rate-limited no tighter than 600 requests a minute per client (read by a rate-limit plugin).
      config: { access: 'public', rateLimit: { max: 600, timeWindow: '1 minute' } },
    },
    async (req) => {
      try {
        return triage(req.body as TriageRequest);
      } catch (err) {
        if (err instanceof TriageInputError) throw new ApiError('validation-failed', err.message, err.field);
        throw err;
      }
    },
  );
}
