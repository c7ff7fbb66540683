// Live view and snapshots (docs/live-view.md): viewers on `GET /live/:site/:device` (WebSocket, upgraded
// here with `ws`, apart from socket.io's /socket.io; MPEG-TS for JSMpeg as binary messages, JSON notes as
// text), the agent's ffmpeg posting MPEG-TS to `POST /live/ingest/:token`, and
// `GET /api/v1/sites/:site/devices/:device/snapshot` for low-bandwidth sites.
import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { IdSchema, type CommandResult } from '@camfleet/shared';
import type { Core } from '../core.ts';
import { ApiError } from '../http/errors.ts';
import { CLOSE, LiveHub } from './hub.ts';

export interface LiveConfig {
  maxStreams: number;
  idleMs: number;
  startTimeoutMs: number;
  /** Base URL the agents reach this server at (CAMFLEET_LIVE_INGEST_BASE); default: the viewer's Host. */
  ingestBase?: string;
}

export function liveConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LiveConfig {
  const num = (v: string | undefined, d: number) => (v && Number.isFinite(Number(v)) && Number(v) > 0 ? Number(v) : d);
  return {
    maxStreams: Math.floor(num(env.CAMFLEET_LIVE_MAX_STREAMS, 10)),
    idleMs: num(env.CAMFLEET_LIVE_IDLE_S, 30) * 1000,
    startTimeoutMs: num(env.CAMFLEET_LIVE_START_S, 20) * 1000,
    ...(env.CAMFLEET_LIVE_INGEST_BASE ? { ingestBase: env.CAMFLEET_LIVE_INGEST_BASE } : {}),
  };
}

const Params = Type.Object({ site: IdSchema, device: IdSchema });
const VIEW_PATH = /^\/live\/([^/?]+)\/([^/?]+)\/?(?:\?.*)?$/;

