// RTSP probe failures: a stable code, a message for a person (no credentials, no stack) and the
// condition it means for the device.
import type { Condition } from '@camfleet/shared';

export type RtspErrorCode =
  | 'rtsp-refused'
  | 'rtsp-timeout'
  | 'rtsp-unreachable'
  | 'rtsp-dns'
  | 'rtsp-reset'
  | 'rtsp-bad-response'
  | 'rtsp-status'
  | 'rtsp-no-video'
  | 'rtsp-config'
  | 'auth-failed'
  | 'frame-failed'
  | 'ffmpeg-missing';

/** Which condition each code raises; `reachable` is false exactly for 'unreachable'. */
const CONDITION: Record<RtspErrorCode, Condition | undefined> = {
  'rtsp-refused': 'unreachable',
  'rtsp-timeout': 'unreachable',
  'rtsp-unreachable': 'unreachable',
  'rtsp-dns': 'unreachable',
  'rtsp-config': 'unreachable',
  // The camera answered TCP, then: no usable RTSP answer, an error status, no video, no frame.
  'rtsp-reset': 'stream-down',
  'rtsp-bad-response': 'stream-down',
  'rtsp-status': 'stream-down',
  'rtsp-no-video': 'stream-down',
  'frame-failed': 'stream-down',
  'auth-failed': 'auth-failed',
  // The gateway lacks ffmpeg: nothing is wrong with the camera.
  'ffmpeg-missing': undefined,
};

export class RtspError extends Error {
  constructor(
    readonly code: RtspErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RtspError';
  }

  get condition(): Condition | undefined {
    return CONDITION[this.code];
  }

  get reachable(): boolean {
    return this.condition !== 'unreachable';
  }
}

/** Socket errors while connecting or talking, by errno. */
export const SOCKET_ERRORS: Record<string, [RtspErrorCode, string]> = {
  ECONNREFUSED: ['rtsp-refused', 'connection refused'],
  ETIMEDOUT: ['rtsp-timeout', 'connection timed out'],
  EHOSTUNREACH: ['rtsp-unreachable', 'host unreachable'],
  ENETUNREACH: ['rtsp-unreachable', 'network unreachable'],
  EHOSTDOWN: ['rtsp-unreachable', 'host down'],
  ENETDOWN: ['rtsp-unreachable', 'network down'],
  ENOTFOUND: ['rtsp-dns', 'host name does not resolve'],
  EAI_AGAIN: ['rtsp-dns', 'host name does not resolve'],
  ECONNRESET: ['rtsp-reset', 'connection reset'],
  ECONNABORTED: ['rtsp-reset', 'connection reset'],
  EPIPE: ['rtsp-reset', 'connection reset'],
};

/** Peer-supplied text on one line, printable, capped, with the password masked should it be echoed. */
export function cleanText(text: string, secret: string | undefined, max = 120): string {
  let t = text;
  if (secret) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) t = t.split(form).join('***');
  }
  t = t.replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
