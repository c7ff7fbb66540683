// The control-plane half of the RTSP check: OPTIONS (RFC 2326 §10.1) to see an RTSP server answer, then
// DESCRIBE (§10.2) of the absolute URI asking for SDP (§12.3 Accept). A 401 (§11.3.13) is answered once
// with credentials computed from its challenge (RFC 2617 §3.2.2); a second 401 means wrong credentials.
import { headerValue, RtspConnection, type RtspResponse } from './connection.ts';
import { Authenticator, parseChallenges } from './digest.ts';
import { RtspError } from './errors.ts';
import type { RtspTarget } from './target.ts';

export interface DescribeResult {
  /** The session description (RFC 4566) of the stream. */
  sdp: string;
  /** Round trip of the DESCRIBE that was answered 200, in ms. */
  rtspMs: number;
}

/** Resolves for a stream whose SDP has a video medium; throws a classified RtspError otherwise. */
export async function describeStream(target: RtspTarget, deadline: number, signal?: AbortSignal): Promise<DescribeResult> {
  const conn = new RtspConnection(target, deadline, signal);
  const creds = target.username === undefined ? undefined : { username: target.username, password: target.password ?? '' };
  const auth = new Authenticator(creds);
  try {
    // Any RTSP answer will do: some cameras refuse OPTIONS without credentials, and none needs its Public list.
    await conn.request('OPTIONS');
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { Accept: 'application/sdp' };
      const authorization = auth.header('DESCRIBE', target.uri);
      if (authorization) headers.Authorization = authorization;
      const t0 = performance.now();
      const res = await conn.request('DESCRIBE', headers);
      const rtspMs = Math.round(performance.now() - t0);
      if (res.status !== 401) return described(target, res, rtspMs);
      if (!creds) throw new RtspError('auth-failed', `${target.label}: camera requires RTSP credentials and none are configured`);
      if (attempt > 0) throw new RtspError('auth-failed', `${target.label}: camera rejected the RTSP credentials`);
      const accepted = auth.accept(parseChallenges(res.headers.get('www-authenticate') ?? []));
      if (!accepted.ok) {
        throw new RtspError('auth-failed', `${target.label}: camera offers no supported authentication (${accepted.offered.slice(0, 60)})`);
      }
    }
  } finally {
    conn.close();
  }
}

function described(target: RtspTarget, res: RtspResponse, rtspMs: number): DescribeResult {
  if (res.status < 200 || res.status > 299) {
    // 404 no such stream, 454, 503 (encoder / media not preparable), redirects: the stream is not there.
    throw new RtspError('rtsp-status', `${target.label}: DESCRIBE answered ${res.status}${res.reason ? ` ${res.reason}` : ''}`);
  }
  const type = headerValue(res, 'content-type') ?? 'application/sdp';
  // RFC 4566 §5.14: one "m=" line per medium; the camera must offer video.
  if (!/^application\/sdp\b/i.test(type) || !/^m=video[ \t]/m.test(res.body)) {
    throw new RtspError('rtsp-no-video', `${target.label}: DESCRIBE answered without a video stream`);
  }
  return { sdp: res.body, rtspMs };
}
