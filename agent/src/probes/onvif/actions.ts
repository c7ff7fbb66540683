// On-demand ONVIF operations (not part of the periodic probe): media URIs and reboot.
import type { CamProfile } from 'onvif';
import type { AgentDevice } from '../../config/types.ts';
import { OnvifError, withSession, type OnvifSession } from './session.ts';

export const DEFAULT_ACTION_TIMEOUT_MS = 10_000;

export interface OnvifActionOptions {
  /** Deadline for the whole operation (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface OnvifProfileUris {
  profileToken: string;
  name?: string;
  /** RTSP (RTP over RTSP/TCP) unicast URI. */
  streamUri?: string;
  /** Absent when the camera has no snapshot support for the profile. */
  snapshotUri?: string;
}

/** GetProfiles, then GetStreamUri and GetSnapshotUri (Media service, ver10) for every profile. */
export function getStreamUris(device: AgentDevice, opts: OnvifActionOptions = {}): Promise<OnvifProfileUris[]> {
  return withSession(device, sessionOptions(opts), async (s) => {
    const cam = s.cam;
    await s.call((cb) => cam.getSystemDateAndTime(cb)); // sets the clock offset the UsernameToken's Created uses
    await locateMediaService(s);
    const { data: profiles, xml } = await s.call<CamProfile[]>((cb) => cam.getProfiles(cb));
    const rawTokens = [...xml.matchAll(/<(?:[\w.-]+:)?Profiles\s[^>]*?\btoken="([^"]*)"/g)].map((m) => m[1]);
    const result: OnvifProfileUris[] = [];
    for (const [i, profile] of (profiles ?? []).entries()) {
      // Tokens from the raw XML when they line up: the parsed ones are numbers when they look like one ("001" → 1).
      const profileToken = rawTokens.length === profiles?.length ? rawTokens[i] : asText(profile.$?.token ?? profile.token);
      if (!profileToken) continue;
      const stream = await s.call<{ uri?: unknown }>((cb) => cam.getStreamUri({ profileToken, protocol: 'RTSP', stream: 'RTP-Unicast' }, cb));
      // Snapshots are optional in Profile S: a SOAP fault just means "none".
      const snapshot = await s
        .call<{ uri?: unknown }>((cb) => cam.getSnapshotUri({ profileToken }, cb))
        .catch((err: unknown) => {
          if (err instanceof OnvifError && err.code === 'onvif-fault') return { data: undefined };
          throw err;
        });
      const entry: OnvifProfileUris = { profileToken };
      const name = asText(profile.name);
      const streamUri = asText(stream.data?.uri);
      const snapshotUri = asText(snapshot.data?.uri);
      if (name) entry.name = name;
      if (streamUri) entry.streamUri = streamUri;
      if (snapshotUri) entry.snapshotUri = snapshotUri;
      result.push(entry);
    }
    return result;
  });
}

/**
 * SystemReboot. It is a Device-service operation (devicemgmt.wsdl), but onvif 0.8.3 posts it to the
 * DeviceIO service address and, when none is known, to the literal path "deviceIO"; so it is always
 * pointed at the device service here (no GetCapabilities round trip needed). Resolves once the camera
 * has acknowledged; the camera then goes away for a while.
 */
export function rebootCamera(device: AgentDevice, opts: OnvifActionOptions = {}): Promise<{ message: string }> {
  return withSession(device, sessionOptions(opts), async (s) => {
    const cam = s.cam;
    await s.call((cb) => cam.getSystemDateAndTime(cb));
    s.setServicePath('deviceIO', s.devicePath);
    const { data } = await s.call<unknown>((cb) => cam.systemReboot(cb));
    return { message: asText(data) ?? '' };
  });
}

/** Fills cam.uri.media from GetCapabilities, or GetServices when the camera faults on the former. */
async function locateMediaService(s: OnvifSession): Promise<void> {
  const cam = s.cam;
  try {
    await s.call((cb) => cam.getCapabilities(cb));
  } catch (err) {
    if (!(err instanceof OnvifError && err.code === 'onvif-fault')) throw err;
    await s.call((cb) => cam.getServices(true, cb));
  }
  if (!cam.uri?.media && !(cam.media2Support && cam.uri?.media2)) {
    throw new OnvifError('onvif-no-media', `${s.target}: camera advertises no media service`, true);
  }
}

function sessionOptions(opts: OnvifActionOptions): { timeoutMs: number; signal?: AbortSignal } {
  return { timeoutMs: opts.timeoutMs ?? DEFAULT_ACTION_TIMEOUT_MS, ...(opts.signal ? { signal: opts.signal } : {}) };
}

/** The package's parser turns numeric-looking text into numbers; tokens and names are text. */
function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v && typeof v === 'object' && '_' in v) return asText((v as { _: unknown })._);
  return undefined;
}
