// The socket.io contract shared by server and dashboard (one typed Events interface, immich-style).
import { Type, type Static } from '@sinclair/typebox';
import type { CaseSummary } from './cases.ts';
import { ConditionSchema } from './conditions.ts';
import { DeviceInfoSchema } from './mqtt.ts';
import { SegmentSchema } from './segments.ts';

export const DEVICE_STATES = ['DOWN', 'UNREACHABLE', 'UNKNOWN', 'STALE', 'UP'] as const;
export type DeviceState = (typeof DEVICE_STATES)[number];
/** Worst first: a site's state is the worst of its devices'. */
export const STATE_SEVERITY: Record<DeviceState, number> = { DOWN: 4, UNREACHABLE: 3, UNKNOWN: 2, STALE: 1, UP: 0 };
export const DeviceStateSchema = Type.Union(DEVICE_STATES.map((s) => Type.Literal(s)));

export const AGENT_PRESENCE = ['online', 'offline', 'unknown'] as const;
export type AgentPresence = (typeof AGENT_PRESENCE)[number];

export const DeviceStatusSchema = Type.Object({
  site: Type.String(),
  device: Type.String(),
  segment: Type.Optional(SegmentSchema),
  parent: Type.Optional(Type.String()),
  name: Type.Optional(Type.String()),
  state: DeviceStateSchema,
  /** ISO time the device entered `state`. */
  since: Type.String(),
  /** ISO time of the last sample received for it. */
  lastSample: Type.Optional(Type.String()),
  conditions: Type.Array(ConditionSchema),
  latencyMs: Type.Optional(Type.Number()),
  info: Type.Optional(DeviceInfoSchema),
  error: Type.Optional(Type.String()),
  /** Cameras: where the latest frame's thumbnail is served (same-origin path, JPEG) and when it was grabbed. */
  thumbnail: Type.Optional(Type.Object({ url: Type.String(), at: Type.String() })),
});
export type DeviceStatus = Static<typeof DeviceStatusSchema>;

export const SiteStatusSchema = Type.Object({
  site: Type.String(),
  name: Type.Optional(Type.String()),
  region: Type.Optional(Type.String()),
  agent: Type.Union(AGENT_PRESENCE.map((p) => Type.Literal(p))),
  agentSince: Type.String(),
  worst: DeviceStateSchema,
  /** The device whose fault explains the others (topology root cause), if any. */
  rootCause: Type.Optional(Type.String()),
  deviceCount: Type.Integer(),
});
export type SiteStatus = Static<typeof SiteStatusSchema>;

export type FleetSummary = { sites: number; devices: number; byState: Record<DeviceState, number>; at: string };

export interface FleetSnapshot {
  sites: SiteStatus[];
  devices: DeviceStatus[];
  summary: FleetSummary;
}

export interface ServerToClientEvents {
  /** Sent on connect and on every reconnect: the whole picture, then deltas. */
  'fleet:snapshot': (snapshot: FleetSnapshot) => void;
  /** Coalesced device changes (at most one entry per device per second). */
  'devices:update': (devices: DeviceStatus[]) => void;
  'sites:update': (sites: SiteStatus[]) => void;
  'fleet:summary': (summary: FleetSummary) => void;
  /** Cases that changed (opened, refreshed, acknowledged, resolved, …), coalesced once a second. */
  'cases:update': (cases: CaseSummary[]) => void;
  /** After 'site:subscribe': the site's status and devices, then 'site:update' deltas for that room. */
  'site:snapshot': (snapshot: SiteSnapshot) => void;
  /** Coalesced changes of one subscribed site (at most one entry per device per second). */
  'site:update': (update: SiteUpdate) => void;
}

export interface SiteSnapshot {
  site: string;
  /** null when the server knows no such site (yet). */
  status: SiteStatus | null;
  devices: DeviceStatus[];
}

export interface SiteUpdate {
  site: string;
  status?: SiteStatus;
  devices: DeviceStatus[];
}

export interface ClientToServerEvents {
  /** Ask again for a snapshot (e.g. after the tab was hidden for long). */
  'fleet:resync': () => void;
  /** Join the room of one site (snapshot, then its deltas); a client may join several. */
  'site:subscribe': (site: string) => void;
  'site:unsubscribe': (site: string) => void;
  /** Every client starts in the fleet room (all device and site deltas); a site-only view may leave it. */
  'fleet:unsubscribe': () => void;
  'fleet:subscribe': () => void;
}

export type { Static };
