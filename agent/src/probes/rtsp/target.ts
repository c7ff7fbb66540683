// Where the RTSP probe goes: an absolute rtsp:// URI (RFC 2326 §3.2) without credentials, the socket
// address, and the credentials kept apart from both. `label` is what messages may show.
import type { AgentDevice } from '../../config/types.ts';

export const DEFAULT_RTSP_PORT = 554; // RFC 2326 §3.2
export const DEFAULT_RTSPS_PORT = 322; // RFC 7826 §26.1 (RTSP over TLS)

export interface RtspTarget {
  secure: boolean;
  /** For net/tls connect: no brackets around an IPv6 literal. */
  host: string;
  port: number;
  /** Absolute Request-URI, never carrying userinfo. */
  uri: string;
  /** host:port/path for messages (no userinfo, no query: some cameras take credentials there). */
  label: string;
  username?: string;
  password?: string;
}

/** An invalid rtsp block; the message names no credentials. */
export class RtspTargetError extends Error {}

export function rtspTarget(device: AgentDevice): RtspTarget {
  const s = device.rtsp ?? {};
  let url: URL;
  try {
    url = new URL(s.url ?? `rtsp://${bracket(device.address ?? '')}:${s.port ?? DEFAULT_RTSP_PORT}${s.path ?? '/'}`);
  } catch {
    throw new RtspTargetError(`device ${device.id}: the rtsp block gives no valid rtsp:// URL`);
  }
  if ((url.protocol !== 'rtsp:' && url.protocol !== 'rtsps:') || url.hostname === '') {
    throw new RtspTargetError(`device ${device.id}: the rtsp block gives no valid rtsp:// URL`);
  }
  const secure = url.protocol === 'rtsps:';
  const port = url.port ? Number(url.port) : secure ? DEFAULT_RTSPS_PORT : DEFAULT_RTSP_PORT;
  // Credentials written into the URL count when the block names none of its own.
  const username = s.username ?? (url.username ? safeDecode(url.username) : undefined);
  const password = s.password ?? (url.password ? safeDecode(url.password) : undefined);
  url.username = '';
  url.password = '';
  const target: RtspTarget = {
    secure,
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    uri: url.href,
    label: `${url.hostname}:${port}${url.pathname || '/'}`,
  };
  if (username !== undefined) target.username = username;
  if (password !== undefined) target.password = password;
  return target;
}

/** The URI with the credentials as userinfo (RFC 3986 §3.2.1, percent-encoded): for ffmpeg only. */
export function uriWithCredentials(target: RtspTarget): string {
  if (target.username === undefined) return target.uri;
  const userinfo = `${encodeURIComponent(target.username)}:${encodeURIComponent(target.password ?? '')}@`;
  return target.uri.replace(/^(rtsps?:\/\/)/, `$1${userinfo}`);
}

function bracket(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
