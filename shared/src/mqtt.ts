// MQTT topics and payloads — DESIGN.md §3. Every payload is JSON, versioned (v: 1) and validated on receipt.
import { Type, type Static } from '@sinclair/typebox';
import { ConditionSchema } from './conditions.ts';
import { IdSchema, SiteSpecSchema } from './site.ts';

export const TOPIC_ROOT = 'camfleet/v1';
/** Largest payload the server accepts; the agent splits batches to stay under it. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

export const MESSAGE_KINDS = ['state', 'telemetry', 'event', 'inventory', 'cmd', 'cmd-result'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export const topics = {
  state: (site: string) => `${TOPIC_ROOT}/${site}/agent/state`,
  telemetry: (site: string) => `${TOPIC_ROOT}/${site}/telemetry`,
  event: (site: string) => `${TOPIC_ROOT}/${site}/event`,
  inventory: (site: string) => `${TOPIC_ROOT}/${site}/inventory`,
  cmd: (site: string, name: string) => `${TOPIC_ROOT}/${site}/cmd/${name}`,
  cmdResult: (site: string, name: string) => `${TOPIC_ROOT}/${site}/cmd/${name}/result`,
  /** The server's subscriptions (everything an agent publishes). */
  agentPublished: [
    `${TOPIC_ROOT}/+/agent/state`,
    `${TOPIC_ROOT}/+/telemetry`,
    `${TOPIC_ROOT}/+/event`,
    `${TOPIC_ROOT}/+/inventory`,
    `${TOPIC_ROOT}/+/cmd/+/result`,
  ],
} as const;

export interface ParsedTopic {
  site: string;
  kind: MessageKind;
  command?: string;
}

const SITE_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Parses a camfleet topic; null for anything outside the v1 tree or with a malformed site id. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length < 4 || parts[0] !== 'camfleet' || parts[1] !== 'v1') return null;
  const site = parts[2]!;
  if (!SITE_RE.test(site)) return null;
  const rest = parts.slice(3).join('/');
  if (rest === 'agent/state') return { site, kind: 'state' };
  if (rest === 'telemetry' || rest === 'event' || rest === 'inventory') return { site, kind: rest };
  if (parts[3] === 'cmd' && parts.length === 5) return { site, kind: 'cmd', command: parts[4]! };
  if (parts[3] === 'cmd' && parts.length === 6 && parts[5] === 'result') {
    return { site, kind: 'cmd-result', command: parts[4]! };
  }
  return null;
}

const Iso = Type.String({ format: 'date-time', maxLength: 40 });

/** Retained presence: birth ('online') on connect, last will ('offline') on loss. */
export const AgentStateSchema = Type.Object({
  v: Type.Literal(1),
  site: IdSchema,
  agent: Type.String({ maxLength: 100 }),
  state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
  at: Iso,
  version: Type.Optional(Type.String({ maxLength: 40 })),
  /** Why the agent went offline when it says so itself ('shutdown'); a last will carries 'connection-lost'. */
  reason: Type.Optional(Type.String({ maxLength: 100 })),
});
export type AgentState = Static<typeof AgentStateSchema>;

export const DeviceInfoSchema = Type.Object({
  vendor: Type.Optional(Type.String({ maxLength: 100 })),
  model: Type.Optional(Type.String({ maxLength: 100 })),
  firmware: Type.Optional(Type.String({ maxLength: 100 })),
  serial: Type.Optional(Type.String({ maxLength: 100 })),
  hardwareId: Type.Optional(Type.String({ maxLength: 100 })),
});
export type DeviceInfo = Static<typeof DeviceInfoSchema>;

/**
 * Largest thumbnail a sample may carry, in base64 characters. The agent aims at ≤ 20,000 (320 px, JPEG q60,
 * docs/image-health.md); this hard cap keeps any one sample far below MAX_PAYLOAD_BYTES.
 */
export const MAX_THUMBNAIL_BASE64 = 64 * 1024;

