// A hand-written RTSP peer on loopback for what the GStreamer simulator cannot be made to do: accept and
// never answer, describe a stream without video, set up and PLAY a stream whose media never flows, answer
// with something that is not RTSP, or challenge with qop=auth Digest (RFC 2617 §3.2.1) and check the
// answer independently of the agent's code.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

export type FakeRtspBehaviour = 'mute' | 'audio-only' | 'no-media' | 'not-rtsp' | 'digest-qop';

export interface FakeRtspServer {
  readonly port: number;
  url(path?: string): string;
  /** Every request received: first line and headers (names lower case). */
  readonly requests: { line: string; headers: Record<string, string> }[];
  close(): Promise<void>;
}

const SDP_VIDEO = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=fake', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=control:track1', ''];
const SDP_AUDIO = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=fake', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 0 RTP/AVP 0', 'a=control:track1', ''];

function parseAuth(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of value.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  return out;
}

export async function startFakeRtspServer(opts: { behaviour: FakeRtspBehaviour; username?: string; password?: string }): Promise<FakeRtspServer> {
  const requests: FakeRtspServer['requests'] = [];
  const sockets = new Set<net.Socket>();
  const nonce = randomBytes(8).toString('hex');
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');

  /** RFC 2617 §3.2.2.1 with qop=auth, computed here on its own. */
  const authorized = (method: string, header: string | undefined): boolean => {
    if (!header) return false;
    const a = parseAuth(header);
    const ha1 = md5(`${opts.username}:fake-realm:${opts.password}`);
    const expected = md5(`${ha1}:${nonce}:${a.nc}:${a.cnonce}:auth:${md5(`${method}:${a.uri}`)}`);
    return a.username === opts.username && a.nonce === nonce && a.qop === 'auth' && a.opaque === 'op4que' && a.response === expected;
  };

  const answer = (method: string, headers: Record<string, string>): string | undefined => {
    const cseq = headers.cseq ?? '0';
    const reply = (status: string, extra: string[] = [], body = '') =>
      [`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, ...extra, ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []), '', body].join('\r\n');
    const sdp = (lines: string[]) => reply('200 OK', ['Content-Type: application/sdp'], lines.join('\r\n'));
    switch (opts.behaviour) {
      case 'mute':
        return undefined;
      case 'not-rtsp':
        return 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n';
      case 'audio-only':
        return method === 'DESCRIBE' ? sdp(SDP_AUDIO) : reply('200 OK', ['Public: OPTIONS, DESCRIBE']);
      case 'digest-qop':
        if (method !== 'DESCRIBE') return reply('200 OK', ['Public: OPTIONS, DESCRIBE']);
        if (authorized(method, headers.authorization)) return sdp(SDP_VIDEO);
        return reply('401 Unauthorized', [
          'WWW-Authenticate: Basic realm="fake-realm"',
          `WWW-Authenticate: Digest realm="fake-realm", nonce="${nonce}", qop="auth,auth-int", opaque="op4que", algorithm=MD5`,
        ]);
      case 'no-media':
        if (method === 'DESCRIBE') return sdp(SDP_VIDEO);
        if (method === 'SETUP') return reply('200 OK', ['Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'Session: 4242;timeout=60']);
        return reply('200 OK', ['Session: 4242', 'Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN']); // PLAY: then silence
    }
  };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const [line = '', ...rest] = buf.slice(0, end).split('\r\n');
        buf = buf.slice(end + 4);
        const headers: Record<string, string> = {};
        for (const h of rest) {
          const i = h.indexOf(':');
          if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
        }
        requests.push({ line, headers });
        const out = answer(line.split(' ')[0] ?? '', headers);
        if (out !== undefined) socket.write(out);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: (p = '/stream') => `rtsp://127.0.0.1:${port}${p}`,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
