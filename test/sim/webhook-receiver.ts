// A webhook receiver on loopback for tests: records every attempt, checks the HMAC signature the way
// docs/webhooks.md tells receivers to, and can be told to fail (HTTP 503) for a while to exercise retries.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookAttempt {
  at: number;
  status: number;
  idempotencyKey: string | undefined;
  attempt: number;
  validSignature: boolean;
  body: string;
}

export interface WebhookDelivery extends WebhookAttempt {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, answered or failed. */
  attempts: WebhookAttempt[];
  /** Requests answered 2xx with a valid signature. */
  deliveries: WebhookDelivery[];
  /** Answer 503 to everything until `ms` (epoch) — or until `failUntil(0)`. */
  failUntil(ms: number): void;
  close(): Promise<void>;
}

export function verifySignature(secret: string, timestamp: string | undefined, body: string, header: string | undefined): boolean {
  if (!timestamp || !header?.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex'));
  const got = Buffer.from(header.slice('sha256='.length));
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export async function startWebhookReceiver(opts: { secret: string; path?: string }): Promise<WebhookReceiver> {
  const attempts: WebhookAttempt[] = [];
  const deliveries: WebhookDelivery[] = [];
  let failUntil = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const validSignature = verifySignature(opts.secret, header('x-camfleet-timestamp'), body, header('x-camfleet-signature'));
      const status = Date.now() < failUntil ? 503 : validSignature ? 200 : 401;
      const attempt: WebhookAttempt = {
        at: Date.now(), status, idempotencyKey: header('idempotency-key'), attempt: Number(header('x-camfleet-delivery-attempt')), validSignature, body,
      };
      attempts.push(attempt);
      if (status === 200) deliveries.push({ ...attempt, json: JSON.parse(body) });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${opts.path ?? '/hooks/camfleet'}`,
    attempts,
    deliveries,
    failUntil(ms) {
      failUntil = ms;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