export default async function liveView(app: FastifyInstance, opts: { core: Core; config?: LiveConfig }) {
  const { core } = opts;
  const config = opts.config ?? liveConfigFromEnv();
  const hub = new LiveHub({
    maxStreams: config.maxStreams,
    idleMs: config.idleMs,
    startTimeoutMs: config.startTimeoutMs,
    request: (site, name, device, timeoutMs, extra) => core.commands.request(site, name, device, timeoutMs, 'live', extra),
    log: (msg) => app.log.info(msg),
  });
  core.metrics.gauge('camfleet_live_streams', 'Live-view camera streams running', () => hub.activeStreams());
  core.metrics.gauge('camfleet_live_viewers', 'Live-view viewers connected', () => hub.viewers());

  // Why a device cannot be viewed now, or undefined.
  const unavailable = (site: string, device: string): { code: string; message: string } | undefined => {
    if (!core.fleet.siteStatus(site)) return { code: 'unknown-site', message: `No site "${site}".` };
    if (!core.fleet.deviceStatus(site, device)) return { code: 'unknown-device', message: `No device "${device}" at site "${site}".` };
    if (core.fleet.siteStatus(site)?.agent === 'offline') return { code: 'agent-offline', message: `The agent of site "${site}" is offline.` };
    if (!core.ingest?.connected()) return { code: 'broker-unavailable', message: 'The server is not connected to the MQTT broker.' };
    return undefined;
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const m = VIEW_PATH.exec(req.url ?? '');
    if (!m || m[1] === 'ingest') return; // not ours (socket.io handles /socket.io)
    let site: string, device: string;
    try {
      site = decodeURIComponent(m[1]!);
      device = decodeURIComponent(m[2]!);
    } catch {
      socket.destroy();
      return;
    }
    // Upgrades bypass Fastify's hooks: check the login here (issue 8 §1: a viewer at least), and refuse a
    // page of another site opening the socket with our cookie (cross-site WebSocket hijacking).
    const refuse = (status: number, code: string, message: string) => {
      const body = JSON.stringify({ error: { code, message } });
      socket.end(`HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    socket.on('error', () => socket.destroy());
    const origin = req.headers.origin;
    if (origin && !sameHost(origin, req.headers.host)) return refuse(403, 'cross-origin', 'This request came from another site; it was refused.');
    app.auth.principalFrom(req.headers).then((who) => {
      if (!who) return refuse(401, 'unauthenticated', 'Log in first.');
      if (socket.destroyed) return;
      accept(req, socket, head, site, device);
    }, () => refuse(401, 'unavailable', 'The login could not be checked; try again.'));
  };
  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, site: string, device: string) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      const bad = !Value.Check(IdSchema, site) || !Value.Check(IdSchema, device)
        ? { code: 'bad-request', message: 'Invalid site or device id.' }
        : unavailable(site, device);
      if (bad) {
        ws.send(JSON.stringify({ type: 'error', ...bad }));
        ws.close(bad.code === 'bad-request' ? CLOSE.badRequest : CLOSE.unavailable, bad.code);
        return;
      }
      const base = config.ingestBase ?? `http://${req.headers.host ?? '127.0.0.1'}`;
      hub.addViewer(site, device, ws, base);
    });
  };
  app.server.on('upgrade', onUpgrade);
  function sameHost(origin: string, host: string | undefined): boolean {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  app.addHook('preClose', async () => {
    app.server.off('upgrade', onUpgrade);
    hub.close();
    for (const c of wss.clients) c.terminate();
    wss.close();
  });

  // The agent's MPEG-TS: the body stays a stream (no body limit applies; the hub cuts it when done).
  // The agent has no login: the one-time token in the path, bound to one site and device and valid for
  // the start timeout, is its credential — so the route is public to the login check.
  app.register(async (scope) => {
    scope.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    scope.post('/live/ingest/:token', { schema: { hide: true }, config: { access: 'public', audit: false } }, async (req, reply) => {
      const { token } = req.params as { token: string };
      const body = req.body as Readable | undefined;
      if (!body || typeof body.on !== 'function') throw new ApiError('unsupported-media-type', 'Send the video as application/octet-stream.');
      // The connection is ours from here: the hub cuts it to tell the agent to stop its ffmpeg.
      reply.hijack();
      const sink = hub.attachIngest(token, { cut: () => req.raw.socket.destroy() });
      if (!sink) {
        reply.raw.writeHead(404, { connection: 'close' }).end();
        req.raw.socket.destroy();
        return;
      }
      await new Promise<void>((resolve) => {
        body.on('data', (c: Buffer) => sink.push(c));
        body.once('end', resolve);
        body.once('error', () => resolve());
        body.once('close', () => resolve());
        req.raw.socket.once('close', () => resolve());
      });
      sink.done();
      if (!req.raw.socket.destroyed) reply.raw.writeHead(204, { connection: 'close' }).end();
    });
  });

  app.get('/api/v1/sites/:site/devices/:device/snapshot', {
    schema: {
      tags: ['commands'],
      summary: 'One downscaled JPEG frame of a camera, grabbed by its site agent (low-bandwidth live view)',
      params: Params,
    },
  }, async (req, reply) => {
    const { site, device } = req.params as { site: string; device: string };
    const bad = unavailable(site, device);
    if (bad) throw new ApiError(bad.code as 'unknown-site' | 'unknown-device' | 'agent-offline' | 'broker-unavailable', bad.message, bad.code === 'unknown-device' ? 'device' : 'site');
    let result: CommandResult;
    try {
      result = await core.commands.request(site, 'snapshot', device, 25_000, `api:${req.ip}`);
    } catch {
      throw new ApiError('broker-unavailable');
    }
    if (!result.ok && result.code === 'timeout') throw new ApiError('command-timeout', `No snapshot from the agent of site "${site}" within 25 s.`, undefined, { result });
    if (!result.ok || !result.jpeg) throw new ApiError('command-failed', `The agent could not grab a snapshot of "${device}": ${result.message ?? result.code ?? 'failed'}`, undefined, { result });
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(Buffer.from(result.jpeg, 'base64'));
  });
}