/** A small JPEG of the camera's latest grabbed frame (docs/image-health.md §5); never stored as history. */
export const SampleThumbnailSchema = Type.Object({
  mime: Type.Literal('image/jpeg'),
  /** When the frame was grabbed. */
  at: Iso,
  width: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
  height: Type.Optional(Type.Integer({ minimum: 1, maximum: 4096 })),
  base64: Type.String({ minLength: 4, maxLength: MAX_THUMBNAIL_BASE64 }),
});
export type SampleThumbnail = Static<typeof SampleThumbnailSchema>;

/** One device's result for one poll cycle. */
export const DeviceSampleSchema = Type.Object({
  device: IdSchema,
  /** Sample time (when the probe finished). */
  at: Iso,
  reachable: Type.Boolean(),
  /** The device was not probed because its parent is unreachable this cycle. */
  behindParent: Type.Optional(Type.Boolean()),
  conditions: Type.Array(ConditionSchema, { maxItems: 16 }),
  /** Numeric measurements: latencyMs, lossPct, clockDriftS, rsrp, sharpnessRatio, … */
  metrics: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Number(), { maxProperties: 64 })),
  info: Type.Optional(DeviceInfoSchema),
  /** Short, user-facing reason when a probe failed (never a stack trace, never a credential). */
  error: Type.Optional(
    Type.Object({ code: Type.String({ maxLength: 60 }), message: Type.String({ maxLength: 300 }) }),
  ),
  /** Cameras: the latest frame, at most every image.thumbnailEveryS and when an image verdict changes. */
  thumbnail: Type.Optional(SampleThumbnailSchema),
});
export type DeviceSample = Static<typeof DeviceSampleSchema>;

export const TelemetryBatchSchema = Type.Object({
  v: Type.Literal(1),
  site: IdSchema,
  agent: Type.String({ maxLength: 100 }),
  /** Persisted, strictly increasing per agent; the server drops (site, seq) duplicates. */
  seq: Type.Integer({ minimum: 1 }),
  at: Iso,
  samples: Type.Array(DeviceSampleSchema, { maxItems: 2000 }),
});
export type TelemetryBatch = Static<typeof TelemetryBatchSchema>;

export const AgentEventSchema = Type.Object({
  v: Type.Literal(1),
  site: IdSchema,
  agent: Type.String({ maxLength: 100 }),
  seq: Type.Integer({ minimum: 1 }),
  at: Iso,
  kind: Type.Union([
    Type.Literal('state-change'),
    Type.Literal('reboot'),
    Type.Literal('analysis'),
    Type.Literal('outbox-dropped'),
    Type.Literal('config-reloaded'),
  ]),
  device: Type.Optional(IdSchema),
  data: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Unknown(), { maxProperties: 64 })),
});
export type AgentEvent = Static<typeof AgentEventSchema>;

/** Inventory (retained): the site config as the agent loaded it, without credentials. */
export const InventorySchema = Type.Object({
  v: Type.Literal(1),
  agent: Type.String({ maxLength: 100 }),
  at: Iso,
  site: SiteSpecSchema,
});
export type Inventory = Static<typeof InventorySchema>;

export const COMMAND_NAMES = ['reboot', 'snapshot', 'reload', 'live-start', 'live-stop'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const CommandSchema = Type.Object({
  v: Type.Literal(1),
  id: Type.String({ minLength: 1, maxLength: 64 }),
  at: Iso,
  device: Type.Optional(IdSchema),
  requestedBy: Type.Optional(Type.String({ maxLength: 100 })),
  /** live-start: where the agent streams the camera's frames (one-time token; docs/live-view.md). */
  ingestUrl: Type.Optional(Type.String({ maxLength: 500 })),
});
export type Command = Static<typeof CommandSchema>;

export const CommandResultSchema = Type.Object({
  v: Type.Literal(1),
  id: Type.String({ minLength: 1, maxLength: 64 }),
  at: Iso,
  ok: Type.Boolean(),
  code: Type.Optional(Type.String({ maxLength: 60 })),
  message: Type.Optional(Type.String({ maxLength: 300 })),
  /** snapshot: one downscaled JPEG frame, base64 (docs/live-view.md). */
  jpeg: Type.Optional(Type.String({ maxLength: 180_000 })),
});
export type CommandResult = Static<typeof CommandResultSchema>;
