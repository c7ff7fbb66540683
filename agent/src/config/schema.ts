// The site config file's shape, as written in YAML (before defaults). Every object is closed
// (additionalProperties: false) so that a misspelt key is reported instead of silently ignored.
import { Type, type Static, type TObject, type TOptional } from '@sinclair/typebox';
import { DeviceSpecSchema, IdSchema, RegionSchema, SiteSpecSchema } from '@camfleet/shared';

const closed = { additionalProperties: false } as const;
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const OnvifBlockSchema = Type.Object(
  {
    port: Type.Optional(Port),
    path: Type.Optional(Type.String({ pattern: '^/', maxLength: 255, description: 'a path starting with "/"' })),
    username: Type.Optional(Text(128)),
    password: Type.Optional(Type.String({ maxLength: 256 })),
  },
  closed,
);

/** How reachability is probed (agent/src/probes/reachability). */
export const ReachabilityBlockSchema = Type.Object(
  {
    method: Type.Optional(Type.Union([Type.Literal('icmp'), Type.Literal('tcp')])),
    port: Type.Optional(Port),
    count: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
  },
  closed,
);

/** RTSP stream check (agent/src/probes/rtsp): OPTIONS + DESCRIBE with Digest auth, one frame grabbed. */
export const RtspBlockSchema = Type.Object(
  {
    /** Full rtsp:// URL without credentials; else built from address, port and path. */
    url: Type.Optional(Type.String({ pattern: '^rtsps?://', maxLength: 500 })),
    port: Type.Optional(Port),
    path: Type.Optional(Type.String({ pattern: '^/', maxLength: 255 })),
    username: Type.Optional(Text(128)),
    password: Type.Optional(Type.String({ maxLength: 256 })),
    /** Grab one frame per poll for the image checks (default true). */
    grabFrame: Type.Optional(Type.Boolean()),
  },
  closed,
);

/** SNMP (agent/src/probes/snmp): LTE router signal and WAN state, switch PoE ports. */
export const SnmpBlockSchema = Type.Object(
  {
    port: Type.Optional(Port),
    version: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2c')])),
    community: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Community allowed to SET (PoE power-cycle); absent = the agent never writes. */
    writeCommunity: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  closed,
);

/** A camera powered by its parent switch: which PoE port (RFC 3621 pethPsePortIndex, group 1 unless given). */
export const PoeBlockSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 1, maximum: 1024 }),
    group: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  },
  closed,
);

/**
 * Protocol blocks a device may carry, by key. Adding a protocol (rtsp, snmp) is one line here plus its
 * settings type in types.ts; the "needs an address" rule and toInventory's stripping follow from this map.
 */
export const PROTOCOL_BLOCKS = {
  onvif: OnvifBlockSchema,
  reachability: ReachabilityBlockSchema,
  rtsp: RtspBlockSchema,
  snmp: SnmpBlockSchema,
  poe: PoeBlockSchema,
} satisfies Record<string, TObject>;
export type ProtocolKey = keyof typeof PROTOCOL_BLOCKS;

type OptionalAll<T extends Record<string, TObject>> = { [K in keyof T]: TOptional<T[K]> };
function optionalAll<T extends Record<string, TObject>>(blocks: T): OptionalAll<T> {
  const out: Record<string, TOptional<TObject>> = {};
  for (const [key, schema] of Object.entries(blocks)) out[key] = Type.Optional(schema);
  return out as OptionalAll<T>;
}

// Inventory fields come from the shared DeviceSpec so the agent and server never drift apart.
export const DeviceBlockSchema = Type.Object(
  { ...DeviceSpecSchema.properties, ...optionalAll(PROTOCOL_BLOCKS) },
  closed,
);

/** Schedule overrides for one probe kind (poll.probes.<kind>). */
export const ProbeScheduleSchema = Type.Object(
  {
    intervalS: Type.Optional(Type.Number({ minimum: 1, maximum: 86400 })),
    timeoutS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 600 })),
    enabled: Type.Optional(Type.Boolean()),
  },
  closed,
);

/** Probe kinds a schedule may name: the registry's kinds (agent/src/probes/registry.ts), one line each. */
export const SCHEDULED_PROBE_KINDS = ['reachability', 'onvif', 'rtsp', 'snmp', 'gateway'] as const;

const PollSchema = Type.Object(
  {
    intervalS: Type.Optional(Type.Number({ minimum: 1, maximum: 86400 })),
    timeoutS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 600 })),
    jitterS: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 })),
    perDeviceConcurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
    probes: Type.Optional(
      Type.Object(Object.fromEntries(SCHEDULED_PROBE_KINDS.map((k) => [k, Type.Optional(ProbeScheduleSchema)])), closed),
    ),
  },
  closed,
);

