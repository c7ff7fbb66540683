// REST calls the views make (same origin, cookies sent). The live state itself comes over socket.io (fleet store).
import type { DeviceStatus, SiteSpec, SiteStatus } from '@camfleet/shared';

export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const body = (await res.json()) as { message?: unknown; error?: { message?: unknown } };
      const m = body.error?.message ?? body.message;
      if (typeof m === 'string') message = m;
    } catch {
      /* not JSON */
    }
    throw new ApiRequestError(message, res.status);
  }
  return (await res.json()) as T;
}

const enc = encodeURIComponent;

/**
 * GET /api/v1/sites/:site. `spec` (the site's inventory: vendor, model, serial, purchase/ship dates of each device)
 * is read when the server sends it; today's server does not, and the views say so where they need it.
 */
export interface SiteDetail {
  site: SiteStatus;
  devices: DeviceStatus[];
  spec?: SiteSpec;
}

export function fetchSite(site: string, signal?: AbortSignal): Promise<SiteDetail> {
  return getJson<SiteDetail>(`/api/v1/sites/${enc(site)}`, signal);
}

/** One stored sample: `at` plus numeric fields (reachable 0/1, behindParent, latencyMs, lossPct, clockDriftS, rsrp, …). */
export type HistorySample = { at: string } & Record<string, number | string>;

export interface History {
  site: string;
  device: string;
  from: string;
  to: string;
  samples: HistorySample[];
  /** When the server already averaged the samples into buckets (long ranges): the bucket width in ms. */
  stepMs?: number;
}

export function fetchHistory(site: string, device: string, from: number, to: number, signal?: AbortSignal): Promise<History> {
  const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString() });
  return getJson<History>(`/api/v1/sites/${enc(site)}/devices/${enc(device)}/history?${q}`, signal);
}
