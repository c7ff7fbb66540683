// Turns every thrown error into the catalogue's JSON body. Validation errors name the field; anything
// unexpected is logged with its stack and answered with a generic 500 — a stack never reaches a user.
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from './errors.ts';

function fieldOf(err: FastifyError): string | undefined {
  const v = err.validation?.[0];
  if (!v) return undefined;
  const base = v.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replaceAll('/', '.');
  const params = v.params as Record<string, unknown>;
  const extra = typeof params.missingProperty === 'string' ? params.missingProperty
    : typeof params.additionalProperty === 'string' ? params.additionalProperty : undefined;
  const path = [base, extra].filter(Boolean).join('.');
  return path || undefined;
}

export function toApiError(err: FastifyError): ApiError {
  if (err instanceof ApiError) return err;
  if (err.validation) {
    const field = fieldOf(err);
    const detail = err.validation[0]?.message ?? 'is invalid';
    return new ApiError('validation-failed', `${field ?? 'body'}: ${detail}`, field);
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('bad-json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('payload-too-large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported-media-type');
  }
  if (err.statusCode === 429) return new ApiError('rate-limited');
  if (err instanceof SyntaxError && err.statusCode === 400) return new ApiError('bad-json');
  return new ApiError('internal');
}

export default fp(async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const apiErr = toApiError(err);
    if (apiErr.code === 'internal') req.log.error({ err }, 'unhandled error');
    else req.log.info({ code: apiErr.code, field: apiErr.field }, 'request rejected');
    void reply.status(apiErr.status).send(apiErr.toBody());
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send(new ApiError('not-found').toBody());
  });
}, { name: 'error-handler' });
