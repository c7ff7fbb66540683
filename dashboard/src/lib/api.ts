// REST calls the views make (same origin, cookies sent). The live state itself comes over socket.io (fleet store).
import type { CaseLogEntry, CaseRecord, CaseState, DeviceStatus, NotificationRecord, SiteSpec, SiteStatus } from '@camfleet/shared';

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
  if (!res.ok) throw new ApiRequestError(await errorMessage(res), res.status);
  return (await res.json()) as T;
}

async function errorMessage(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { message?: unknown; error?: { message?: unknown } };
    const m = body.error?.message ?? body.message;
    if (typeof m === 'string') return m;
  } catch {
    /* not JSON */
  }
  return `HTTP ${res.status}`;
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

// Cases (docs/cases.md). Lists carry the whole record (summary + guidance); one case adds its log and deliveries.
export type CaseWithLog = CaseRecord & { log: CaseLogEntry[]; notifications: NotificationRecord[] };
export type CaseListState = CaseState | 'active';

/** Max page of GET /api/v1/cases. */
export const CASES_PAGE = 1000;

export function fetchCases(
  q: { state?: CaseListState; site?: string; limit?: number; before?: number },
  signal?: AbortSignal,
): Promise<{ cases: CaseRecord[] }> {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  return getJson<{ cases: CaseRecord[] }>(`/api/v1/cases?${p}`, signal);
}

/** Every case in a state, paging from the newest (`before` = smallest id of the last page). */
export async function fetchAllCases(state: CaseListState, signal?: AbortSignal, max = 10_000): Promise<CaseRecord[]> {
  const out: CaseRecord[] = [];
  let before: number | undefined;
  for (;;) {
    const { cases } = await fetchCases({ state, limit: CASES_PAGE, ...(before ? { before } : {}) }, signal);
    out.push(...cases);
    if (cases.length < CASES_PAGE || out.length >= max) return out;
    before = Math.min(...cases.map((c) => c.id));
  }
}

export function fetchCase(id: number, signal?: AbortSignal): Promise<CaseWithLog> {
  return getJson<CaseWithLog>(`/api/v1/cases/${id}`, signal);
}

export type CaseAction = 'ack' | 'comment' | 'assign' | 'resolve';

/** POST /api/v1/cases/:id/<action> with `actor`; returns the changed case. */
export async function postCaseAction(id: number, action: CaseAction, body: Record<string, string>): Promise<CaseRecord> {
  const res = await fetch(`/api/v1/cases/${id}/${action}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new ApiRequestError(await errorMessage(res), res.status);
  return (await res.json()) as CaseRecord;
}

/** GET /api/v1/sites/:site/devices/:device/events — the agent's events for one device, newest first. */
export interface DeviceEventRecord {
  at: string;
  kind: 'state-change' | 'reboot' | 'analysis' | 'outbox-dropped' | 'config-reloaded';
  device: string | null;
  data: Record<string, unknown> | null;
}

export async function fetchDeviceEvents(site: string, device: string, signal?: AbortSignal): Promise<DeviceEventRecord[]> {
  return (await getJson<{ events: DeviceEventRecord[] }>(`/api/v1/sites/${enc(site)}/devices/${enc(device)}/events?limit=50`, signal)).events;
}