const OutboxSchema = Type.Object(
  {
    maxMB: Type.Optional(Type.Number({ minimum: 1, maximum: 65536 })),
    replayRatePerS: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000 })),
    replayDelayS: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
  },
  closed,
);

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const Day = Type.Union(DAY_NAMES.map((d) => Type.Literal(d)));
const ClockTime = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'a time of day as HH:MM (00:00–23:59)' });
const MaintenanceWindowSchema = Type.Object(
  {
    days: Type.Optional(Type.Array(Day, { minItems: 1, maxItems: 7 })),
    from: Type.Optional(ClockTime),
    to: Type.Optional(ClockTime),
    start: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'an ISO date-time with offset' })),
    end: Type.Optional(Type.String({ format: 'date-time', maxLength: 40, description: 'an ISO date-time with offset' })),
  },
  closed,
);

export const REBOOT_STEPS = ['reprobe', 'reconnect-stream', 'onvif-reboot', 'poe-cycle'] as const;

const RebootSchema = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    afterCycles: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    steps: Type.Optional(Type.Array(Type.Union(REBOOT_STEPS.map((s) => Type.Literal(s))), { maxItems: 4 })),
    segments: Type.Optional(Type.Array(Type.Union([Type.Literal('camera'), Type.Literal('third-party-camera')]), { maxItems: 2 })),
    minIntervalH: Type.Optional(Type.Number({ minimum: 0, maximum: 720 })),
    maxPerDay: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
    siteMaxPerDay: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })),
    siteMaxConcurrent: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    requireUplink: Type.Optional(Type.Boolean()),
    requireParents: Type.Optional(Type.Boolean()),
    dropTimeoutS: Type.Optional(Type.Number({ minimum: 1, maximum: 3600 })),
    verifyTimeoutS: Type.Optional(Type.Number({ minimum: 1, maximum: 7200 })),
    stepPauseS: Type.Optional(Type.Number({ minimum: 0, maximum: 600 })),
    poeOffS: Type.Optional(Type.Number({ minimum: 1, maximum: 600 })),
    timezone: Type.Optional(Text(64)),
    maintenanceWindows: Type.Optional(Type.Array(MaintenanceWindowSchema, { maxItems: 64 })),
  },
  closed,
);

/** Image checks (agent/src/runtime/images.ts); defaults in docs/image-health.md. */
const ImageSchema = Type.Object(
  {
    warmupFrames: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    raiseAfter: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    clearAfter: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    thumbnailEveryS: Type.Optional(Type.Number({ minimum: 10, maximum: 86400 })),
    frozenGapS: Type.Optional(Type.Number({ minimum: 0, maximum: 3600 })),
  },
  closed,
);

export const SiteFileSchema = Type.Object(
  {
    site: Type.Object(
      {
        id: IdSchema,
        name: SiteSpecSchema.properties.name,
        region: Type.Optional(RegionSchema),
        contractId: SiteSpecSchema.properties.contractId,
        address: SiteSpecSchema.properties.address,
      },
      closed,
    ),
    agent: Type.Optional(Type.Object({ id: Type.Optional(IdSchema), device: Type.Optional(IdSchema) }, closed)),
    mqtt: Type.Object(
      {
        url: Text(500),
        username: Type.Optional(Text(128)),
        password: Type.Optional(Type.String({ maxLength: 256 })),
        passwordFile: Type.Optional(Text(1024)),
        // MQTT keepalive is a 16-bit count of seconds; 0 turns it off.
        keepaliveS: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        /** TLS (mqtts:// / wss://): PEM trust anchors, and an optional client certificate + key. */
        caFile: Type.Optional(Text(1024)),
        certFile: Type.Optional(Text(1024)),
        keyFile: Type.Optional(Text(1024)),
      },
      closed,
    ),
    poll: Type.Optional(PollSchema),
    stateDir: Type.Optional(Text(1024)),
    outbox: Type.Optional(OutboxSchema),
    reboot: Type.Optional(RebootSchema),
    image: Type.Optional(ImageSchema),
    devices: Type.Array(DeviceBlockSchema, { maxItems: SiteSpecSchema.properties.devices.maxItems ?? 2000 }),
  },
  closed,
);
export type SiteFile = Static<typeof SiteFileSchema>;
export type DeviceBlock = Static<typeof DeviceBlockSchema>;
