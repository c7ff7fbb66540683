// POST /api/v1/triage (CONTRACTS §1) through Fastify, behind the shared error handler.
import fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import errorHandler from '../http/error-handler.ts';
import { CONTRACT_EXAMPLE_REQUEST, CONTRACT_EXAMPLE_RESPONSE, contractFields } from '../rules/contract-example.ts';
import triageApi from './triage.ts';

let app: FastifyInstance;
beforeAll(async () => {
  app = fastify({ logger: false });
  await app.register(errorHandler);
  await app.register(triageApi);
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const clone = () => structuredClone(CONTRACT_EXAMPLE_REQUEST) as unknown as {
  at?: string;
  site: { devices: Record<string, unknown>[] };
  observations: { device: string; conditions: string[] }[];
};
const post = (payload: unknown) => app.inject({ method: 'POST', url: '/api/v1/triage', payload: payload as object });

async function expect400(res: Awaited<ReturnType<typeof post>>, field: string, code = 'validation-failed') {
  expect(res.statusCode).toBe(400);
  const body = res.json() as { error: { code: string; message: string; field?: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.field).toBe(field);
  expect(body.error.message.startsWith(`${field}:`)).toBe(true);
  return body.error.message;
}

describe('POST /api/v1/triage', () => {
  it('answers the CONTRACTS example with the example cases', async () => {
    const res = await post(CONTRACT_EXAMPLE_REQUEST);
    expect(res.statusCode).toBe(200);
    const body = res.json() as { cases: Record<string, unknown>[] };
    expect({ cases: body.cases.map(contractFields) }).toEqual(CONTRACT_EXAMPLE_RESPONSE);
    expect(body.cases[0]).toHaveProperty('notes.ja');
  });

  it('400 for an unknown segment', async () => {
    const req = clone();
    (req.site.devices[3] as Record<string, unknown>).segment = 'nvr';
    expect(await expect400(await post(req), 'site.devices[3].segment')).toMatch(/unknown segment; expected one of onu, router/);
  });

  it('400 for an unknown condition', async () => {
    const req = clone();
    req.observations[1] = { device: 'cam1', conditions: ['unreachable', 'smoke'] };
    expect(await expect400(await post(req), 'observations[1].conditions[1]')).toMatch(/unknown condition; expected one of unreachable/);
  });

  it('400 for an unknown parent', async () => {
    const req = clone();
    (req.site.devices[5] as Record<string, unknown>).parent = 'sw2';
    expect(await expect400(await post(req), 'site.devices[5].parent')).toContain('no device "sw2"');
  });

  it('400 for a parent cycle', async () => {
    const req = clone();
    (req.site.devices[0] as Record<string, unknown>).parent = 'onu'; // gw → onu → rt → sw → gw
    expect(await expect400(await post(req), 'site.devices[0].parent')).toContain('parent cycle: gw → onu → rt → sw → gw');
  });

  it('400 for an observation of an unknown device', async () => {
    const req = clone();
    req.observations[0] = { device: 'sw9', conditions: ['unreachable'] };
    expect(await expect400(await post(req), 'observations[0].device')).toContain('no device "sw9"');
  });

  it('400 for a duplicate device id', async () => {
    const req = clone();
    (req.site.devices[2] as Record<string, unknown>).id = 'sw';
    await expect400(await post(req), 'site.devices[2].id');
  });

  it('400 for a missing or malformed `at`', async () => {
    const req = clone();
    delete req.at;
    expect(await expect400(await post(req), 'at')).toBe('at: is required');
    await expect400(await post({ ...clone(), at: 'tomorrow' }), 'at');
    await expect400(await post({ ...clone(), at: '2026-02-30T10:00:00+09:00' }), 'at');
  });

  it('400 for a body that is not JSON', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/triage', headers: { 'content-type': 'application/json' }, payload: '{"at": ',
    });
    await expect400(res, 'body', 'bad-json');
    const empty = await app.inject({ method: 'POST', url: '/api/v1/triage', headers: { 'content-type': 'application/json' } });
    await expect400(empty, 'body', 'bad-json');
  });

  it('400 for a JSON body that is not an object', async () => {
    const res = await app.inject({
      method: 'POST', url: '/api/v1/triage', headers: { 'content-type': 'application/json' }, payload: '[1,2]',
    });
    await expect400(res, 'body');
  });

  it('400 for a plain-text body', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/triage', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    await expect400(res, 'body');
  });

  it('accepts a site with no observations', async () => {
    const res = await post({ at: '2026-11-22T10:00:00Z', site: { id: 's', devices: [] } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ cases: [] });
  });
});
